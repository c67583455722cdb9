import { planNamed } from '../catalogue/index.ts';
import type { Plan } from '../catalogue/schema.ts';
import { conflict, forbidden, invalid } from '../errors.ts';
import { mayOnCase, type Principal, principalOfActor } from './access.ts';
import {
  type Actor,
  type CaseRecord,
  type FeatureRequest,
  type FollowUpAction,
  type IncidentReport,
  type MailIntent,
  RESOLVING_CLOSURES,
  type Severity,
  type Status,
  type TimelineEntry,
} from './model.ts';

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
  | { kind: 'decide-priority-change'; decision: 'accepted' | 'declined'; note?: string }
  | { kind: 'set-defect-correction'; defectCorrection: boolean; note?: string }
  | { kind: 'mark-information-complete'; note?: string }
  | { kind: 'deliver-rca'; note: string }
  | { kind: 'set-substatus'; subStatus: string }
  | { kind: 'snooze-follow-ups'; until: string }
  | { kind: 'close'; subStatus: string; note: string }
  | { kind: 'reopen'; note: string }
  | { kind: 'decline-reopen'; note: string }
  | { kind: 'escalate'; reason: string; rootCause?: boolean; businessImpact?: string }
  | { kind: 'take' }
  | { kind: 'assign'; engineer: string; note?: string }
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
  | { kind: 'refer-to-product-management'; note: string }
  | { kind: 'acknowledge-change'; note: string }
  | { kind: 'require-services-order'; note: string }
  | { kind: 'sign-services-order'; note: string }
  | { kind: 'resubmit-change'; note: string }
  | { kind: 'mark-service-interruption'; note?: string }
  | { kind: 'request-incident-report'; note: string }
  | { kind: 'decide-change'; decision: 'accepted' | 'rejected'; note: string }
  | { kind: 'complete-change'; note: string }
  | { kind: 'file-incident-report'; stage: 'post-mortem' | 'incident-report'; report: IncidentReport }
  | { kind: 'grant-grace-period'; note: string; until: string }
  | { kind: 'deadline' };

export type CommandKind = Command['kind'];

export interface Decision {
  next: CaseRecord;
  timeline: TimelineEntry[];
  mails: MailIntent[];
  /** Targets and obligations found breached by this change (each is breached once). */
  breaches?: string[];
  /** Nothing to change (e.g. a deadline delivered twice): nothing is written. */
  unchanged?: boolean;
}

export const WAITING: Status[] = ['Awaiting Info', 'Solution Proposed'];
/** The statuses in which support and the customer work a case. */
export const ACTIVE: Status[] = ['Open', 'Awaiting Info', 'Solution Proposed'];

/**
 * One change being decided: the case as it was (`c`), the case as it becomes (`next`), the
 * decision's effects, and the small steps every rule is made of.
 */
export class Change {
  readonly at: string;
  readonly who: string;
  readonly plan: Plan;
  readonly engineer: boolean;
  readonly next: CaseRecord;
  readonly out: Decision;
  readonly c: CaseRecord;
  readonly kind: CommandKind;
  readonly actor: Actor;
  /** The actor as the access rules see it (cases/access.ts). */
  readonly principal: Principal;
  readonly now: Date;

  constructor(c: CaseRecord, kind: CommandKind, actor: Actor, now: Date) {
    this.c = c;
    this.kind = kind;
    this.actor = actor;
    this.now = now;
    this.at = now.toISOString();
    this.who = actor.email ?? 'system';
    this.plan = planNamed(c.plan);
    this.principal = principalOfActor(actor, c.account);
    this.engineer = mayOnCase(this.principal, 'support', c);
    this.next = { ...c, updatedAt: this.at, revision: c.revision + 1 };
    this.out = { next: this.next, timeline: [], mails: [] };
  }

  /** Set when the command changes nothing (a redelivered mail): nothing is written. */
  nothingToDo = false;

  unchanged(): void {
    this.nothingToDo = true;
  }

  mail(m: Omit<MailIntent, 'id'>): void {
    this.out.mails.push({ id: '', ...m });
  }

  timeline(entry: Omit<TimelineEntry, 'at' | 'actor'>): void {
    this.out.timeline.push({ at: this.at, actor: this.who, ...entry });
  }

  note(text: string, visibility: 'public' | 'internal', kind: TimelineEntry['kind'] = 'note'): void {
    this.timeline({ kind, visibility, text });
  }

  moveTo(status: Status, subStatus: string): void {
    const { next, at } = this;
    const wasWaiting = WAITING.includes(next.status);
    const waiting = WAITING.includes(status);
    next.status = status;
    next.subStatus = subStatus;
    this.timeline({ kind: 'status', visibility: 'public', status, subStatus });
    // Waiting on the customer pauses restoration and resolution (a plan setting).
    if (this.plan.pauseWhileWaitingOnCustomer && waiting && !wasWaiting)
      next.pauses = [...(next.pauses ?? []), { from: at, to: null }];
    if (wasWaiting && !waiting)
      next.pauses = (next.pauses ?? []).map((p) => (p.to === null ? { ...p, to: at } : p));
    if (!waiting) next.followUp = null;
  }

  waitOnCustomer(action: FollowUpAction): void {
    this.next.followUp = { since: this.at, remindersSent: 0, action };
  }

  /**
   * A public act of support: the first one after completion is the response, or after submission
   * on plans whose response counts from it (cloud, SPEC §4).
   */
  supportActed(): void {
    this.next.lastSupportUpdateAt = this.at;
    const counts = this.next.completedAt || this.plan.responseFrom === 'submission';
    if (counts && !this.next.respondedAt) this.next.respondedAt = this.at;
  }

  close(subStatus: string, comment: string): void {
    this.moveTo('Closed', subStatus);
    this.next.closedAt = this.at;
    this.next.closure = { by: this.who, comment };
    if (RESOLVING_CLOSURES.includes(subStatus) && !this.next.resolvedAt) this.next.resolvedAt = this.at;
    this.mail({
      kind: subStatus === 'No Response' ? 'closed-no-response' : 'closed',
      to: this.c.contact,
      note: comment,
    });
  }

  requireEngineer(): void {
    if (!mayOnCase(this.principal, 'support', this.c))
      throw forbidden(`only a support engineer may ${this.kind}`);
  }

  requireCustomer(): void {
    if (!mayOnCase(this.principal, 'customer', this.c))
      throw forbidden(`only a designated contact of the account may ${this.kind}`);
  }

  requireStatus(...allowed: Status[]): void {
    if (!allowed.includes(this.c.status))
      throw conflict(`cannot ${this.kind} a case in status ${this.c.status}/${this.c.subStatus}`);
  }

  requireNote(text: string | undefined, field = 'note'): void {
    if (!text?.trim()) throw invalid(field, 'must not be empty');
  }
}

/** The rule of one command kind: changes `change.next` and its effects, or throws a refusal. */
export type Rule<K extends CommandKind> = (change: Change, command: Extract<Command, { kind: K }>) => void;

/** The rules of a family of commands, one per kind. */
export type Rules<K extends CommandKind> = { [P in K]: Rule<P> };
