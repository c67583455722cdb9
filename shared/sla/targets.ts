import { planNamed, type SeverityName } from '../catalogue/index.ts';
import {
  addElapsed,
  businessTimeBetween,
  dueAfterBusinessDays,
  dueAfterBusinessTime,
  dueAfterElapsed,
  ExplainableResult,
  type Explanation,
  normalisePauses,
  type Result,
  stepBusinessDays,
  stepBusinessTime,
  stepBusinessTimeBetween,
} from './business-time.ts';
import type { Calendar, Span } from './calendar.ts';

/** pureconnect's targets are root-cause-analysis targets (SPEC §4). */
export const TARGET_KINDS = ['response', 'restoration', 'resolution', 'rootCause'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface ParsedSpan {
  amount: number;
  unit: 'min' | 'h' | 'BH' | 'BD';
}

/** The catalogue has a handful of spans: each is parsed once. */
const parsedSpans = new Map<string, ParsedSpan>();

export function parseSpan(span: string): ParsedSpan {
  let parsed = parsedSpans.get(span);
  if (parsed) return parsed;
  const match = /^(\d+(?:\.\d+)?)(min|h|BH|BD)$/.exec(span);
  if (!match) throw new Error(`not a span: "${span}"`);
  parsed = { amount: Number(match[1]), unit: match[2] as ParsedSpan['unit'] };
  parsedSpans.set(span, parsed);
  return parsed;
}

/**
 * The due instant (epoch ms) of a catalogue span (`60min`, `4h`, `4BH`, `2BD`) from `from` on a
 * calendar, skipping pauses: the path the product runs, from the calendar's index.
 */
export function spanDue(calendar: Calendar, from: number, span: string, pauses: Span[] = []): number {
  const { amount, unit } = parseSpan(span);
  switch (unit) {
    case 'min':
      return dueAfterElapsed(from, amount * 60_000, pauses);
    case 'h':
      return dueAfterElapsed(from, amount * 3_600_000, pauses);
    case 'BH':
      return dueAfterBusinessTime(calendar, from, amount * 3_600_000, pauses);
    case 'BD': {
      // Paused open time is added back after the business days: the clock stood still that long.
      // The extension itself skips paused time (a pause may run on past the unpaused due instant).
      const plain = dueAfterBusinessDays(calendar, from, amount);
      if (pauses.length === 0) return plain;
      const pausedOpen = pausedBusinessTime(from, plain, pauses, (a, b) =>
        businessTimeBetween(calendar, a, b),
      );
      return pausedOpen === 0 ? plain : dueAfterBusinessTime(calendar, plain, pausedOpen, pauses);
    }
  }
}

/** The same due instant counted interval by interval, with how it was reached (the explaining path). */
export function explainSpan(calendar: Calendar, from: Date, span: string, pauses: Span[]): Result {
  const { amount, unit } = parseSpan(span);
  switch (unit) {
    case 'min':
      return addElapsed(from, amount * 60_000, pauses);
    case 'h':
      return addElapsed(from, amount * 3_600_000, pauses);
    case 'BH':
      return stepBusinessTime(calendar, from, amount * 3_600_000, pauses);
    case 'BD': {
      const plain = stepBusinessDays(calendar, from, amount);
      if (pauses.length === 0) return plain;
      const pausedOpen = pausedBusinessTime(from.getTime(), plain.due.getTime(), pauses, (a, b) =>
        stepBusinessTimeBetween(calendar, a, b),
      );
      if (pausedOpen === 0) return plain;
      const extended = stepBusinessTime(calendar, plain.due, pausedOpen, pauses);
      return {
        due: extended.due,
        explanation: { ...plain.explanation, paused: extended.explanation.paused },
      };
    }
  }
}

/** Open time inside pauses between two instants. */
function pausedBusinessTime(
  from: number,
  to: number,
  pauses: Span[],
  openTime: (from: number, to: number) => number,
): number {
  let total = 0;
  for (const p of normalisePauses(pauses)) {
    const a = Math.max(p.from, from);
    const b = Math.min(p.to, to);
    if (b > a) total += openTime(a, b);
  }
  return total;
}

/** `spanDue` with the explanation at hand, worked out when read; the tests hold both equal. */
export function addSpan(calendar: Calendar, from: Date, span: string, pauses: Span[] = []): Result {
  const due = spanDue(calendar, from.getTime(), span, pauses);
  return new ExplainableResult(due, explainSpanOnly, calendar, from, span, pauses);
}

const explainSpanOnly = (calendar: Calendar, from: Date, span: string, pauses: Span[]) =>
  explainSpan(calendar, from, span, pauses).explanation;

export interface Target {
  kind: TargetKind;
  /** The contractual span, e.g. `4BH`; null when the plan has no such target (n/a). */
  target: string | null;
  due: Date | null;
  pausable: boolean;
  /** How the due instant was reached: only when asked for (`explain`), as counting it costs. */
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
  explain?: boolean;
}

/** The due instants of a case's targets (SPEC §4). */
export function targetsFor(input: TargetInput): Record<TargetKind, Target> {
  const plan = planNamed(input.plan);
  const row = plan.targets[input.severity];
  const stopped = input.stopped ?? [];
  const out = {} as Record<TargetKind, Target>;
  for (const kind of TARGET_KINDS) {
    const span = row?.[kind] ?? null;
    const pausable = kind !== 'response' && plan.pauseWhileWaitingOnCustomer;
    const start = input.startedAt?.[kind] === undefined ? input.completedAt : input.startedAt[kind];
    if (!span || !start) {
      out[kind] = { kind, target: span, due: null, pausable };
      continue;
    }
    const from = start.getTime();
    const waits = pausable ? (input.pauses ?? []) : [];
    const pauses = stopped.length ? [...waits, ...stopped] : waits;
    if (input.explain) {
      const { due, explanation } = explainSpan(input.calendar, start, span, pauses);
      out[kind] = { kind, target: span, due, pausable, explanation };
    } else {
      out[kind] = {
        kind,
        target: span,
        due: new Date(spanDue(input.calendar, from, span, pauses)),
        pausable,
      };
    }
  }
  return out;
}

export type Outcome = { state: 'met' | 'breached'; at: string } | { state: 'pending' } | { state: 'n/a' };

/**
 * Met when support acted at or before the due instant; breached at the due instant once it passes
 * without the act.
 */
const NOT_APPLICABLE: Outcome = Object.freeze({ state: 'n/a' });
const PENDING: Outcome = Object.freeze({ state: 'pending' });

export function outcomeOf(target: Target, actedAt: Date | null, now: Date): Outcome {
  const due = target.due;
  if (!target.target) return NOT_APPLICABLE;
  // A target whose clock has not started yet (pureconnect RCA before all information is in).
  if (!due) return PENDING;
  if (actedAt && actedAt.getTime() <= due.getTime()) return { state: 'met', at: actedAt.toISOString() };
  if (actedAt || now.getTime() > due.getTime()) return { state: 'breached', at: due.toISOString() };
  return PENDING;
}
