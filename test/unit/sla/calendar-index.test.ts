import { describe, expect, it } from 'vitest';
import { type Calendar, compile, instantOf } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';

const CENTRES = ['emea', 'north-america', 'latin-america', 'apac', 'india', 'japan', 'follow-the-sun'];

/** Every local date from `from` to `to`, inclusive. */
function* datesFrom(from: string, to: string) {
  for (let ms = Date.parse(from); ms <= Date.parse(to); ms += 86_400_000)
    yield new Date(ms).toISOString().slice(0, 10);
}

/** Each day's open spans as the index answers them, against the day laid out by the time-zone rules. */
function expectIndexHoldsEachDay(calendar: Calendar, from: string, to: string) {
  const cal = compile(calendar);
  for (const date of datesFrom(from, to)) {
    const { open } = cal.day(date);
    const dayStart = instantOf(date, 0, cal.zone);
    const dayEnd = instantOf(date, 1440, cal.zone);
    const openTime = open.reduce((sum, span) => sum + span.to - span.from, 0);
    expect(cal.openTimeBetween(dayStart, dayEnd), date).toBe(openTime);
    for (const span of open) {
      expect(cal.dueAfterOpenTime(span.from, 0), date).toBe(span.from);
      expect(cal.dueAfterOpenTime(span.from, span.to - span.from), date).toBe(span.to);
      expect(cal.openTimeBetween(span.from, span.to), date).toBe(span.to - span.from);
    }
  }
}

describe('the calendar index lays out every day as the time-zone rules do', () => {
  it.each(CENTRES)('%s: every day of 2025–2027, clock changes and holidays included', (centre) => {
    expectIndexHoldsEachDay(calendarOf(centre), '2025-01-01', '2027-12-31');
  });

  it('a zone whose clocks change at midnight (São Paulo, 2018): the skipped midnight moves forward by the gap', () => {
    const saoPaulo: Calendar = { ...calendarOf('latin-america'), holidays: [] };
    expectIndexHoldsEachDay(saoPaulo, '2018-10-28', '2018-11-10');
    expect(compile(saoPaulo).dueAfterOpenTime(Date.parse('2018-11-04T00:00:00Z'), 0)).toBe(
      Date.parse('2018-11-05T10:00:00Z'),
    );
  });
});
