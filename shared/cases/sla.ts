import { planNamed } from '../catalogue/index.ts';
import type { Span } from '../sla/calendar.ts';
import { calendarOf } from '../sla/calendars.ts';
import { type Outcome, outcomeOf, TARGET_KINDS, type TargetKind, targetsFor } from '../sla/targets.ts';
import type { CaseRecord } from './model.ts';

/** The case's waiting-on-customer intervals as spans; a pause still running ends at `now`. */
export function pauseSpans(c: CaseRecord, now: Date): Span[] {
  return (c.pauses ?? []).map((p) => ({
    from: Date.parse(p.from),
    to: p.to ? Date.parse(p.to) : now.getTime(),
  }));
}

export const isPaused = (c: CaseRecord) => (c.pauses ?? []).some((p) => p.to === null);

/** When support did what each target measures. */
export function actedAt(c: CaseRecord, kind: TargetKind): Date | null {
  const at = kind === 'response' ? c.respondedAt : kind === 'restoration' ? c.restoredAt : c.resolvedAt;
  return at ? new Date(at) : null;
}

export interface TargetStatus {
  target: string | null;
  due: string | null;
  pausable: boolean;
  paused: boolean;
  outcome: Outcome;
}

/**
 * The case's SLA clocks as of `now` (SPEC §4): due instants from the complete time, extended by
 * the pauses for restoration and resolution; an outcome once recorded stays as recorded.
 */
export function slaStatus(c: CaseRecord, now: Date): Record<TargetKind, TargetStatus> | null {
  if (!c.completedAt) return null;
  const targets = targetsFor({
    plan: c.plan,
    severity: c.severity,
    calendar: calendarOf(c.centre),
    completedAt: new Date(c.completedAt),
    pauses: pauseSpans(c, now),
  });
  const paused = isPaused(c) && planNamed(c.plan).pauseWhileWaitingOnCustomer;
  const out = {} as Record<TargetKind, TargetStatus>;
  for (const kind of TARGET_KINDS) {
    const t = targets[kind];
    const recorded = c.slaOutcomes?.[kind];
    out[kind] = {
      target: t.target,
      due: t.due,
      pausable: t.pausable,
      paused: t.pausable && paused && !recorded && !!t.due,
      outcome: recorded ?? outcomeOf(t, actedAt(c, kind), now),
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
    .map((s) => Date.parse(s.due as string));
  return dues.length ? new Date(Math.min(...dues)) : null;
}
