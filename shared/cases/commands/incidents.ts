import { conflict } from '../../errors.ts';
import { ACTIVE, type Change, type Rules } from '../decision.ts';

/**
 * Cloud incident reports (SPEC §11): only for service interruptions of the customer's business
 * as usual (marked by the engineer, or asked for by the customer), the written report only for a
 * customer who asks for one.
 */
export const incidentRules: Rules<
  'mark-service-interruption' | 'request-incident-report' | 'file-incident-report'
> = {
  'mark-service-interruption': (ch, command) => {
    ch.requireEngineer();
    cloudCase(ch);
    if (ch.c.serviceInterruption) throw conflict('the case is already marked a service interruption');
    ch.next.serviceInterruption = true;
    ch.note(command.note ?? 'Service interruption: a post-mortem follows the restoration', 'internal');
  },

  'request-incident-report': (ch, command) => {
    ch.requireCustomer();
    cloudCase(ch);
    if (ch.c.incidentReportRequestedAt)
      throw conflict(`an incident report was already requested at ${ch.c.incidentReportRequestedAt}`);
    ch.requireNote(command.note);
    ch.next.serviceInterruption = true;
    ch.next.incidentReportRequestedAt = ch.at;
    ch.note(`Incident report requested: ${command.note}`, 'public');
  },

  'file-incident-report': (ch, command) => {
    const { c } = ch;
    ch.requireEngineer();
    cloudCase(ch);
    if (!c.serviceInterruption)
      throw conflict(
        'incident reports are for service interruptions: mark the case one, or the customer asks',
      );
    if (!c.restoredAt) throw conflict('an incident report follows the restoration of service');
    const reports = c.incidentReports ?? [];
    if (command.stage === 'incident-report' && !c.incidentReportRequestedAt)
      throw conflict('the written incident report is for customers who request one');
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

function cloudCase(ch: Change): void {
  if (!ch.plan.cloud) throw conflict('incident reports are for cloud services');
  if (ch.kind !== 'file-incident-report') ch.requireStatus(...ACTIVE, 'Closed');
}
