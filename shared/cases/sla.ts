import { planNamed } from '../catalogue/index.ts';
import { addBusinessDays, businessTimeBetween } from '../sla/business-time.ts';
import type { Span } from '../sla/calendar.ts';
import { calendarOf } from '../sla/calendars.ts';
import { instantMs } from '../sla/instants.ts';
import {
  type Outcome,
  outcomeOf,
  parseSpan,
  TARGET_KINDS,
  type Target,
  type TargetKind,
  targetsFor,
} from '../sla/targets.ts';
import type { CaseRecord } from './model.ts';

/** The case's waiting-on-customer intervals as spans; a pause still running ends at `now`. */
export function pauseSpans(c: CaseRecord, now: Date): Span[] {
  return (c.pauses ?? []).map((p) => ({
    from: instantMs(p.from),
    to: p.to ? instantMs(p.to) : now.getTime(),
  }));
}

export const isPaused = (c: CaseRecord) => (c.pauses ?? []).some((p) => p.to === null);

/** When support did what each target measures. */
export function actedAt(c: CaseRecord, kind: TargetKind): Date | null {
  const at =
    kind === 'response'
      ? c.respondedAt
      : kind === 'restoration'
        ? c.restoredAt
        : kind === 'resolution'
          ? c.resolvedAt
          : c.rcaDeliveredAt;
  return at ? new Date(instantMs(at)) : null;
}

/** An optional stored instant in epoch ms (each read once: the clocks run on every view). */
const msOf = (at: string | null | undefined) => (at ? instantMs(at) : Number.NEGATIVE_INFINITY);

/**
 * Where each target counts from (SPEC §4): the complete time; response on cloud plans from the
 * submission; the RCA from when all information is in; after a raise of severity, from the raise;
 * after a grace period, from its grant.
 */
export function targetStarts(c: CaseRecord): Record<TargetKind, Date | null> {
  const plan = planNamed(c.plan);
  const complete = instantMs(c.completedAt as string);
  const base: Record<TargetKind, number> = {
    response: plan.responseFrom === 'submission' ? instantMs(c.createdAt) : complete,
    restoration: complete,
    resolution: complete,
    rootCause: msOf(c.informationCompleteAt),
  };
  const floor = Math.max(msOf(c.coveredFrom), msOf(c.raisedAt));
  const out = {} as Record<TargetKind, Date | null>;
  for (const kind of TARGET_KINDS) {
    const from = base[kind];
    out[kind] = from === Number.NEGATIVE_INFINITY ? null : new Date(Math.max(from, floor));
  }
  return out;
}

/** The instant the clocks are read at: a closed case's clocks stopped at its closure (SPEC §4). */
export const clockInstant = (c: CaseRecord, now: Date) =>
  c.status === 'Closed' && c.closedAt && instantMs(c.closedAt) < now.getTime()
    ? new Date(instantMs(c.closedAt))
    : now;

/** Whether the resolution target is waived: an on-premise issue needing a defect correction (SPEC §4). */
const resolutionWaived = (c: CaseRecord) => !!c.defectCorrection && !planNamed(c.plan).cloud;

/**
 * The case's targets with their due instants (and how each was reached, with `explain`), or null
 * before the case is complete or without a contract (SPEC §2, §3).
 */
export function caseTargets(c: CaseRecord, now: Date, explain = false): Record<TargetKind, Target> | null {
  if (!c.completedAt || c.withoutContract) return null;
  const targets = targetsFor({
    plan: c.plan,
    severity: c.severity,
    calendar: calendarOf(c.centre),
    completedAt: new Date(instantMs(c.completedAt)),
    startedAt: targetStarts(c),
    pauses: pauseSpans(c, clockInstant(c, now)),
    stopped: (c.closedPeriods ?? []).map((p) => ({ from: instantMs(p.from), to: instantMs(p.to) })),
    explain,
  });
  if (resolutionWaived(c)) {
    const { pausable } = targets.resolution;
    targets.resolution = { kind: 'resolution', target: null, due: null, pausable };
  }
  return targets;
}

export interface TargetStatus {
  target: string | null;
  due: Date | null;
  pausable: boolean;
  paused: boolean;
  outcome: Outcome;
  /** Time left to the due instant while pending: open time for BH/BD targets, elapsed time otherwise. */
  remainingMs: number | null;
}

/**
 * The case's SLA clocks as of `now` (SPEC §4): due instants from where each target counts,
 * extended by the pauses for restoration and resolution and by closed time for all; an outcome
 * once recorded stays as recorded. A closed case's clocks stopped at its closure: a target still
 * pending then is not applicable, never breached later.
 */
export function slaStatus(c: CaseRecord, now: Date): Record<TargetKind, TargetStatus> | null {
  const targets = caseTargets(c, now);
  if (!targets) return null;
  const calendar = calendarOf(c.centre);
  const asOf = clockInstant(c, now);
  const closed = c.status === 'Closed';
  const paused = isPaused(c) && planNamed(c.plan).pauseWhileWaitingOnCustomer;
  const out = {} as Record<TargetKind, TargetStatus>;
  for (const kind of TARGET_KINDS) {
    const t = targets[kind];
    const recorded = kind === 'resolution' && resolutionWaived(c) ? undefined : c.slaOutcomes?.[kind];
    let outcome = recorded ?? outcomeOf(t, actedAt(c, kind), asOf);
    if (closed && outcome.state === 'pending') outcome = { state: 'n/a' };
    const due = t.due;
    const business = t.target !== null && parseSpan(t.target).unit.startsWith('B');
    out[kind] = {
      target: t.target,
      due,
      pausable: t.pausable,
      paused: t.pausable && paused && !recorded && !!due,
      outcome,
      remainingMs:
        outcome.state === 'pending' && due
          ? business
            ? businessTimeBetween(calendar, now.getTime(), due.getTime())
            : due.getTime() - now.getTime()
          : null,
    };
  }
  return out;
}

/**
 * Whether a target's breach is recorded on the case: the fact the `breached` list filter keys on.
 * Every change records the outcomes decided by then, and the workflow wakes at each due instant to
 * record a breach, so this follows `slaStatus` but for the moments between a due instant and that write.
 */
export const breachRecorded = (c: CaseRecord) =>
  TARGET_KINDS.some(
    (kind) => c.slaOutcomes?.[kind]?.state === 'breached' && !(kind === 'resolution' && resolutionWaived(c)),
  );

/** The next instant at which a target would be breached, if nothing happens before. */
export function nextTargetDeadline(c: CaseRecord, now: Date, status = slaStatus(c, now)): Date | null {
  if (!status || c.status === 'Closed') return null;
  const dues = Object.values(status)
    .filter((s) => s.outcome.state === 'pending' && !s.paused && s.due)
    .map((s) => (s.due as Date).getTime());
  return dues.length ? new Date(Math.min(...dues)) : null;
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
  const obligation = (from: string, days: number, done: string | null | undefined): Obligation => {
    const due = addBusinessDays(calendar, new Date(from), days).due.toISOString();
    const at = done ?? null;
    const late = at ? at > due : clockInstant(c, now).toISOString() > due;
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
  const targets = caseTargets(c, now, true);
  const status = slaStatus(c, now);
  if (!targets || !status) return null;
  const starts = targetStarts(c);
  return Object.fromEntries(
    TARGET_KINDS.map((kind) => [
      kind,
      {
        ...status[kind],
        countsFrom: targets[kind].target ? (starts[kind]?.toISOString() ?? null) : null,
        explanation: targets[kind].explanation ?? null,
      },
    ]),
  );
}
