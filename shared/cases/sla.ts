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
  const at = kind === 'response' ? c.respondedAt : kind === 'restoration' ? c.restoredAt : c.resolvedAt;
  return at ? new Date(instantMs(at)) : null;
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
 * The case's SLA clocks as of `now` (SPEC §4): due instants from the complete time, extended by
 * the pauses for restoration and resolution; an outcome once recorded stays as recorded.
 */
export function slaStatus(c: CaseRecord, now: Date): Record<TargetKind, TargetStatus> | null {
  // No targets before the case is complete, nor without a contract (SPEC §2, §3).
  if (!c.completedAt || c.withoutContract) return null;
  const calendar = calendarOf(c.centre);
  const targets = targetsFor({
    plan: c.plan,
    severity: c.severity,
    calendar,
    completedAt: new Date(instantMs(c.completedAt)),
    pauses: pauseSpans(c, now),
  });
  const paused = isPaused(c) && planNamed(c.plan).pauseWhileWaitingOnCustomer;
  const out = {} as Record<TargetKind, TargetStatus>;
  for (const kind of TARGET_KINDS) {
    const t = targets[kind];
    const recorded = c.slaOutcomes?.[kind];
    const outcome = recorded ?? outcomeOf(t, actedAt(c, kind), now);
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

/** The next instant at which a target would be breached, if nothing happens before. */
export function nextTargetDeadline(c: CaseRecord, now: Date): Date | null {
  const status = slaStatus(c, now);
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
    const late = at ? at > due : now.toISOString() > due;
    return { due, done: at, state: late ? 'breached' : at ? 'met' : 'pending' };
  };
  if (c.type === 'change-request' && c.completedAt) {
    out.acknowledgeChange = obligation(c.completedAt, 1, c.changeRequest?.acknowledgedAt);
    out.decideChange = obligation(c.completedAt, 2, c.changeRequest?.decidedAt);
  }
  if (c.restoredAt) {
    const postMortem = c.incidentReports?.find((r) => r.stage === 'post-mortem');
    out.postMortem = obligation(c.restoredAt, 2, postMortem?.filedAt);
    if (postMortem) {
      const report = c.incidentReports?.find((r) => r.stage === 'incident-report');
      out.incidentReport = obligation(postMortem.filedAt, 3, report?.filedAt);
    }
  }
  return out;
}

/** The next instant at which a pending obligation would be breached. */
export function nextObligationDeadline(c: CaseRecord, now: Date): Date | null {
  const dues = Object.values(obligationsOf(c, now))
    .filter((o) => o.state === 'pending')
    .map((o) => Date.parse(o.due));
  return dues.length ? new Date(Math.min(...dues)) : null;
}
