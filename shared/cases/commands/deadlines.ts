import { type Rules, WAITING } from '../decision.ts';
import { followUpDueAt, isFinalFollowUp } from '../follow-ups.ts';

/** What the workflow does when a wait times out (SPEC §5); targets are recorded by `decide` itself. */
export const deadlineRules: Rules<'deadline'> = {
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
