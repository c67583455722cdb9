import { policy } from '../../catalogue/index.ts';
import { conflict, forbidden, invalid, refused } from '../../errors.ts';
import { ACTIVE, type Rules, WAITING } from '../decision.ts';
import { type CaseRecord, CUSTOMER_CLOSURES, SUB_STATUSES } from '../model.ts';

const DAY = 86_400_000;

/** The sub-status of a closed case whose customer asked support to reopen it (pureconnect). */
export const REOPEN_REQUESTED = 'Customer requested to re-open';

/** The end of the reopen window of a closed case (SPEC §3). */
export const reopenWindowEnd = (c: CaseRecord) =>
  c.closedAt ? new Date(Date.parse(c.closedAt) + policy.windows.reopenDays * DAY) : null;

/** A closed case whose customer's request to reopen it (made within the window) awaits support's answer. */
export const reopenPending = (c: CaseRecord) => c.status === 'Closed' && c.subStatus === REOPEN_REQUESTED;

/**
 * When a closed case's files go (SPEC §7): at the end of its reopen window; not while a reopen
 * request made in time awaits support's answer (a granted request keeps them), then at once if the
 * window ended meanwhile.
 */
export const purgeDueAt = (c: CaseRecord) =>
  c.status !== 'Closed' || reopenPending(c) ? null : reopenWindowEnd(c);

/** The status model of SPEC §3: who moves a case where, and what each move starts or stops. */
export const statusRules: Rules<
  | 'request-info'
  | 'propose-solution'
  | 'respond'
  | 'engineer-note'
  | 'customer-update'
  | 'accept-solution'
  | 'reject-solution'
  | 'mark-restored'
  | 'set-substatus'
  | 'snooze-follow-ups'
  | 'close'
  | 'grant-grace-period'
  | 'reopen'
  | 'decline-reopen'
  | 'survey'
> = {
  'request-info': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus('Open');
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    ch.moveTo('Awaiting Info', 'Info Required from Customer');
    ch.waitOnCustomer('provide-information');
    ch.supportActed();
    ch.mail({ kind: 'info-requested', to: ch.c.contact, note: command.note });
  },

  'propose-solution': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus('Open');
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    ch.moveTo('Solution Proposed', command.software ? 'Fixed-Software Provided' : 'Replied');
    ch.waitOnCustomer('accept-or-reject-solution');
    ch.supportActed();
    ch.mail({ kind: 'solution-proposed', to: ch.c.contact, note: command.note });
  },

  respond: (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    ch.supportActed();
    ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  'engineer-note': (ch, command) => {
    ch.requireEngineer();
    ch.requireNote(command.note);
    ch.note(command.note, command.visibility);
    if (command.visibility === 'public') {
      ch.requireStatus(...ACTIVE);
      ch.supportActed();
      ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
    }
  },

  'customer-update': (ch, command) => {
    const { c, next } = ch;
    ch.requireCustomer();
    if (c.status === 'Closed') throw conflict('the case is Closed: reopen it with the new information');
    ch.requireNote(command.note);
    // Mail stays internal until an engineer publishes it: a mistyped number may misplace it (SPEC §6).
    const mail = command.channel === 'mail';
    ch.note(command.note, mail ? 'internal' : 'public', mail ? 'mail-received' : 'note');
    if (command.circumstances) next.circumstances = command.circumstances;
    // SPEC §2: the clock starts once description, severity and circumstances are all there.
    if (!next.completedAt && next.circumstances) next.completedAt = ch.at;
    // A reply of the case contact (not any other contact) stops the follow-up timer (SPEC §3, §5, §6).
    if (WAITING.includes(c.status) && ch.actor.email === c.contact) ch.moveTo('Open', 'Customer Responded');
  },

  'accept-solution': (ch, command) => {
    ch.requireCustomer();
    ch.requireStatus('Solution Proposed');
    if (command.note) ch.note(command.note, 'public');
    ch.close('Resolved', command.note ?? 'Solution accepted');
  },

  'reject-solution': (ch, command) => {
    ch.requireCustomer();
    ch.requireStatus('Solution Proposed');
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    ch.moveTo('Open', 'Customer Responded');
  },

  'mark-restored': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (ch.c.restoredAt) throw conflict(`service was already marked restored at ${ch.c.restoredAt}`);
    ch.next.restoredAt = ch.at;
    ch.note(command.note ?? 'Service restored', 'public');
    ch.supportActed();
  },

  'set-substatus': (ch, command) => {
    const { c } = ch;
    ch.requireEngineer();
    if (!SUB_STATUSES[c.status].includes(command.subStatus) || c.status === 'Closed') {
      throw invalid('subStatus', `one of ${SUB_STATUSES[c.status].join(', ')} for status ${c.status}`);
    }
    ch.next.subStatus = command.subStatus;
    ch.timeline({ kind: 'status', visibility: 'internal', status: c.status, subStatus: command.subStatus });
  },

  'snooze-follow-ups': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...WAITING);
    const until = new Date(command.until);
    if (Number.isNaN(until.getTime())) throw invalid('until', 'an ISO-8601 instant');
    if (until <= ch.now) throw invalid('until', 'must be in the future');
    if (until.getTime() - ch.now.getTime() > policy.windows.snoozeMaxDays * DAY) {
      throw invalid('until', `at most ${policy.windows.snoozeMaxDays} days ahead`);
    }
    // The timer resumes from the date the customer gave: its offsets count from there.
    ch.next.followUp = {
      since: until.toISOString(),
      remindersSent: 0,
      action: ch.c.followUp?.action ?? 'provide-information',
    };
    ch.note(`Follow-ups snoozed until ${until.toISOString()}`, 'internal');
  },

  close: (ch, command) => {
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.note);
    if (ch.engineer) {
      if (!SUB_STATUSES.Closed.includes(command.subStatus))
        throw invalid('subStatus', `one of ${SUB_STATUSES.Closed.join(', ')}`);
    } else if (!(CUSTOMER_CLOSURES as readonly string[]).includes(command.subStatus)) {
      throw invalid('subStatus', `customers close a case as ${CUSTOMER_CLOSURES.join(' or ')}`);
    }
    ch.note(command.note, 'public');
    if (ch.engineer) ch.supportActed();
    ch.close(command.subStatus, command.note);
  },

  'grant-grace-period': (ch, command) => {
    // The account's one grace period (claimed on the account by the caller): the case is handled
    // as under contract, its SLA clock starting now.
    ch.requireEngineer();
    ch.requireStatus('Open');
    if (!ch.c.withoutContract) throw conflict(`case ${ch.c.number} is covered by a contract`);
    ch.requireNote(command.note);
    ch.next.withoutContract = false;
    if (ch.next.completedAt) ch.next.completedAt = ch.at;
    ch.note(`Grace period granted until ${command.until}: ${command.note}`, 'public');
    ch.moveTo('Open', 'New');
  },

  reopen: (ch, command) => {
    const { c, next } = ch;
    ch.requireStatus('Closed');
    const rule = ch.plan.reopen;
    const requested = c.subStatus === REOPEN_REQUESTED ? c.reopenRequest : undefined;
    if (!ch.engineer) {
      if (rule.byCustomer === 'never')
        throw forbidden('on this plan, support reopens cases: please call support with the new information');
      if (requested) throw conflict('the reopening was already requested: support will answer it');
      if (rule.notAfter.includes(c.subStatus))
        throw forbidden(
          `a case closed as ${c.subStatus} is reopened by support only: please call support, or open a new case naming this one as relatedCase`,
        );
    }
    // A request made within the window may be granted after it.
    const end = reopenWindowEnd(c);
    const asked = requested ? new Date(requested.at) : ch.now;
    if (!end || asked >= end) {
      throw refused(
        `the ${policy.windows.reopenDays}-day reopen window ended at ${end?.toISOString()}: open a new case naming this one as relatedCase`,
      );
    }
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    if (!ch.engineer && rule.byCustomer === 'request') {
      // pureconnect: the customer asks from the portal; support reopens or declines (SPEC §3).
      next.reopenRequest = { at: ch.at, by: ch.who, note: command.note, closedAs: c.subStatus };
      ch.moveTo('Closed', REOPEN_REQUESTED);
      return;
    }
    ch.moveTo('Open', ch.engineer ? 'Investigation' : 'Customer Responded');
    // Closed time never counts against a target; targets met before the closure stay met (SPEC §4).
    if (c.closedAt) next.closedPeriods = [...(c.closedPeriods ?? []), { from: c.closedAt, to: ch.at }];
    next.closedAt = null;
    next.closure = undefined;
    next.resolvedAt = null;
    next.reopenRequest = undefined;
    ch.mail({ kind: 'reopened', to: c.contact, note: command.note });
  },

  'decline-reopen': (ch, command) => {
    const { c, next } = ch;
    ch.requireEngineer();
    const request = c.subStatus === REOPEN_REQUESTED ? c.reopenRequest : undefined;
    if (!request) throw conflict(`case ${c.number} has no request to reopen it (${c.status}/${c.subStatus})`);
    ch.requireNote(command.note);
    ch.note(command.note, 'public');
    ch.moveTo('Closed', request.closedAs);
    next.reopenRequest = undefined;
    ch.mail({ kind: 'response', to: c.contact, note: command.note });
  },

  survey: (ch, command) => {
    const { c } = ch;
    ch.requireCustomer();
    if (ch.actor.email !== c.contact) throw forbidden('the survey is answered by the case contact');
    ch.requireStatus('Closed');
    if (c.survey) throw conflict('the survey was already answered');
    if (!c.closedAt || ch.now.getTime() - Date.parse(c.closedAt) > policy.windows.surveyDays * DAY) {
      throw refused(`the survey can be answered up to ${policy.windows.surveyDays} days after closure`);
    }
    ch.next.survey = {
      answeredAt: ch.at,
      ratings: command.ratings,
      ...(command.comment ? { comment: command.comment } : {}),
    };
    ch.timeline({ kind: 'survey', visibility: 'internal', text: `Survey: ${command.ratings.join(', ')}` });
  },
};
