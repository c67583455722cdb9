import { DateTime } from 'luxon';
import { centreNamed, planNamed, policy } from '../catalogue/index.ts';
import { conflict, forbidden, invalid, refused } from '../errors.ts';
import { addBusinessDays } from '../sla/business-time.ts';
import { calendarOf } from '../sla/calendars.ts';
import { addSpan, type TargetKind } from '../sla/targets.ts';
import { followUpDueAt, isFinalFollowUp } from './follow-ups.ts';
import {
  type Actor,
  type CaseRecord,
  CUSTOMER_CLOSURES,
  type FeatureRequest,
  type FollowUpAction,
  type IncidentReport,
  isCritical,
  type MailIntent,
  RESOLVING_CLOSURES,
  type Severity,
  type Status,
  SUB_STATUSES,
  type TimelineEntry,
} from './model.ts';
import { obligationsOf, slaStatus, type TargetStatus } from './sla.ts';

/** A change asked of a case, by an actor, through the API, the mail handler or the workflow. */
export type Command =
  | { kind: 'request-info'; note: string }
  | { kind: 'propose-solution'; note: string; software?: boolean }
  | { kind: 'respond'; note: string }
  | { kind: 'engineer-note'; note: string; visibility: 'public' | 'internal' }
  | {
      kind: 'customer-update';
      note: string;
      channel?: 'portal' | 'mail';
      circumstances?: string;
      mailId?: string;
    }
  | { kind: 'accept-solution'; note?: string }
  | { kind: 'reject-solution'; note: string }
  | { kind: 'mark-restored'; note?: string }
  | { kind: 'set-severity'; severity: Severity; note?: string }
  | { kind: 'set-substatus'; subStatus: string }
  | { kind: 'snooze-follow-ups'; until: string }
  | { kind: 'close'; subStatus: string; note: string }
  | { kind: 'reopen'; note: string }
  | { kind: 'escalate'; reason: string; rootCause?: boolean }
  | { kind: 'request-priority-change'; severity: Severity; note: string }
  | { kind: 'survey'; ratings: number[]; comment?: string }
  | { kind: 'raise-feature-request'; frNumber: string; note: string }
  | {
      kind: 'update-feature-request';
      status: FeatureRequest['status'];
      nextUpdateDue?: string;
      targetRelease?: string;
      resolution?: FeatureRequest['resolution'];
    }
  | { kind: 'acknowledge-change'; note: string }
  | { kind: 'decide-change'; decision: 'accepted' | 'rejected'; note: string }
  | { kind: 'complete-change'; note: string }
  | { kind: 'file-incident-report'; stage: 'post-mortem' | 'incident-report'; report: IncidentReport }
  | { kind: 'grant-grace-period'; note: string; until: string }
  | { kind: 'deadline' };

export interface Decision {
  next: CaseRecord;
  timeline: TimelineEntry[];
  mails: MailIntent[];
  /** Targets and obligations found breached by this change (each is breached once). */
  breaches?: string[];
  /** Nothing to change (e.g. a deadline delivered twice): nothing is written. */
  unchanged?: boolean;
}

const DAY = 86_400_000;
const WAITING: Status[] = ['Awaiting Info', 'Solution Proposed'];
const SEVERITY_RANK: Record<Severity, number> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
  'critical-production-down': 4,
};

/** The end of the reopen window of a closed case (SPEC §3). */
export const reopenWindowEnd = (c: CaseRecord) =>
  c.closedAt ? new Date(Date.parse(c.closedAt) + policy.windows.reopenDays * DAY) : null;

/**
 * The case reducer: state + command -> the next state, its timeline entries and its mails, or a
 * refusal (a DomainError). Pure: the caller persists the decision and signals the workflow.
 */
export function decide(c: CaseRecord, command: Command, actor: Actor, now: Date): Decision {
  const at = now.toISOString();
  const who = actor.email ?? 'system';
  const plan = planNamed(c.plan);
  const next: CaseRecord = { ...c, updatedAt: at, revision: c.revision + 1 };
  const out: Decision = { next, timeline: [], mails: [] };
  const engineer = actor.kind === 'engineer';
  const mail = (m: Omit<MailIntent, 'id'>) => out.mails.push({ id: '', ...m });

  const moveTo = (status: Status, subStatus: string) => {
    const wasWaiting = WAITING.includes(next.status);
    const waiting = WAITING.includes(status);
    next.status = status;
    next.subStatus = subStatus;
    out.timeline.push({ at, kind: 'status', visibility: 'public', actor: who, status, subStatus });
    // Waiting on the customer pauses restoration and resolution (a plan setting).
    if (plan.pauseWhileWaitingOnCustomer && waiting && !wasWaiting)
      next.pauses = [...(next.pauses ?? []), { from: at, to: null }];
    if (wasWaiting && !waiting)
      next.pauses = (next.pauses ?? []).map((p) => (p.to === null ? { ...p, to: at } : p));
    if (!waiting) next.followUp = null;
  };
  const note = (text: string, visibility: 'public' | 'internal', kind: TimelineEntry['kind'] = 'note') =>
    out.timeline.push({ at, kind, visibility, actor: who, text });
  const waitOnCustomer = (action: FollowUpAction) => {
    next.followUp = { since: at, remindersSent: 0, action };
  };
  /** A public act of support: the first one after completion is the response (SPEC §4). */
  const supportActed = () => {
    next.lastSupportUpdateAt = at;
    if (next.completedAt && !next.respondedAt) next.respondedAt = at;
  };
  const requireEngineer = () => {
    if (!engineer) throw forbidden(`only a support engineer may ${command.kind}`);
  };
  const requireCustomer = () => {
    if (actor.kind !== 'contact')
      throw forbidden(`only a designated contact of the account may ${command.kind}`);
  };
  const requireStatus = (...allowed: Status[]) => {
    if (!allowed.includes(c.status))
      throw conflict(`cannot ${command.kind} a case in status ${c.status}/${c.subStatus}`);
  };
  const requireNote = (text: string | undefined, field = 'note') => {
    if (!text?.trim()) throw invalid(field, 'must not be empty');
  };
  const close = (subStatus: string, comment: string) => {
    moveTo('Closed', subStatus);
    next.closedAt = at;
    next.closure = { by: who, comment };
    if (RESOLVING_CLOSURES.includes(subStatus) && !next.resolvedAt) next.resolvedAt = at;
    mail({
      kind: subStatus === 'No Response' ? 'closed-no-response' : 'closed',
      to: c.contact,
      note: comment,
    });
  };

  switch (command.kind) {
    case 'request-info':
      requireEngineer();
      requireStatus('Open');
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Awaiting Info', 'Info Required from Customer');
      waitOnCustomer('provide-information');
      supportActed();
      mail({ kind: 'info-requested', to: c.contact, note: command.note });
      break;
    case 'propose-solution':
      requireEngineer();
      requireStatus('Open');
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Solution Proposed', command.software ? 'Fixed-Software Provided' : 'Replied');
      waitOnCustomer('accept-or-reject-solution');
      supportActed();
      mail({ kind: 'solution-proposed', to: c.contact, note: command.note });
      break;
    case 'respond':
      requireEngineer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      requireNote(command.note);
      note(command.note, 'public');
      supportActed();
      mail({ kind: 'response', to: c.contact, note: command.note });
      break;
    case 'engineer-note':
      requireEngineer();
      requireNote(command.note);
      note(command.note, command.visibility);
      if (command.visibility === 'public') {
        requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
        supportActed();
        mail({ kind: 'response', to: c.contact, note: command.note });
      }
      break;
    case 'customer-update':
      if (command.mailId && c.mailIds?.includes(command.mailId))
        return { next: c, timeline: [], mails: [], unchanged: true };
      if (command.mailId) next.mailIds = [...(c.mailIds ?? []), command.mailId].slice(-200);
      requireCustomer();
      if (c.status === 'Closed') throw conflict('the case is Closed: reopen it with the new information');
      requireNote(command.note);
      // Mail stays internal until an engineer publishes it: a mistyped number may misplace it (SPEC §6).
      note(
        command.note,
        command.channel === 'mail' ? 'internal' : 'public',
        command.channel === 'mail' ? 'mail-received' : 'note',
      );
      if (command.circumstances) next.circumstances = command.circumstances;
      // SPEC §2: the clock starts once description, severity and circumstances are all there.
      if (!next.completedAt && next.circumstances) next.completedAt = at;
      // Any customer reply stops the follow-up timer (SPEC §5).
      if (WAITING.includes(c.status)) moveTo('Open', 'Customer Responded');
      break;
    case 'accept-solution':
      requireCustomer();
      requireStatus('Solution Proposed');
      if (command.note) note(command.note, 'public');
      close('Resolved', command.note ?? 'Solution accepted');
      break;
    case 'reject-solution':
      requireCustomer();
      requireStatus('Solution Proposed');
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Open', 'Customer Responded');
      break;
    case 'mark-restored':
      requireEngineer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      if (c.restoredAt) throw conflict(`service was already marked restored at ${c.restoredAt}`);
      next.restoredAt = at;
      note(command.note ?? 'Service restored', 'public');
      supportActed();
      break;
    case 'set-severity':
      requireEngineer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      if (command.severity === c.severity) throw conflict(`the severity is already ${c.severity}`);
      // Support has the final say; the targets are recomputed from the complete time.
      next.severity = command.severity;
      out.timeline.push({
        at,
        kind: 'severity',
        visibility: 'public',
        actor: who,
        text: `Severity ${c.severity} → ${command.severity}${command.note ? `: ${command.note}` : ''}`,
      });
      if (command.severity === 'critical-production-down') next.followUp = null;
      break;
    case 'set-substatus':
      requireEngineer();
      if (!SUB_STATUSES[c.status].includes(command.subStatus) || c.status === 'Closed') {
        throw invalid('subStatus', `one of ${SUB_STATUSES[c.status].join(', ')} for status ${c.status}`);
      }
      next.subStatus = command.subStatus;
      out.timeline.push({
        at,
        kind: 'status',
        visibility: 'internal',
        actor: who,
        status: c.status,
        subStatus: command.subStatus,
      });
      break;
    case 'snooze-follow-ups': {
      requireEngineer();
      requireStatus('Awaiting Info', 'Solution Proposed');
      const until = new Date(command.until);
      if (Number.isNaN(until.getTime())) throw invalid('until', 'an ISO-8601 instant');
      if (until <= now) throw invalid('until', 'must be in the future');
      if (until.getTime() - now.getTime() > policy.windows.snoozeMaxDays * DAY) {
        throw invalid('until', `at most ${policy.windows.snoozeMaxDays} days ahead`);
      }
      // The timer resumes from the date the customer gave: its offsets count from there.
      next.followUp = {
        since: until.toISOString(),
        remindersSent: 0,
        action: c.followUp?.action ?? 'provide-information',
      };
      note(`Follow-ups snoozed until ${until.toISOString()}`, 'internal');
      break;
    }
    case 'close':
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      requireNote(command.note);
      if (engineer) {
        if (!SUB_STATUSES.Closed.includes(command.subStatus))
          throw invalid('subStatus', `one of ${SUB_STATUSES.Closed.join(', ')}`);
      } else if (!(CUSTOMER_CLOSURES as readonly string[]).includes(command.subStatus)) {
        throw invalid('subStatus', `customers close a case as ${CUSTOMER_CLOSURES.join(' or ')}`);
      }
      note(command.note, 'public');
      if (engineer) supportActed();
      close(command.subStatus, command.note);
      break;
    case 'grant-grace-period':
      // The account's one grace period (claimed on the account by the caller): the case is handled
      // as under contract, its SLA clock starting now.
      requireEngineer();
      requireStatus('Open');
      if (!c.withoutContract) throw conflict(`case ${c.number} is covered by a contract`);
      requireNote(command.note);
      next.withoutContract = false;
      if (next.completedAt) next.completedAt = at;
      note(`Grace period granted until ${command.until}: ${command.note}`, 'public');
      moveTo('Open', 'New');
      break;
    case 'reopen': {
      requireStatus('Closed');
      if (!engineer && !plan.reopenByCustomer)
        throw forbidden('on this plan, support reopens cases: please call support');
      const end = reopenWindowEnd(c);
      if (!end || now >= end) {
        throw refused(
          `the ${policy.windows.reopenDays}-day reopen window ended at ${end?.toISOString()}: open a new case naming this one as relatedCase`,
        );
      }
      requireNote(command.note);
      note(command.note, 'public');
      moveTo('Open', engineer ? 'Investigation' : 'Customer Responded');
      next.closedAt = null;
      next.closure = undefined;
      next.resolvedAt = null;
      if (next.slaOutcomes?.resolution?.state === 'met') {
        const { resolution: _r, ...rest } = next.slaOutcomes;
        next.slaOutcomes = rest;
      }
      mail({ kind: 'reopened', to: c.contact, note: command.note });
      break;
    }
    case 'escalate': {
      requireCustomer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      requireNote(command.reason, 'reason');
      escalationEligibility(c, now, command.rootCause === true);
      const level = (c.escalationLevel ?? 0) + 1;
      const managers = centreNamed(c.centre).escalation ?? [];
      if (level > managers.length) throw refused('the case is already escalated to the final level');
      next.escalationLevel = level;
      out.timeline.push({
        at,
        kind: 'escalation',
        visibility: 'public',
        actor: who,
        text: `Escalated to level ${level}: ${command.reason}`,
      });
      mail({ kind: 'escalation', to: managers[level - 1] as string, level, note: command.reason });
      break;
    }
    case 'request-priority-change': {
      requireCustomer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      requireNote(command.note);
      if (command.severity === c.severity) throw conflict(`the severity is already ${c.severity}`);
      // Low → medium by a note; higher only by phone, where support raises it (SPEC §2).
      if (SEVERITY_RANK[command.severity] > SEVERITY_RANK.medium) {
        throw refused(
          `a change to ${command.severity} is made by phone: call support, who will raise the case`,
          'severity',
        );
      }
      next.severity = command.severity;
      out.timeline.push({
        at,
        kind: 'severity',
        visibility: 'public',
        actor: who,
        text: `Severity ${c.severity} → ${command.severity}: ${command.note}`,
      });
      break;
    }
    case 'survey': {
      requireCustomer();
      if (actor.email !== c.contact) throw forbidden('the survey is answered by the case contact');
      requireStatus('Closed');
      if (c.survey) throw conflict('the survey was already answered');
      if (!c.closedAt || now.getTime() - Date.parse(c.closedAt) > policy.windows.surveyDays * DAY) {
        throw refused(`the survey can be answered up to ${policy.windows.surveyDays} days after closure`);
      }
      next.survey = {
        answeredAt: at,
        ratings: command.ratings,
        ...(command.comment ? { comment: command.comment } : {}),
      };
      out.timeline.push({
        at,
        kind: 'survey',
        visibility: 'internal',
        actor: who,
        text: `Survey: ${command.ratings.join(', ')}`,
      });
      break;
    }
    case 'raise-feature-request': {
      requireEngineer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      if (c.type !== 'feature-request')
        throw conflict(`case ${c.number} is a ${c.type}, not a feature request`);
      requireNote(command.note);
      // Product management evaluates for up to 55 BD; the case closes when the FR goes Under Review.
      const nextUpdateDue = addBusinessDays(calendarOf(c.centre), now, 55).due.toISOString();
      next.featureRequest = { number: command.frNumber, status: 'Under Review', nextUpdateDue };
      note(`Feature request ${command.frNumber} raised: ${command.note}`, 'public');
      close('Feature Request', `Logged as feature request ${command.frNumber}`);
      break;
    }
    case 'update-feature-request': {
      requireEngineer();
      if (!c.featureRequest) throw conflict(`case ${c.number} has no feature request`);
      if (command.status === 'Closed' && !command.resolution)
        throw invalid('resolution', 'declined, duplicate or implemented');
      if (command.status === 'Scheduled' && !command.targetRelease)
        throw invalid('targetRelease', 'required when scheduled');
      next.featureRequest = {
        ...c.featureRequest,
        status: command.status,
        ...(command.nextUpdateDue ? { nextUpdateDue: command.nextUpdateDue } : {}),
        ...(command.targetRelease ? { targetRelease: command.targetRelease } : {}),
        ...(command.resolution ? { resolution: command.resolution } : {}),
        ...(command.status === 'Closed' ? { closedAt: at } : {}),
      };
      note(
        `Feature request ${c.featureRequest.number}: ${command.status}${command.targetRelease ? ` (${command.targetRelease})` : ''}${command.resolution ? ` (${command.resolution})` : ''}`,
        'public',
      );
      break;
    }
    case 'acknowledge-change':
    case 'decide-change':
    case 'complete-change': {
      requireEngineer();
      requireStatus('Open', 'Awaiting Info', 'Solution Proposed');
      if (c.type !== 'change-request' || !plan.cloud)
        throw conflict(`case ${c.number} is not a cloud change request`);
      requireNote(command.note);
      const cr = { ...c.changeRequest };
      if (command.kind === 'acknowledge-change') {
        if (cr.acknowledgedAt) throw conflict('the change request is already acknowledged');
        cr.acknowledgedAt = at;
      } else if (command.kind === 'decide-change') {
        if (cr.decision) throw conflict(`the change request was already ${cr.decision}`);
        cr.acknowledgedAt ??= at;
        cr.decision = command.decision;
        cr.decidedAt = at;
      } else {
        if (cr.decision !== 'accepted') throw conflict('only an accepted change request can be completed');
        cr.completedAt = at;
      }
      next.changeRequest = cr;
      note(command.note, 'public');
      supportActed();
      if (command.kind === 'complete-change')
        close('Software Request Fulfilled', `Change completed: ${command.note}`);
      else if (command.kind === 'decide-change' && command.decision === 'rejected')
        close('Cancelled', `Change rejected: ${command.note}`);
      else mail({ kind: 'response', to: c.contact, note: command.note });
      break;
    }
    case 'file-incident-report': {
      requireEngineer();
      if (!plan.cloud) throw conflict('incident reports are for cloud services');
      if (!c.restoredAt) throw conflict('an incident report follows the restoration of service');
      const reports = c.incidentReports ?? [];
      if (command.stage === 'incident-report' && !reports.some((r) => r.stage === 'post-mortem')) {
        throw conflict('the post-mortem comes first');
      }
      if (reports.some((r) => r.stage === command.stage))
        throw conflict(`the ${command.stage} was already filed`);
      next.incidentReports = [...reports, { stage: command.stage, filedAt: at, report: command.report }];
      note(
        `${command.stage === 'post-mortem' ? 'Post-mortem' : 'Incident report'}: ${command.report.title}`,
        'public',
      );
      mail({
        kind: 'response',
        to: c.contact,
        note: `${command.report.title}\n\nRoot cause: ${command.report.rootCause}\n\nAction plan: ${command.report.actionPlan}`,
      });
      break;
    }
    case 'deadline': {
      const due = followUpDueAt(c);
      if (c.followUp && due && due <= now && WAITING.includes(c.status)) {
        if (isFinalFollowUp(c)) {
          close('No Response', 'Closed automatically: no response to the follow-ups');
        } else {
          const reminder = c.followUp.remindersSent + 1;
          next.followUp = { ...c.followUp, remindersSent: reminder };
          out.timeline.push({
            at,
            kind: 'mail-sent',
            visibility: 'public',
            actor: who,
            text: `Reminder ${reminder}`,
          });
          mail({ kind: 'reminder', to: c.contact, reminder });
        }
      }
      break;
    }
  }
  if (command.kind === 'set-severity' || command.kind === 'request-priority-change') {
    if (isCritical(next.severity) && !next.contactPhone && !engineer)
      throw invalid('contactPhone', 'required for critical severities');
  }
  recordTargets(next, now, out, who);
  if (command.kind === 'deadline' && out.timeline.length === 0 && out.mails.length === 0) {
    return { next: c, timeline: [], mails: [], unchanged: true };
  }
  return out;
}

/**
 * Records each target met or breached once it is decided, and each obligation (change request,
 * incident report) once breached, and notifies the centre's on-call manager of a breach: in the
 * same write as the record, so exactly once.
 */
function recordTargets(next: CaseRecord, now: Date, out: Decision, who: string): void {
  const manager = centreNamed(next.centre).escalation?.[0];
  const breach = (target: string, text: string) => {
    out.breaches = [...(out.breaches ?? []), target];
    out.timeline.push({ at: now.toISOString(), kind: 'sla', visibility: 'internal', actor: who, text });
    if (manager) out.mails.push({ id: '', kind: 'sla-breach', to: manager, target });
  };
  const status = slaStatus(next, now);
  for (const [kind, s] of Object.entries(status ?? {}) as [TargetKind, TargetStatus][]) {
    if (next.slaOutcomes?.[kind] || (s.outcome.state !== 'met' && s.outcome.state !== 'breached')) continue;
    next.slaOutcomes = { ...next.slaOutcomes, [kind]: s.outcome };
    if (s.outcome.state === 'breached')
      breach(kind, `${kind} target (${s.target}) breached at ${s.outcome.at}`);
  }
  for (const [name, o] of Object.entries(obligationsOf(next, now))) {
    if (o.state !== 'breached' || next.obligationBreaches?.[name]) continue;
    next.obligationBreaches = { ...next.obligationBreaches, [name]: o.due };
    breach(name, `${name} due ${o.due} breached`);
  }
}

/** SPEC §8: who may escalate when, by severity; a root-cause request only after its waiting time. */
function escalationEligibility(c: CaseRecord, now: Date, rootCause: boolean): void {
  const calendar = calendarOf(c.centre);
  const plan = planNamed(c.plan);
  // A plan setting, defaulting to the handbooks' rules.
  const rules = plan.escalation ?? policy.escalation;
  if (rootCause) {
    const span = rules.rootCauseAfter[plan.cloud ? 'cloud' : 'premises'];
    const since = c.restoredAt ?? c.resolvedAt;
    if (!since) throw refused('a root-cause analysis can be requested once service is restored');
    if (span && addSpan(calendar, new Date(since), span).due > now) {
      throw refused(`a root-cause analysis can be requested ${span} after restoration`);
    }
    return;
  }
  if (isCritical(c.severity)) return;
  const rule = rules[c.severity as 'high' | 'medium' | 'low'];
  if (!rule?.notUpdatedFor)
    throw refused(`${c.severity} cases are not escalated: request a priority change instead`);
  const last = new Date(c.lastSupportUpdateAt ?? c.completedAt ?? c.createdAt);
  const eligibleAt = addSpan(calendar, last, rule.notUpdatedFor).due;
  if (eligibleAt > now) {
    throw refused(
      `a ${c.severity} case can be escalated when support has not updated it for ${rule.notUpdatedFor} (from ${DateTime.fromJSDate(eligibleAt).toUTC().toISO()})`,
    );
  }
}
