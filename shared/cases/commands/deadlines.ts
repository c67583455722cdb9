import { conflict } from '../../errors.ts';
import { ACTIVE, type Rules, WAITING } from '../decision.ts';
import { followUpDueAt, isFinalFollowUp } from '../follow-ups.ts';

/**
 * What starts, ends or waives a target (SPEC §4), and what the workflow does when a wait times
 * out (SPEC §5). Targets met or breached are recorded by `decide` itself after every rule.
 */
export const deadlineRules: Rules<
  'set-defect-correction' | 'mark-information-complete' | 'deliver-rca' | 'deadline'
> = {
  'set-defect-correction': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (ch.plan.cloud)
      throw conflict('the defect-correction exemption applies to on-premise resolution targets');
    if (!!ch.c.defectCorrection === command.defectCorrection)
      throw conflict(`the case is already marked defectCorrection=${command.defectCorrection}`);
    ch.next.defectCorrection = command.defectCorrection;
    ch.note(
      `${command.defectCorrection ? 'Needs a defect correction: the resolution target does not apply' : 'No defect correction needed: the resolution target applies'}${command.note ? `: ${command.note}` : ''}`,
      'internal',
    );
  },

  'mark-information-complete': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (!ch.plan.targets[ch.c.severity]?.rootCause)
      throw conflict('this plan has no root-cause-analysis target');
    if (ch.c.informationCompleteAt)
      throw conflict(`all information was already in at ${ch.c.informationCompleteAt}`);
    ch.next.informationCompleteAt = ch.at;
    ch.note(
      command.note ?? 'All necessary troubleshooting information is in: the root-cause analysis is due',
      'public',
    );
  },

  'deliver-rca': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (!ch.c.informationCompleteAt) throw conflict('mark the troubleshooting information complete first');
    if (ch.c.rcaDeliveredAt)
      throw conflict(`the root-cause analysis was delivered at ${ch.c.rcaDeliveredAt}`);
    ch.requireNote(command.note);
    ch.next.rcaDeliveredAt = ch.at;
    ch.note(command.note, 'public');
    ch.supportActed();
    ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  deadline: (ch) => {
    const { c } = ch;
    const due = followUpDueAt(c);
    if (!c.followUp || !due || due > ch.now || !WAITING.includes(c.status)) return;
    if (isFinalFollowUp(c)) {
      ch.close('No Response', 'Closed automatically: no response to the follow-ups');
      return;
    }
    const reminder = c.followUp.remindersSent + 1;
    ch.next.followUp = { ...c.followUp, remindersSent: reminder };
    ch.timeline({ kind: 'mail-sent', visibility: 'public', text: `Reminder ${reminder}` });
    ch.mail({ kind: 'reminder', to: c.contact, reminder });
  },
};
