import { conflict } from '../../errors.ts';
import type { Rules } from '../decision.ts';

/** Cloud incident reports after a restoration of service (SPEC §11). */
export const incidentRules: Rules<'file-incident-report'> = {
  'file-incident-report': (ch, command) => {
    const { c } = ch;
    ch.requireEngineer();
    if (!ch.plan.cloud) throw conflict('incident reports are for cloud services');
    if (!c.restoredAt) throw conflict('an incident report follows the restoration of service');
    const reports = c.incidentReports ?? [];
    if (command.stage === 'incident-report' && !reports.some((r) => r.stage === 'post-mortem')) {
      throw conflict('the post-mortem comes first');
    }
    if (reports.some((r) => r.stage === command.stage))
      throw conflict(`the ${command.stage} was already filed`);
    ch.next.incidentReports = [...reports, { stage: command.stage, filedAt: ch.at, report: command.report }];
    ch.note(
      `${command.stage === 'post-mortem' ? 'Post-mortem' : 'Incident report'}: ${command.report.title}`,
      'public',
    );
    ch.mail({
      kind: 'response',
      to: c.contact,
      note: `${command.report.title}\n\nRoot cause: ${command.report.rootCause}\n\nAction plan: ${command.report.actionPlan}`,
    });
  },
};
