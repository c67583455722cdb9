import { DateTime } from 'luxon';
import { z } from 'zod';

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
        name: z.string(),
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

  /** The local date of an instant. */
  dateOf(instant: number): string {
    return DateTime.fromMillis(instant, { zone: this.zone }).toISODate() as string;
  }

  nextDate(date: string, days = 1): string {
    return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
  }

  /** The open spans of a local date: the week's intervals minus the holiday's closed parts. */
  day(date: string): Day {
    const cached = this.days.get(date);
    if (cached) return cached;
    const weekday = DateTime.fromISO(date, { zone: 'UTC' }).weekday; // 1 = Monday
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
    minutes.sort((a, b) => a[0] - b[0]);
    const open = minutes
      .map(([from, to]) => ({ from: instantOf(date, from, this.zone), to: instantOf(date, to, this.zone) }))
      .filter((span) => span.to > span.from);
    const day: Day = holiday ? { date, open, holiday } : { date, open };
    this.days.set(date, day);
    return day;
  }
}

const compiled = new WeakMap<Calendar, CompiledCalendar>();

export function compile(calendar: Calendar): CompiledCalendar {
  let c = compiled.get(calendar);
  if (!c) {
    c = new CompiledCalendar(calendar);
    compiled.set(calendar, c);
  }
  return c;
}
