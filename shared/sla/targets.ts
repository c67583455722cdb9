import { planNamed, type SeverityName } from '../catalogue/index.ts';
import { addBusinessDays, addBusinessTime, addElapsed, type Explanation } from './business-time.ts';
import { type Calendar, compile, type Span } from './calendar.ts';

/** pureconnect's targets are root-cause-analysis targets (SPEC §4). */
export const TARGET_KINDS = ['response', 'restoration', 'resolution', 'rootCause'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface ParsedSpan {
  amount: number;
  unit: 'min' | 'h' | 'BH' | 'BD';
}

export function parseSpan(span: string): ParsedSpan {
  const match = /^(\d+(?:\.\d+)?)(min|h|BH|BD)$/.exec(span);
  if (!match) throw new Error(`not a span: "${span}"`);
  return { amount: Number(match[1]), unit: match[2] as ParsedSpan['unit'] };
}

/** Adds a catalogue span (`60min`, `4h`, `4BH`, `2BD`) to an instant on a calendar, skipping pauses. */
export function addSpan(calendar: Calendar, from: Date, span: string, pauses: Span[] = []) {
  const { amount, unit } = parseSpan(span);
  switch (unit) {
    case 'min':
      return addElapsed(from, amount * 60_000, pauses);
    case 'h':
      return addElapsed(from, amount * 3_600_000, pauses);
    case 'BH':
      return addBusinessTime(calendar, from, amount * 3_600_000, pauses);
    case 'BD': {
      // Paused open time is added back after the business days: the clock stood still that long.
      // The extension itself skips paused time (a pause may run on past the unpaused due instant).
      const plain = addBusinessDays(calendar, from, amount);
      if (pauses.length === 0) return plain;
      const pausedOpen = pausedBusinessTime(calendar, from, plain.due, pauses);
      if (pausedOpen === 0) return plain;
      const extended = addBusinessTime(calendar, plain.due, pausedOpen, pauses);
      return {
        due: extended.due,
        explanation: { ...plain.explanation, paused: extended.explanation.paused },
      };
    }
  }
}

/** Open time of the calendar that lies inside pauses between two instants. */
function pausedBusinessTime(calendar: Calendar, from: Date, to: Date, pauses: Span[]): number {
  let total = 0;
  for (const p of pauses) {
    const a = Math.max(p.from, from.getTime());
    const b = Math.min(p.to, to.getTime());
    if (b <= a) continue;
    total += businessTimeBetween(calendar, new Date(a), new Date(b));
  }
  return total;
}

/** Open time between two instants (used for pauses and for "business time remaining"). */
export function businessTimeBetween(calendar: Calendar, from: Date, to: Date): number {
  const cal = compile(calendar);
  let total = 0;
  const last = cal.nextDate(cal.dateOf(to.getTime()));
  for (let date = cal.nextDate(cal.dateOf(from.getTime()), -1); date <= last; date = cal.nextDate(date)) {
    for (const span of cal.day(date).open) {
      const a = Math.max(span.from, from.getTime());
      const b = Math.min(span.to, to.getTime());
      if (b > a) total += b - a;
    }
  }
  return total;
}

export interface Target {
  kind: TargetKind;
  /** The contractual span, e.g. `4BH`; null when the plan has no such target (n/a). */
  target: string | null;
  due: string | null;
  pausable: boolean;
  explanation?: Explanation;
}

export interface TargetInput {
  plan: string;
  severity: SeverityName;
  calendar: Calendar;
  /** When the case became complete: the SLA clock starts here (SPEC §2). */
  completedAt: Date;
  /** Where a target counts from another instant; null: its clock has not started (no due yet). */
  startedAt?: Partial<Record<TargetKind, Date | null>>;
  /** Intervals waiting on the customer; they extend restoration and resolution, never response. */
  pauses?: Span[];
  /** Intervals in which every clock stood still (the case was Closed before a reopening). */
  stopped?: Span[];
}

/** The due instants of a case's targets (SPEC §4). */
export function targetsFor(input: TargetInput): Record<TargetKind, Target> {
  const plan = planNamed(input.plan);
  const row = plan.targets[input.severity];
  const out = {} as Record<TargetKind, Target>;
  for (const kind of TARGET_KINDS) {
    const span = row?.[kind] ?? null;
    const pausable = kind !== 'response' && plan.pauseWhileWaitingOnCustomer;
    const from = input.startedAt?.[kind] === undefined ? input.completedAt : input.startedAt[kind];
    if (!span || !from) {
      out[kind] = { kind, target: span, due: null, pausable };
      continue;
    }
    const stopped = input.stopped ?? [];
    const pauses = pausable ? [...(input.pauses ?? []), ...stopped] : stopped;
    const result = addSpan(input.calendar, from, span, pauses);
    out[kind] = {
      kind,
      target: span,
      due: result.due.toISOString(),
      pausable,
      explanation: result.explanation,
    };
  }
  return out;
}

export type Outcome = { state: 'met' | 'breached'; at: string } | { state: 'pending' } | { state: 'n/a' };

/**
 * Met when support acted at or before the due instant; breached at the due instant once it passes
 * without the act.
 */
export function outcomeOf(target: Target, actedAt: Date | null, now: Date): Outcome {
  if (!target.target) return { state: 'n/a' };
  // A target whose clock has not started yet (pureconnect RCA before all information is in).
  if (!target.due) return { state: 'pending' };
  const due = new Date(target.due);
  if (actedAt && actedAt <= due) return { state: 'met', at: actedAt.toISOString() };
  if (actedAt || now > due) return { state: 'breached', at: target.due };
  return { state: 'pending' };
}
