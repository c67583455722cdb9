import { conflict, forbidden, invalid } from '../errors.ts';
import { followUpDueAt, isFinalFollowUp } from './follow-ups.ts';
import type { Actor, CaseRecord, FollowUpAction, MailIntent, Status, TimelineEntry } from './model.ts';

/** A change asked of a case, by an actor, through the API, the mail handler or the workflow. */
export type Command =
  | { kind: 'request-info'; note: string }
  | { kind: 'propose-solution'; note: string }
  | { kind: 'customer-update'; note: string; channel?: 'portal' | 'mail' }
  | { kind: 'engineer-note'; note: string; visibility: 'public' | 'internal' }
  | { kind: 'follow-up-due' };

export interface Decision {
  next: CaseRecord;
  timeline: TimelineEntry[];
  mails: MailIntent[];
}

/**
 * The case reducer: state + command -> the next state, its timeline entries and its mails, or a
 * refusal. Pure: the caller persists the decision and signals the workflow.
 */
export function decide(c: CaseRecord, command: Command, actor: Actor, now: Date): Decision {
  const at = now.toISOString();
  const who = actor.email ?? 'system';
  const out: Decision = { next: { ...c, updatedAt: at, revision: c.revision + 1 }, timeline: [], mails: [] };

  const moveTo = (status: Status, subStatus: string) => {
    out.next.status = status;
    out.next.subStatus = subStatus;
    out.timeline.push({ at, kind: 'status', visibility: 'public', actor: who, status, subStatus });
  };
  const note = (text: string, visibility: 'public' | 'internal') =>
    out.timeline.push({ at, kind: 'note', visibility, actor: who, text });
  const waitOnCustomer = (action: FollowUpAction) => {
    out.next.followUp = { since: at, remindersSent: 0, action };
  };
  const requireEngineer = () => {
    if (actor.kind !== 'engineer') throw forbidden(`only a support engineer may ${command.kind}`);
  };
  const requireStatus = (...allowed: Status[]) => {
    if (!allowed.includes(c.status)) {
      throw conflict(`cannot ${command.kind} a case in status ${c.status}/${c.subStatus}`);
    }
  };
  const requireNote = (text: string) => {
    if (!text.trim()) throw invalid('note', 'must not be empty');
  };

  switch (command.kind) {
    case 'request-info':
      requireEngineer();
      requireStatus('Open');
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Awaiting Info', 'Info Required from Customer');
      waitOnCustomer('provide-information');
      out.mails.push({
        id: `r${out.next.revision}`,
        kind: 'info-requested',
        to: c.contact,
        note: command.note,
      });
      break;
    case 'propose-solution':
      requireEngineer();
      requireStatus('Open');
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Solution Proposed', 'Replied');
      waitOnCustomer('accept-or-reject-solution');
      out.mails.push({
        id: `r${out.next.revision}`,
        kind: 'solution-proposed',
        to: c.contact,
        note: command.note,
      });
      break;
    case 'customer-update':
      if (actor.kind !== 'contact') throw forbidden('customer updates come from a contact');
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      requireNote(command.note);
      // Mail stays internal until an engineer publishes it: a mistyped number may misplace it (SPEC §6).
      note(command.note, command.channel === 'mail' ? 'internal' : 'public');
      // Any customer reply stops the follow-up timer (SPEC §5).
      if (c.status !== 'Open') {
        moveTo('Open', 'Customer Responded');
        out.next.followUp = null;
      }
      break;
    case 'engineer-note':
      requireEngineer();
      requireNote(command.note);
      note(command.note, command.visibility);
      break;
    case 'follow-up-due': {
      const due = followUpDueAt(c);
      if (!c.followUp || !due || due > now) throw conflict(`no follow-up is due on case ${c.number}`);
      if (isFinalFollowUp(c)) {
        moveTo('Closed', 'No Response');
        out.next.followUp = null;
        out.next.closedAt = at;
        out.mails.push({ id: `r${out.next.revision}`, kind: 'closed-no-response', to: c.contact });
      } else {
        const reminder = c.followUp.remindersSent + 1;
        out.next.followUp = { ...c.followUp, remindersSent: reminder };
        out.timeline.push({
          at,
          kind: 'mail-sent',
          visibility: 'public',
          actor: who,
          text: `Reminder ${reminder}`,
        });
        out.mails.push({ id: `r${out.next.revision}`, kind: 'reminder', to: c.contact, reminder });
      }
      break;
    }
  }
  return out;
}
