import { DateTime } from 'luxon';
import { type Calendar, type CompiledCalendar, compile, instantOf, NO_SPANS, type Span } from './calendar.ts';

/** How a due instant was reached: the open time counted and the holidays passed over. */
export interface Explanation {
  rolledTo?: string;
  counted: { from: string; to: string }[];
  holidaysSkipped: { date: string; name: string }[];
  paused?: { from: string; to: string }[];
}

export interface Result {
  due: Date;
  explanation: Explanation;
}

/** No calendar is searched further than this for open time: a calendar with none is an error. */
const MAX_DAYS = 3700;

const iso = (ms: number) => new Date(ms).toISOString();

/** Removes paused time from open spans (both sorted, half-open). */
function withoutPauses(open: Span[], pauses: Span[]): Span[] {
  if (pauses.length === 0) return open;
  let spans = open;
  for (const pause of pauses) {
    spans = spans.flatMap((span) => {
      if (pause.to <= span.from || pause.from >= span.to) return [span];
      const parts: Span[] = [];
      if (span.from < pause.from) parts.push({ from: span.from, to: pause.from });
      if (pause.to < span.to) parts.push({ from: pause.to, to: span.to });
      return parts;
    });
  }
  return spans;
}

/** Open spans from `start` onwards, day by day, with the holidays met on the way. */
function* openSpans(
  cal: CompiledCalendar,
  start: number,
  pauses: Span[],
  skipped: Explanation['holidaysSkipped'],
): Generator<Span> {
  // Start a day early: a local date's spans may begin before the UTC date suggests.
  let date = cal.nextDate(cal.dateOf(start), -1);
  for (let i = 0; i < MAX_DAYS; i++, date = cal.nextDate(date)) {
    const day = cal.day(date);
    if (day.holiday && instantOf(date, 1440, cal.zone) > start)
      skipped.push({ date, name: day.holiday.name });
    for (const span of withoutPauses(day.open, pauses)) {
      if (span.to <= start) continue;
      yield { from: Math.max(span.from, start), to: span.to };
    }
  }
  throw new Error(`the calendar has no open time within ${MAX_DAYS} days of ${iso(start)}`);
}

/** Pauses sorted and merged, empty ones dropped; the same array when it already is so. */
export function normalisePauses(pauses: Span[]): Span[] {
  let normal = true;
  for (let i = 0; i < pauses.length && normal; i++) {
    const p = pauses[i] as Span;
    normal = p.to > p.from && (i === 0 || p.from > (pauses[i - 1] as Span).to);
  }
  if (normal) return pauses;
  const sorted = pauses.filter((p) => p.to > p.from).sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const p of sorted) {
    const last = merged.at(-1);
    if (last && p.from <= last.to) last.to = Math.max(last.to, p.to);
    else merged.push({ ...p });
  }
  return merged;
}

/**
 * The earliest instant (epoch ms) at which `amountMs` of open time has elapsed from `from` (SPEC
 * §4): an instant outside open time first rolls to the next opening; a target running out exactly
 * at a closing is due at that closing. Paused time is not counted. The fast path: running totals
 * of open time over the calendar's index, a few binary searches whatever the amount.
 */
export function dueAfterBusinessTime(
  calendar: Calendar,
  from: number,
  amountMs: number,
  pauses: Span[] = NO_SPANS,
): number {
  if (!(amountMs >= 0)) throw new RangeError('amount must be a non-negative number');
  const cal = compile(calendar);
  if (pauses.length === 0) return cal.dueAfterOpenTime(from, amountMs);
  let cursor = from;
  let remaining = amountMs;
  for (const pause of normalisePauses(pauses)) {
    if (pause.to <= cursor) continue;
    if (pause.from > cursor) {
      if (remaining === 0) {
        const opening = cal.dueAfterOpenTime(cursor, 0);
        if (opening < pause.from) return opening;
      } else {
        const open = cal.openTimeBetween(cursor, pause.from);
        if (remaining <= open) return cal.dueAfterOpenTime(cursor, remaining);
        remaining -= open;
      }
    }
    cursor = pause.to;
  }
  return cal.dueAfterOpenTime(cursor, remaining);
}

/** `N BD` as an epoch-ms instant (see `addBusinessDays`), from the calendar's index. */
export function dueAfterBusinessDays(calendar: Calendar, from: number, days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a non-negative integer');
  const cal = compile(calendar);
  if (days === 0) return cal.dueAfterOpenTime(from, 0);
  return cal.dueAfterBusinessDays(cal.businessDayOpening(from), days);
}

/**
 * Whole business days from `from` to `to` (epoch ms): the most N, up to `atMost`, for which N BD
 * from `from` are due by `to`. A binary search over N: due instants never decrease as N grows.
 */
export function businessDaysBetween(calendar: Calendar, from: number, to: number, atMost: number): number {
  let lo = 0;
  let hi = atMost;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (dueAfterBusinessDays(calendar, from, mid) <= to) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Where N BD count from, day by day (the explaining path; `businessDayOpening` reads it from the
 * index): the first open instant at or after `from` that falls on a business day
 * (on a centre open around the clock, a weekend start counts from Monday 00:00, so a later start
 * is never due earlier).
 */
function businessDayStart(cal: CompiledCalendar, from: number): number {
  let start = cal.dueAfterOpenTime(from, 0);
  for (let i = 0; i < MAX_DAYS && !cal.isBusinessDay(cal.dateOf(start)); i++)
    start = cal.dueAfterOpenTime(instantOf(cal.nextDate(cal.dateOf(start)), 0, cal.zone), 0);
  return start;
}

/** Elapsed 24x7 time (`min`, `h`) as an epoch-ms instant, not counting paused time. */
export function dueAfterElapsed(from: number, amountMs: number, pauses: Span[] = NO_SPANS): number {
  if (!(amountMs >= 0)) throw new RangeError('amount must be a non-negative number');
  let due = from + amountMs;
  for (const p of pauses.length ? normalisePauses(pauses) : pauses) {
    if (p.to <= from) continue;
    if (p.from >= due) break;
    due += p.to - Math.max(p.from, from);
  }
  return due;
}

/** Open time of the calendar between two instants (epoch ms), not counting paused time. */
export function businessTimeBetween(
  calendar: Calendar,
  from: number,
  to: number,
  pauses: Span[] = NO_SPANS,
): number {
  const cal = compile(calendar);
  let total = cal.openTimeBetween(from, to);
  for (const p of pauses.length ? normalisePauses(pauses) : pauses)
    total -= cal.openTimeBetween(Math.max(p.from, from), Math.min(p.to, to));
  return total;
}

/** The same open time, interval by interval (the tests hold the index to it). */
export function stepBusinessTimeBetween(calendar: Calendar, from: number, to: number): number {
  const cal = compile(calendar);
  let total = 0;
  const last = cal.nextDate(cal.dateOf(to));
  for (let date = cal.nextDate(cal.dateOf(from), -1); date <= last; date = cal.nextDate(date)) {
    for (const span of cal.day(date).open) {
      const a = Math.max(span.from, from);
      const b = Math.min(span.to, to);
      if (b > a) total += b - a;
    }
  }
  return total;
}

type Explainer<A> = (calendar: Calendar, from: Date, amount: A, pauses: Span[]) => Explanation;

/**
 * A due instant whose explanation is worked out, interval by interval, only when someone reads it.
 * A class rather than an object with a closure: the product makes millions and reads none.
 */
export class ExplainableResult<A> implements Result {
  readonly due: Date;
  private readonly explain: Explainer<A>;
  private readonly calendar: Calendar;
  private readonly from: Date;
  private readonly amount: A;
  private readonly pauses: Span[];
  private explained: Explanation | undefined;

  constructor(due: number, explain: Explainer<A>, calendar: Calendar, from: Date, amount: A, pauses: Span[]) {
    this.due = new Date(due);
    this.explain = explain;
    this.calendar = calendar;
    this.from = from;
    this.amount = amount;
    this.pauses = pauses;
  }

  get explanation(): Explanation {
    this.explained ??= this.explain(this.calendar, this.from, this.amount, this.pauses);
    return this.explained;
  }
}

const explainBusinessTime: Explainer<number> = (calendar, from, amount, pauses) =>
  stepBusinessTime(calendar, from, amount, pauses).explanation;
const explainBusinessDays: Explainer<number> = (calendar, from, days) =>
  stepBusinessDays(calendar, from, days).explanation;

/** `dueAfterBusinessTime` with its explanation at hand (see `ExplainableResult`). */
export function addBusinessTime(
  calendar: Calendar,
  from: Date,
  amountMs: number,
  pauses: Span[] = NO_SPANS,
): Result {
  const due = dueAfterBusinessTime(calendar, from.getTime(), amountMs, pauses);
  return new ExplainableResult(due, explainBusinessTime, calendar, from, amountMs, pauses);
}

/**
 * The same count, interval by interval: slower, but it sees each interval and holiday on the way,
 * so it explains results and handles pauses. The tests hold both ways of counting to one answer.
 */
export function stepBusinessTime(
  calendar: Calendar,
  from: Date,
  amountMs: number,
  pauses: Span[] = NO_SPANS,
): Result {
  if (!(amountMs >= 0)) throw new RangeError('amount must be a non-negative number');
  const cal = compile(calendar);
  const start = from.getTime();
  const explanation: Explanation = { counted: [], holidaysSkipped: [] };
  const paused = normalisePauses(pauses);
  if (paused.length) explanation.paused = paused.map((p) => ({ from: iso(p.from), to: iso(p.to) }));
  let remaining = amountMs;
  let first = true;
  for (const span of openSpans(cal, start, paused, explanation.holidaysSkipped)) {
    if (first && span.from !== start) explanation.rolledTo = iso(span.from);
    first = false;
    const length = span.to - span.from;
    if (remaining <= length) {
      const due = span.from + remaining;
      if (due > span.from || explanation.counted.length === 0)
        explanation.counted.push({ from: iso(span.from), to: iso(due) });
      return { due: new Date(due), explanation };
    }
    remaining -= length;
    explanation.counted.push({ from: iso(span.from), to: iso(span.to) });
  }
  throw new Error('unreachable');
}

/** The first open instant at or after `from`. */
export function nextOpening(calendar: Calendar, from: Date): Date {
  return new Date(compile(calendar).dueAfterOpenTime(from.getTime(), 0));
}

/**
 * `N BD` (SPEC §4): roll to the next opening, then the same local time of day on the N-th
 * following business day (a date with open time left after its holidays). Where that time is not
 * open that day, the day's last closing before it, or its first opening when it opens only later.
 * Business days are weekdays on every calendar, also one open around the clock.
 */
export function addBusinessDays(calendar: Calendar, from: Date, days: number): Result {
  const due = dueAfterBusinessDays(calendar, from.getTime(), days);
  return new ExplainableResult(due, explainBusinessDays, calendar, from, days, []);
}

/** N BD counted day by day, with its explanation (see `stepBusinessTime`). */
export function stepBusinessDays(calendar: Calendar, from: Date, days: number): Result {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a non-negative integer');
  const cal = compile(calendar);
  const start = days === 0 ? cal.dueAfterOpenTime(from.getTime(), 0) : businessDayStart(cal, from.getTime());
  const explanation: Explanation = { counted: [], holidaysSkipped: [] };
  if (start !== from.getTime()) explanation.rolledTo = iso(start);
  if (days === 0) {
    explanation.counted.push({ from: iso(start), to: iso(start) });
    return { due: new Date(start), explanation };
  }
  const local = DateTime.fromMillis(start, { zone: cal.zone });
  const timeOfDay = local.diff(local.startOf('day')).toMillis();
  let date = cal.dateOf(start);
  let found = 0;
  for (let i = 0; i < MAX_DAYS && found < days; i++) {
    date = cal.nextDate(date);
    const day = cal.day(date);
    if (cal.isBusinessDay(date)) {
      found++;
      explanation.counted.push({ from: date, to: date });
    } else if (day.holiday) {
      explanation.holidaysSkipped.push({ date, name: day.holiday.name });
    }
  }
  if (found < days) throw new Error(`the calendar has no open time within ${MAX_DAYS} days of ${iso(start)}`);
  const day = cal.day(date);
  const wanted = wallInstant(cal, date, timeOfDay);
  const inside = day.open.find((span) => span.from <= wanted && wanted < span.to);
  let due: number;
  if (inside) due = wanted;
  else {
    const before = day.open.filter((span) => span.to <= wanted).at(-1);
    due = before ? before.to : (day.open[0] as Span).from;
  }
  explanation.counted = [{ from: iso(start), to: iso(due) }];
  const holidays = day.holiday ? [{ date, name: day.holiday.name }] : [];
  explanation.holidaysSkipped.push(...holidays);
  return { due: new Date(due), explanation };
}

/** A local time of day (ms after midnight) on a local date, by the same DST rules as openings. */
function wallInstant(cal: CompiledCalendar, date: string, timeOfDayMs: number): number {
  const minutes = Math.floor(timeOfDayMs / 60_000);
  return instantOf(date, minutes, cal.zone) + (timeOfDayMs - minutes * 60_000);
}

/** Elapsed 24x7 time (`min`, `h`), not counting paused time, with its explanation. */
export function addElapsed(from: Date, amountMs: number, pauses: Span[] = NO_SPANS): Result {
  const due = dueAfterElapsed(from.getTime(), amountMs, pauses);
  const paused = normalisePauses(pauses);
  const explanation: Explanation = {
    counted: [{ from: iso(from.getTime()), to: iso(due) }],
    holidaysSkipped: [],
  };
  if (paused.length) explanation.paused = paused.map((p) => ({ from: iso(p.from), to: iso(p.to) }));
  return { due: new Date(due), explanation };
}
