import { DateTime, IANAZone } from 'luxon';
import * as z from 'zod';

/**
 * A business calendar (SPEC §4): a time zone, weekly open intervals of local wall time, and dated
 * holidays that close a whole day or parts of it. This is also the `--calendar FILE.json` format.
 */
const WallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a wall time HH:MM (00:00 to 24:00)');
const Interval = z
  .tuple([WallTime, WallTime])
  .refine(([from, to]) => minutesOf(from) < minutesOf(to), 'an interval must end after it starts');
const Intervals = z.array(Interval);

export const TimeZone = z
  .string()
  .refine((zone) => DateTime.local().setZone(zone).isValid, 'an IANA time zone');

export const CalendarSchema = z.strictObject({
  timeZone: TimeZone,
  week: z.strictObject({
    mon: Intervals,
    tue: Intervals,
    wed: Intervals,
    thu: Intervals,
    fri: Intervals,
    sat: Intervals,
    sun: Intervals,
  }),
  holidays: z
    .array(
      z.strictObject({
        date: z.iso.date(),
        name: z.string().default('holiday'),
        /** Closed parts of the day; absent means closed all day. */
        closed: Intervals.optional(),
      }),
    )
    .default([]),
});
export type Calendar = z.infer<typeof CalendarSchema>;
export type Holiday = Calendar['holidays'][number];

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function minutesOf(wall: string): number {
  const [h, m] = wall.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A half-open interval of instants, `[from, to)`, in epoch milliseconds. */
export interface Span {
  from: number;
  to: number;
}

/** No spans: the one empty list the hot paths share (never changed), rather than one per call. */
export const NO_SPANS: Span[] = [];

export interface Day {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  open: Span[];
  holiday?: Holiday;
}

/**
 * The instant of a local wall time on a local date. A time a DST change skips moves forward by the
 * gap; a time that occurs twice takes its first occurrence (JavaScript `Date` / Temporal
 * `compatible`); `24:00` is the next local midnight.
 */
export function instantOf(date: string, minutes: number, zone: string): number {
  const base = DateTime.fromISO(date, { zone }).startOf('day');
  const day = minutes >= 1440 ? base.plus({ days: 1 }) : base;
  const m = minutes % 1440;
  const wall = { year: day.year, month: day.month, day: day.day, hour: Math.floor(m / 60), minute: m % 60 };
  const dt = DateTime.fromObject(wall, { zone });
  const ms = dt.toMillis();
  // Luxon picks the later of two occurrences; prefer the earlier when the wall time repeats.
  const earlierOffset = DateTime.fromMillis(ms - 86_400_000, { zone }).offset;
  if (earlierOffset > dt.offset) {
    const earlier = ms - (earlierOffset - dt.offset) * 60_000;
    const check = DateTime.fromMillis(earlier, { zone });
    if (check.hour === wall.hour && check.minute === wall.minute) return earlier;
  }
  return ms;
}

const DAY_MS = 86_400_000;
/** Days are indexed this far around the instants asked about; the index grows when needed. */
const MARGIN_DAYS = 400;
const MAX_INDEX_DAYS = 40_000;

/** A day number (days since 1970-01-01) as a `YYYY-MM-DD` local date. */
const dateOfNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The ISO weekday (1 = Monday) of a day number: 1970-01-01 was a Thursday. */
const weekdayOf = (n: number) => ((((n + 3) % 7) + 7) % 7) + 1;

/**
 * Open time laid out flat over a range of days: interval bounds, the open time up to each
 * interval's end, each day's local midnight and the count of business days before it. Every
 * question is then a binary search, whatever the span's length.
 */
interface Index {
  firstDay: number;
  days: number;
  midnight: Float64Array;
  uniform: Uint8Array;
  dayFirst: Int32Array;
  from: Float64Array;
  to: Float64Array;
  cumEnd: Float64Array;
  bizCount: Int32Array;
}

/** First index in [lo, hi) whose value is greater than (or equal to, with `orEqual`) x; hi if none. */
function search(
  values: Float64Array | Int32Array,
  x: number,
  lo: number,
  hi: number,
  orEqual: boolean,
): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid] as number;
    if (v > x || (orEqual && v === x)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The index's day holding `instant` (the last local midnight at or before it). */
function dayAt(idx: Index, instant: number): number {
  let k = Math.min(Math.max(Math.floor(instant / DAY_MS) - idx.firstDay, 0), idx.days - 1);
  // The UTC day is the local day or one beside it.
  while (k > 0 && (idx.midnight[k] as number) > instant) k--;
  while (k < idx.days - 1 && (idx.midnight[k + 1] as number) <= instant) k++;
  return k;
}

/** The first interval ending after `instant`: from its day's first interval, a step or two. */
function intervalAfter(idx: Index, instant: number): number {
  const n = idx.to.length;
  let i = idx.dayFirst[dayAt(idx, instant)] as number;
  while (i < n && (idx.to[i] as number) <= instant) i++;
  return i;
}

/**
 * First index from `lo` whose running total reaches `total`: galloping, then binary search, so a
 * short span costs a few steps and a long one a logarithm.
 */
function reaching(totals: Float64Array | Int32Array, total: number, lo: number, n = totals.length): number {
  let step = 1;
  let hi = lo;
  while (hi < n && (totals[hi] as number) < total) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  return search(totals, total, lo, Math.min(hi, n), true);
}

/** The open time of the index before `instant`: a running total. */
function openTimeUpTo(idx: Index, instant: number): number {
  const n = idx.from.length;
  const i = intervalAfter(idx, instant);
  if (i === n) return n === 0 ? 0 : (idx.cumEnd[n - 1] as number);
  return (idx.cumEnd[i] as number) - ((idx.to[i] as number) - Math.max(idx.from[i] as number, instant));
}

/** A calendar compiled for fast lookups: each local date's open spans, computed once. */
export class CompiledCalendar {
  readonly source: Calendar;
  readonly zone: string;
  readonly alwaysOpen: boolean;
  private readonly holidays = new Map<string, Holiday>();
  private readonly days = new Map<string, Day>();

  constructor(source: Calendar) {
    this.source = source;
    this.zone = source.timeZone;
    for (const holiday of source.holidays) this.holidays.set(holiday.date, holiday);
    this.alwaysOpen =
      source.holidays.length === 0 &&
      DAY_KEYS.every((key) => source.week[key].some(([from, to]) => from === '00:00' && to === '24:00'));
  }

  private index: Index | undefined;

  /** Lays out the days from `fromDay` to `toDay` (day numbers) in one flat index. */
  private build(fromDay: number, toDay: number): Index {
    const days = toDay - fromDay + 1;
    const midnight = new Float64Array(days + 1);
    const uniform = new Uint8Array(days);
    const dayFirst = new Int32Array(days + 1);
    const bizCount = new Int32Array(days + 1);
    const from: number[] = [];
    const to: number[] = [];
    // The zone's offset at each UTC midnight from the day before to two days after: where it is the
    // same at all four, the local day holds no clock change, so its wall times are plain arithmetic
    // from its midnight. The few days around a change are laid out by the time-zone rules.
    const zone = IANAZone.create(this.zone);
    const offsets = new Float64Array(days + 4);
    for (let i = 0; i < offsets.length; i++) offsets[i] = zone.offset((fromDay - 1 + i) * DAY_MS);
    const steady = (k: number) =>
      offsets[k] === offsets[k + 1] && offsets[k + 1] === offsets[k + 2] && offsets[k + 2] === offsets[k + 3];
    for (let k = 0; k <= days; k++)
      midnight[k] = steady(k)
        ? (fromDay + k) * DAY_MS - (offsets[k + 1] as number) * 60_000
        : instantOf(dateOfNumber(fromDay + k), 0, this.zone);
    for (let k = 0; k < days; k++) {
      const start = midnight[k] as number;
      const next = midnight[k + 1] as number;
      const date = dateOfNumber(fromDay + k);
      dayFirst[k] = from.length;
      let open: Span[];
      if (steady(k)) {
        uniform[k] = 1;
        open = this.openMinutes(date).map(([a, b]) => ({ from: start + a * 60_000, to: start + b * 60_000 }));
      } else {
        const offsetStart = DateTime.fromMillis(start, { zone: this.zone }).offset;
        const offsetEnd = DateTime.fromMillis(next - 1, { zone: this.zone }).offset;
        uniform[k] = next - start === DAY_MS && offsetStart === offsetEnd ? 1 : 0;
        open = this.day(date).open;
      }
      for (const span of open) {
        from.push(span.from);
        to.push(span.to);
      }
      const business = weekdayOf(fromDay + k) <= 5 && open.length > 0;
      bizCount[k + 1] = (bizCount[k] as number) + (business ? 1 : 0);
    }
    dayFirst[days] = from.length;
    const cumEnd = new Float64Array(from.length);
    let total = 0;
    for (let i = 0; i < from.length; i++) {
      total += (to[i] as number) - (from[i] as number);
      cumEnd[i] = total;
    }
    return {
      firstDay: fromDay,
      days,
      midnight,
      uniform,
      dayFirst,
      from: Float64Array.from(from),
      to: Float64Array.from(to),
      cumEnd,
      bizCount,
    };
  }

  /** The index, grown to cover the day of `instant` and `aheadDays` after it. */
  private indexFor(instant: number, aheadDays: number): Index {
    const day = Math.floor(instant / DAY_MS);
    const idx = this.index;
    if (idx && day - 1 >= idx.firstDay && day + aheadDays + 1 < idx.firstDay + idx.days) return idx;
    const fromDay = Math.min(idx?.firstDay ?? Number.POSITIVE_INFINITY, day - MARGIN_DAYS);
    const toDay = Math.max(
      idx ? idx.firstDay + idx.days - 1 : Number.NEGATIVE_INFINITY,
      day + aheadDays + MARGIN_DAYS,
    );
    if (toDay - fromDay > MAX_INDEX_DAYS)
      throw new Error(
        `the calendar has no open time within ${MAX_INDEX_DAYS} days of ${new Date(instant).toISOString()}`,
      );
    this.index = this.build(fromDay, toDay);
    return this.index;
  }

  /**
   * The earliest instant at which `amount` ms of open time has elapsed from `start`; an instant
   * outside open time first rolls to the next opening. A step into the start's day, then a search
   * of the running totals.
   */
  dueAfterOpenTime(start: number, amount: number): number {
    let ahead = 14 + Math.ceil(amount / 3_600_000);
    for (;;) {
      const idx = this.indexFor(start, ahead);
      const n = idx.from.length;
      const i = intervalAfter(idx, start);
      if (i < n) {
        const s = Math.max(idx.from[i] as number, start);
        if (amount === 0) return s;
        const target = (idx.cumEnd[i] as number) - ((idx.to[i] as number) - s) + amount;
        const j = reaching(idx.cumEnd, target, i);
        if (j < n) return (idx.to[j] as number) - ((idx.cumEnd[j] as number) - target);
      }
      ahead = ahead * 2 + 400;
    }
  }

  /**
   * Open time in `[from, to)`: the difference of two running totals over the same index, so any
   * length of time costs two binary searches.
   */
  openTimeBetween(from: number, to: number): number {
    if (!(to > from)) return 0;
    const idx = this.indexFor(from, Math.ceil((to - from) / DAY_MS) + 1);
    return openTimeUpTo(idx, to) - openTimeUpTo(idx, from);
  }

  /**
   * The first open instant at or after `start` on a business day (where N BD count from), from the
   * index: the business-day counts tell a business day from any other.
   */
  businessDayOpening(start: number): number {
    let from = start;
    for (;;) {
      const opening = this.dueAfterOpenTime(from, 0);
      const idx = this.indexFor(opening, 14);
      const k = dayAt(idx, opening);
      if ((idx.bizCount[k + 1] as number) > (idx.bizCount[k] as number)) return opening;
      from = idx.midnight[k + 1] as number;
    }
  }

  /** N BD (SPEC §4) from an instant already rolled to open time. */
  dueAfterBusinessDays(start: number, n: number): number {
    let ahead = n * 2 + 14;
    for (;;) {
      const idx = this.indexFor(start, ahead);
      const k = dayAt(idx, start);
      const wantedCount = (idx.bizCount[k + 1] as number) + n;
      const m = reaching(idx.bizCount, wantedCount, k + 2, idx.days + 1) - 1;
      if (m < idx.days) {
        const timeOfDay = idx.uniform[k]
          ? start - (idx.midnight[k] as number)
          : (() => {
              const local = DateTime.fromMillis(start, { zone: this.zone });
              return local.diff(local.startOf('day')).toMillis();
            })();
        const wanted = idx.uniform[m]
          ? (idx.midnight[m] as number) + timeOfDay
          : instantOf(dateOfNumber(idx.firstDay + m), Math.floor(timeOfDay / 60_000), this.zone) +
            (timeOfDay % 60_000);
        const first = idx.dayFirst[m] as number;
        const last = idx.dayFirst[m + 1] as number;
        let before = -1;
        for (let i = first; i < last; i++) {
          if ((idx.from[i] as number) <= wanted && wanted < (idx.to[i] as number)) return wanted;
          if ((idx.to[i] as number) <= wanted) before = i;
        }
        return before >= 0 ? (idx.to[before] as number) : (idx.from[first] as number);
      }
      ahead = ahead * 2 + 400;
    }
  }

  /**
   * A business day (SPEC §4): a weekday (Mon–Fri) with open time left after its holidays, also on
   * a centre open around the clock: "business days" never include a weekend.
   */
  isBusinessDay(date: string): boolean {
    return weekdayOf(Date.parse(date) / DAY_MS) <= 5 && this.day(date).open.length > 0;
  }

  /** The local date of an instant. */
  dateOf(instant: number): string {
    return DateTime.fromMillis(instant, { zone: this.zone }).toISODate() as string;
  }

  nextDate(date: string, days = 1): string {
    return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
  }

  /** The open minutes of a local date (after its midnight): the week's intervals minus the holiday's closed parts. */
  private openMinutes(date: string): [number, number][] {
    const weekday = weekdayOf(Date.parse(date) / DAY_MS);
    let minutes = (this.source.week[DAY_KEYS[weekday - 1] as (typeof DAY_KEYS)[number]] ?? []).map(
      ([from, to]) => [minutesOf(from), minutesOf(to)] as [number, number],
    );
    const holiday = this.holidays.get(date);
    if (holiday) {
      const closed = (holiday.closed ?? [['00:00', '24:00']]).map(([f, t]) => [minutesOf(f), minutesOf(t)]);
      for (const [cFrom = 0, cTo = 0] of closed) {
        minutes = minutes.flatMap(([from, to]): [number, number][] => {
          if (cTo <= from || cFrom >= to) return [[from, to]];
          const parts: [number, number][] = [];
          if (from < cFrom) parts.push([from, cFrom]);
          if (cTo < to) parts.push([cTo, to]);
          return parts;
        });
      }
    }
    return minutes.sort((a, b) => a[0] - b[0]);
  }

  /** The open spans of a local date, by the time-zone rules (the explaining path's). */
  day(date: string): Day {
    const cached = this.days.get(date);
    if (cached) return cached;
    const open = this.openMinutes(date)
      .map(([from, to]) => ({ from: instantOf(date, from, this.zone), to: instantOf(date, to, this.zone) }))
      .filter((span) => span.to > span.from);
    const holiday = this.holidays.get(date);
    const day: Day = holiday ? { date, open, holiday } : { date, open };
    this.days.set(date, day);
    return day;
  }
}

const compiled = new WeakMap<Calendar, CompiledCalendar>();
/** The last calendar compiled: the product asks about one centre's calendar many times in a row. */
let last: CompiledCalendar | undefined;

export function compile(calendar: Calendar): CompiledCalendar {
  if (last?.source === calendar) return last;
  let c = compiled.get(calendar);
  if (!c) {
    c = new CompiledCalendar(calendar);
    compiled.set(calendar, c);
  }
  last = c;
  return c;
}
