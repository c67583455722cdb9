import { type Plan, planNamed } from '../catalogue/index.ts';
import { businessTimeBetween, dueAfterBusinessDays } from '../sla/business-time.ts';
import { type Calendar, NO_SPANS, type Span } from '../sla/calendar.ts';
import { calendarOf } from '../sla/calendars.ts';
import { instantMs, isoOf } from '../sla/instants.ts';
import {
  isPausable,
  NOT_APPLICABLE,
  type Outcome,
  outcomeAt,
  parseSpan,
  skippedSpans,
  spanDue,
  TARGET_KINDS,
  type Target,
  type TargetKind,
  targetsFor,
} from '../sla/targets.ts';
import type { CaseRecord } from './model.ts';

/** The case's waiting-on-customer intervals as spans; a pause still running ends at `asOf`. */
function pauseSpans(c: CaseRecord, asOf: number): Span[] {
  const pauses = c.pauses;
  if (!pauses?.length) return NO_SPANS;
  return pauses.map((p) => ({ from: instantMs(p.from), to: p.to ? instantMs(p.to) : asOf }));
}

/** The intervals the case was Closed before a reopening: every clock stood still. */
function stoppedSpans(c: CaseRecord): Span[] {
  const periods = c.closedPeriods;
  if (!periods?.length) return NO_SPANS;
  return periods.map((p) => ({ from: instantMs(p.from), to: instantMs(p.to) }));
}

/** Whether the case is waiting on the customer now (a pause still running). */
function isPaused(c: CaseRecord): boolean {
  for (const p of c.pauses ?? []) if (p.to === null) return true;
  return false;
}

/** An optional stored instant in epoch ms (each read once: the clocks run on every view). */
const msOf = (at: string | null | undefined) => (at ? instantMs(at) : Number.NEGATIVE_INFINITY);

/**
 * Where each target counts from, in epoch ms (null: its clock has not started) (SPEC §4): the
 * complete time; response on cloud plans from the submission; the RCA from when all information
 * is in; after a raise of severity, from the raise; after a grace period, from its grant.
 */
class TargetStarts {
  readonly response: number;
  readonly restoration: number;
  readonly resolution: number;
  readonly rootCause: number | null;

  constructor(c: CaseRecord, plan: Plan) {
    const complete = instantMs(c.completedAt as string);
    const floor = Math.max(msOf(c.coveredFrom), msOf(c.raisedAt));
    const submitted = plan.responseFrom === 'submission' ? instantMs(c.createdAt) : complete;
    const informed = msOf(c.informationCompleteAt);
    this.response = Math.max(submitted, floor);
    this.restoration = Math.max(complete, floor);
    this.resolution = this.restoration;
    this.rootCause = informed === Number.NEGATIVE_INFINITY ? null : Math.max(informed, floor);
  }
}

/** Where each target counts from (see `TargetStarts`), as instants. */
export function targetStarts(c: CaseRecord): Record<TargetKind, Date | null> {
  const starts = new TargetStarts(c, planNamed(c.plan));
  const out = {} as Record<TargetKind, Date | null>;
  for (const kind of TARGET_KINDS) {
    const from = starts[kind];
    out[kind] = from === null ? null : new Date(from);
  }
  return out;
}

/** The instant the clocks are read at: a closed case's clocks stopped at its closure (SPEC §4). */
function clockInstant(c: CaseRecord, now: number): number {
  return c.status === 'Closed' && c.closedAt ? Math.min(instantMs(c.closedAt), now) : now;
}

/** Whether the resolution target is waived: an on-premise issue needing a defect correction (SPEC §4). */
const resolutionWaived = (c: CaseRecord, plan: Plan) => !!c.defectCorrection && !plan.cloud;

/**
 * The case's targets with their due instants and how each was reached (the explaining path, for
 * `slaExplanation` and the tests), or null before the case is complete or without a contract.
 */
export function explainedTargets(c: CaseRecord, now: Date): Record<TargetKind, Target> | null {
  if (!c.completedAt || c.withoutContract) return null;
  const plan = planNamed(c.plan);
  const targets = targetsFor({
    plan: c.plan,
    severity: c.severity,
    calendar: calendarOf(c.centre),
    completedAt: new Date(instantMs(c.completedAt)),
    startedAt: targetStarts(c),
    pauses: pauseSpans(c, clockInstant(c, now.getTime())),
    stopped: stoppedSpans(c),
    explain: true,
  });
  if (resolutionWaived(c, plan)) {
    const { pausable } = targets.resolution;
    targets.resolution = { kind: 'resolution', target: null, due: null, pausable };
  }
  return targets;
}

/**
 * One target's clock as of an instant. The due instant is kept in epoch ms, made a `Date` when
 * read and written out when the status is (JSON): the workflow and the queues read millions, a
 * response shows a few.
 */
export class TargetStatus {
  readonly target: string | null;
  readonly dueMs: number | null;
  readonly pausable: boolean;
  readonly paused: boolean;
  readonly outcome: Outcome;
  /** Time left to the due instant while pending: open time for BH/BD targets, elapsed time otherwise. */
  readonly remainingMs: number | null;

  constructor(
    target: string | null,
    dueMs: number | null,
    pausable: boolean,
    paused: boolean,
    outcome: Outcome,
    remainingMs: number | null,
  ) {
    this.target = target;
    this.dueMs = dueMs;
    this.pausable = pausable;
    this.paused = paused;
    this.outcome = outcome;
    this.remainingMs = remainingMs;
  }

  get due(): Date | null {
    return this.dueMs === null ? null : new Date(this.dueMs);
  }

  toJSON() {
    const { target, dueMs, pausable, paused, outcome, remainingMs } = this;
    return { target, due: dueMs === null ? null : isoOf(dueMs), pausable, paused, outcome, remainingMs };
  }
}

/** A case's clocks read at one instant: what its targets share, worked out once. */
class CaseClocks {
  readonly plan: Plan;
  readonly calendar: Calendar;
  readonly starts: TargetStarts;
  readonly pauses: Span[];
  readonly stopped: Span[];
  readonly now: number;
  readonly asOf: number;
  readonly closed: boolean;
  readonly paused: boolean;

  constructor(c: CaseRecord, now: number) {
    this.plan = planNamed(c.plan);
    this.calendar = calendarOf(c.centre);
    this.starts = new TargetStarts(c, this.plan);
    this.now = now;
    this.asOf = clockInstant(c, now);
    this.pauses = pauseSpans(c, this.asOf);
    this.stopped = stoppedSpans(c);
    this.closed = c.status === 'Closed';
    this.paused = this.plan.pauseWhileWaitingOnCustomer && isPaused(c);
  }

  /** One target's clock: its span (null: none), where it counts from, support's act, a recorded outcome. */
  status(
    kind: TargetKind,
    target: string | null,
    from: number | null,
    actedAt: string | null | undefined,
    recorded: Outcome | undefined,
  ): TargetStatus {
    const pausable = isPausable(this.plan, kind);
    const due =
      target !== null && from !== null
        ? spanDue(this.calendar, from, target, skippedSpans(pausable, this.pauses, this.stopped))
        : null;
    let outcome = recorded ?? outcomeAt(target, due, actedAt || null, this.asOf);
    if (this.closed && outcome.state === 'pending') outcome = NOT_APPLICABLE;
    let remainingMs: number | null = null;
    if (outcome.state === 'pending' && due !== null) {
      const { unit } = parseSpan(target as string);
      remainingMs =
        unit === 'BH' || unit === 'BD' ? businessTimeBetween(this.calendar, this.now, due) : due - this.now;
    }
    const paused = pausable && this.paused && !recorded && due !== null;
    return new TargetStatus(target, due, pausable, paused, outcome, remainingMs);
  }
}

/**
 * The case's SLA clocks as of `now` (SPEC §2, §3, §4), or null before the case is complete or
 * without a contract: due instants from where each target counts, extended by the pauses for
 * restoration and resolution and by closed time for all; an outcome once recorded stays as
 * recorded. A closed case's clocks stopped at its closure: a target still pending then is not
 * applicable, never breached later. The product's path, run for every case shown or routed: epoch
 * ms over the calendar's index, no explanation.
 */
export function slaStatus(c: CaseRecord, now: Date): Record<TargetKind, TargetStatus> | null {
  if (!c.completedAt || c.withoutContract) return null;
  const clocks = new CaseClocks(c, now.getTime());
  const row = clocks.plan.targets[c.severity];
  const { starts } = clocks;
  const recorded = c.slaOutcomes;
  const waived = resolutionWaived(c, clocks.plan);
  return {
    response: clocks.status(
      'response',
      row?.response ?? null,
      starts.response,
      c.respondedAt,
      recorded?.response,
    ),
    restoration: clocks.status(
      'restoration',
      row?.restoration ?? null,
      starts.restoration,
      c.restoredAt,
      recorded?.restoration,
    ),
    resolution: waived
      ? clocks.status('resolution', null, null, null, undefined)
      : clocks.status(
          'resolution',
          row?.resolution ?? null,
          starts.resolution,
          c.resolvedAt,
          recorded?.resolution,
        ),
    rootCause: clocks.status(
      'rootCause',
      row?.rootCause ?? null,
      starts.rootCause,
      c.rcaDeliveredAt,
      recorded?.rootCause,
    ),
  };
}

/**
 * Whether a target's breach is recorded on the case: the fact the `breached` list filter keys on.
 * Every change records the outcomes decided by then, and the workflow wakes at each due instant to
 * record a breach, so this follows `slaStatus` but for the moments between a due instant and that write.
 */
export const breachRecorded = (c: CaseRecord) =>
  TARGET_KINDS.some(
    (kind) =>
      c.slaOutcomes?.[kind]?.state === 'breached' &&
      !(kind === 'resolution' && resolutionWaived(c, planNamed(c.plan))),
  );

/** The next instant at which a target would be breached, if nothing happens before. */
export function nextTargetDeadline(c: CaseRecord, now: Date, status = slaStatus(c, now)): Date | null {
  if (!status || c.status === 'Closed') return null;
  let next = Number.POSITIVE_INFINITY;
  for (const kind of TARGET_KINDS) {
    const s = status[kind];
    if (s.outcome.state === 'pending' && !s.paused && s.dueMs !== null && s.dueMs < next) next = s.dueMs;
  }
  return next === Number.POSITIVE_INFINITY ? null : new Date(next);
}

export interface Obligation {
  due: string;
  done: string | null;
  /** Met when done by the due instant; breached when done later or not done by it. */
  state: 'pending' | 'met' | 'breached';
}

/**
 * Other dated obligations of support on a case: a cloud change request's acknowledgement (1 BD)
 * and decision (2 BD) from completion (SPEC §10); a cloud incident's post-mortem (2 BD after
 * restoration) and report (3 BD after the post-mortem) (SPEC §11).
 */
export function obligationsOf(c: CaseRecord, now: Date): Record<string, Obligation> {
  const out: Record<string, Obligation> = {};
  const plan = planNamed(c.plan);
  if (!plan.cloud || c.withoutContract) return out;
  const calendar = calendarOf(c.centre);
  const asOf = clockInstant(c, now.getTime());
  const obligation = (from: string, days: number, done: string | null | undefined): Obligation => {
    const dueMs = dueAfterBusinessDays(calendar, instantMs(from), days);
    const due = isoOf(dueMs);
    const at = done ?? null;
    const late = at ? at > due : asOf > dueMs;
    return { due, done: at, state: late ? 'breached' : at ? 'met' : 'pending' };
  };
  if (c.type === 'change-request' && c.completedAt) {
    const submitted = c.changeRequest?.resubmittedAt ?? c.completedAt;
    out.acknowledgeChange = obligation(submitted, 1, c.changeRequest?.acknowledgedAt);
    out.decideChange = obligation(submitted, 2, c.changeRequest?.decidedAt);
  }
  // Only for service interruptions; the written report only when the customer asked for it (SPEC §11).
  if (c.restoredAt && c.serviceInterruption) {
    const postMortem = c.incidentReports?.find((r) => r.stage === 'post-mortem');
    out.postMortem = obligation(c.restoredAt, 2, postMortem?.filedAt);
    if (postMortem && c.incidentReportRequestedAt) {
      const report = c.incidentReports?.find((r) => r.stage === 'incident-report');
      out.incidentReport = obligation(postMortem.filedAt, 3, report?.filedAt);
    }
  }
  return out;
}

/** The next instant at which a pending obligation would be breached. */
export function nextObligationDeadline(c: CaseRecord, now: Date): Date | null {
  if (c.status === 'Closed') return null;
  const dues = Object.values(obligationsOf(c, now))
    .filter((o) => o.state === 'pending')
    .map((o) => Date.parse(o.due));
  return dues.length ? new Date(Math.min(...dues)) : null;
}

/** The next instant something is due on an open case (a target or an obligation): queues sort by it. */
export function nextDueAt(c: CaseRecord, now: Date, status = slaStatus(c, now)): Date | null {
  const dues = [nextTargetDeadline(c, now, status), nextObligationDeadline(c, now)].filter((d) => d !== null);
  return dues.length ? new Date(Math.min(...dues.map((d) => d.getTime()))) : null;
}

/**
 * Why each target of the case is due when it is (SPEC §12: "SLA clocks with explanations"): where
 * it counts from, the open intervals counted, the holidays and pauses skipped, and its outcome.
 */
export function slaExplanation(c: CaseRecord, now: Date) {
  const targets = explainedTargets(c, now);
  const status = slaStatus(c, now);
  if (!targets || !status) return null;
  const starts = targetStarts(c);
  return Object.fromEntries(
    TARGET_KINDS.map((kind) => [
      kind,
      {
        ...status[kind].toJSON(),
        countsFrom: targets[kind].target ? (starts[kind]?.toISOString() ?? null) : null,
        explanation: targets[kind].explanation ?? null,
      },
    ]),
  );
}
