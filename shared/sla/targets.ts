import { type Plan, planNamed, type SeverityName } from '../catalogue/index.ts';
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
import { type Calendar, NO_SPANS, type Span } from './calendar.ts';
import { isoOf, storedInstantMs } from './instants.ts';

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
export function spanDue(calendar: Calendar, from: number, span: string, pauses: Span[] = NO_SPANS): number {
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
      const pausedOpen = pausedBusinessTime(calendar, from, plain, pauses, businessTimeBetween);
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
      const pausedOpen = pausedBusinessTime(
        calendar,
        from.getTime(),
        plain.due.getTime(),
        pauses,
        stepBusinessTimeBetween,
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
  calendar: Calendar,
  from: number,
  to: number,
  pauses: Span[],
  openTime: (calendar: Calendar, from: number, to: number) => number,
): number {
  let total = 0;
  for (const p of normalisePauses(pauses)) {
    const a = Math.max(p.from, from);
    const b = Math.min(p.to, to);
    if (b > a) total += openTime(calendar, a, b);
  }
  return total;
}

/** `spanDue` with the explanation at hand, worked out when read; the tests hold both equal. */
export function addSpan(calendar: Calendar, from: Date, span: string, pauses: Span[] = NO_SPANS): Result {
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

/** Whether waiting on the customer stops a target's clock: never the response's (SPEC §4). */
export const isPausable = (plan: Plan, kind: TargetKind) =>
  kind !== 'response' && plan.pauseWhileWaitingOnCustomer;

/** The intervals a target's clock skips: the pauses if it is pausable, and closed time always. */
export function skippedSpans(pausable: boolean, pauses: Span[], stopped: Span[]): Span[] {
  const waits = pausable ? pauses : NO_SPANS;
  if (stopped.length === 0) return waits;
  return waits.length === 0 ? stopped : [...waits, ...stopped];
}

/** The due instants of a case's targets (SPEC §4). */
export function targetsFor(input: TargetInput): Record<TargetKind, Target> {
  const plan = planNamed(input.plan);
  const row = plan.targets[input.severity];
  const started = input.startedAt;
  // A target counts from completion unless told otherwise (null: its clock has not started).
  const from = (start: Date | null | undefined) => (start === undefined ? input.completedAt : start);
  return {
    response: targetOf(input, plan, 'response', row?.response ?? null, from(started?.response)),
    restoration: targetOf(input, plan, 'restoration', row?.restoration ?? null, from(started?.restoration)),
    resolution: targetOf(input, plan, 'resolution', row?.resolution ?? null, from(started?.resolution)),
    rootCause: targetOf(input, plan, 'rootCause', row?.rootCause ?? null, from(started?.rootCause)),
  };
}

function targetOf(
  input: TargetInput,
  plan: Plan,
  kind: TargetKind,
  span: string | null,
  start: Date | null,
): Target {
  const pausable = isPausable(plan, kind);
  if (!span || !start) return { kind, target: span, due: null, pausable };
  const skipped = skippedSpans(pausable, input.pauses ?? NO_SPANS, input.stopped ?? NO_SPANS);
  if (input.explain) {
    const { due, explanation } = explainSpan(input.calendar, start, span, skipped);
    return { kind, target: span, due, pausable, explanation };
  }
  return {
    kind,
    target: span,
    due: new Date(spanDue(input.calendar, start.getTime(), span, skipped)),
    pausable,
  };
}

export type Outcome = { state: 'met' | 'breached'; at: string } | { state: 'pending' } | { state: 'n/a' };

export const NOT_APPLICABLE: Outcome = Object.freeze({ state: 'n/a' });
export const PENDING: Outcome = Object.freeze({ state: 'pending' });

/**
 * Met when support acted at or before the due instant; breached at the due instant once it passes
 * without the act. In epoch ms (`due` null: the target's clock has not started, e.g. pureconnect's
 * RCA before all information is in), with the act as stored: a met outcome shows its text as is.
 */
export function outcomeAt(
  target: string | null,
  due: number | null,
  actedAt: string | null,
  now: number,
): Outcome {
  if (!target) return NOT_APPLICABLE;
  if (due === null) return PENDING;
  if (actedAt !== null) {
    const stored = storedInstantMs(actedAt);
    const asStored = !Number.isNaN(stored);
    const acted = asStored ? stored : Date.parse(actedAt);
    if (acted <= due) return { state: 'met', at: asStored ? actedAt : isoOf(acted) };
    return { state: 'breached', at: isoOf(due) };
  }
  return now > due ? { state: 'breached', at: isoOf(due) } : PENDING;
}

/** `outcomeAt` of a target as `targetsFor` gives it. */
export const outcomeOf = (target: Target, actedAt: Date | null, now: Date): Outcome =>
  outcomeAt(target.target, target.due?.getTime() ?? null, actedAt?.toISOString() ?? null, now.getTime());
