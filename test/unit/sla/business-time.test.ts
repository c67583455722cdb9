import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centres } from '#shared/catalogue/index.ts';
import {
  addBusinessDays,
  addBusinessTime,
  addElapsed,
  businessDaysBetween,
  businessTimeBetween,
  stepBusinessDays,
  stepBusinessTime,
  stepBusinessTimeBetween,
} from '#shared/sla/business-time.ts';
import { type Calendar, instantOf } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { addSpan, explainSpan } from '#shared/sla/targets.ts';

const H = 3_600_000;
const due = (r: { due: Date }) => r.due.toISOString();
const weekdays = (from: string, to: string) => ({
  mon: [[from, to]] as [string, string][],
  tue: [[from, to]] as [string, string][],
  wed: [[from, to]] as [string, string][],
  thu: [[from, to]] as [string, string][],
  fri: [[from, to]] as [string, string][],
  sat: [],
  sun: [],
});
const londonWithChristmasEveAfternoon: Calendar = {
  timeZone: 'Europe/London',
  week: weekdays('08:00', '19:00'),
  holidays: [
    { date: '2026-12-24', name: 'Christmas Eve afternoon', closed: [['13:00', '24:00']] },
    { date: '2026-12-25', name: 'Christmas Day' },
  ],
};

describe('N business hours (SPEC §4)', () => {
  it.each([
    ['emea: 4 BH inside one day', 'emea', '2026-03-02T09:00:00Z', 4, '2026-03-02T13:00:00.000Z'],
    [
      'emea: a target running out at 19:00 is due at the closing, not the next opening',
      'emea',
      '2026-03-02T15:00:00Z',
      4,
      '2026-03-02T19:00:00.000Z',
    ],
    [
      'emea: Friday 17:00 + 4 BH carries over the weekend to Monday 10:00',
      'emea',
      '2026-03-06T17:00:00Z',
      4,
      '2026-03-09T10:00:00.000Z',
    ],
    [
      'emea: completed Saturday, counting starts Monday 08:00',
      'emea',
      '2026-03-07T12:00:00Z',
      4,
      '2026-03-09T12:00:00.000Z',
    ],
    [
      'emea: an instant exactly at closing starts at the next opening',
      'emea',
      '2026-03-02T19:00:00Z',
      1,
      '2026-03-03T09:00:00.000Z',
    ],
    [
      'emea: an instant exactly at opening counts from it',
      'emea',
      '2026-03-03T08:00:00Z',
      2,
      '2026-03-03T10:00:00.000Z',
    ],
    [
      'emea spring DST: Friday 18:00 GMT + 2 BH is Monday 09:00 BST',
      'emea',
      '2026-03-27T18:00:00Z',
      2,
      '2026-03-30T08:00:00.000Z',
    ],
    [
      'emea autumn DST: Friday 18:00 BST + 2 BH is Monday 09:00 GMT',
      'emea',
      '2026-10-23T17:00:00Z',
      2,
      '2026-10-26T09:00:00.000Z',
    ],
    [
      'north-america spring DST: Friday 20:00 EST + 2 BH is Monday 09:00 EDT',
      'north-america',
      '2026-03-07T01:00:00Z',
      2,
      '2026-03-09T13:00:00.000Z',
    ],
    [
      'north-america autumn DST: Friday 20:00 EDT + 2 BH is Monday 09:00 EST',
      'north-america',
      '2026-10-31T00:00:00Z',
      2,
      '2026-11-02T14:00:00.000Z',
    ],
    [
      'north-america (New Brunswick): Canada Day, Wednesday 1 July 2026, is skipped',
      'north-america',
      '2026-07-01T00:00:00Z',
      2,
      '2026-07-02T13:00:00.000Z',
    ],
    [
      'emea: Christmas and the Boxing Day substitute (Mon 28 Dec 2026) are skipped',
      'emea',
      '2026-12-24T18:00:00Z',
      2,
      '2026-12-29T09:00:00.000Z',
    ],
    [
      'japan (no DST): Coming of Age Day, Monday 12 Jan 2026, is skipped',
      'japan',
      '2026-01-09T08:00:00Z',
      2,
      '2026-01-13T01:00:00.000Z',
    ],
    [
      'apac (no DST): Queensland Boxing Day substitute, Mon 28 Dec 2026, is skipped',
      'apac',
      '2026-12-24T07:00:00Z',
      2,
      '2026-12-28T23:00:00.000Z',
    ],
    [
      'india: Republic Day, Monday 26 Jan 2026, is skipped',
      'india',
      '2026-01-23T11:00:00Z',
      2,
      '2026-01-27T04:00:00.000Z',
    ],
    [
      'latin-america: Tiradentes, Tuesday 21 Apr 2026, is skipped',
      'latin-america',
      '2026-04-20T22:00:00Z',
      2,
      '2026-04-22T12:00:00.000Z',
    ],
    [
      'follow-the-sun: 24x7, so 4 BH is 4 hours',
      'follow-the-sun',
      '2026-03-07T22:30:00Z',
      4,
      '2026-03-08T02:30:00.000Z',
    ],
  ])('%s', (_rule, centre, from, hours, expected) => {
    expect(due(addBusinessTime(calendarOf(centre), new Date(from), hours * H))).toBe(expected);
  });

  it('zero hours gives the start, rolled to the next opening when outside open time', () => {
    expect(due(addBusinessTime(calendarOf('emea'), new Date('2026-03-02T10:00:00Z'), 0))).toBe(
      '2026-03-02T10:00:00.000Z',
    );
    expect(due(addBusinessTime(calendarOf('emea'), new Date('2026-03-02T20:00:00Z'), 0))).toBe(
      '2026-03-03T08:00:00.000Z',
    );
  });

  it('fractional hours and milliseconds are exact', () => {
    const r = addBusinessTime(calendarOf('emea'), new Date('2026-03-02T08:00:00.123Z'), 1.5 * H + 7);
    expect(due(r)).toBe('2026-03-02T09:30:00.130Z');
  });

  it('a partial-day holiday closes only its hours', () => {
    const r = addBusinessTime(londonWithChristmasEveAfternoon, new Date('2026-12-24T12:00:00Z'), 2 * H);
    // 1 h before 13:00 on the 24th, Christmas Day closed, the weekend, then Monday 28 08:00 + 1 h.
    expect(due(r)).toBe('2026-12-28T09:00:00.000Z');
  });

  it('explains itself: the intervals counted and the holidays skipped', () => {
    const r = addBusinessTime(calendarOf('emea'), new Date('2026-12-24T18:00:00Z'), 2 * H);
    expect(r.explanation.counted).toEqual([
      { from: '2026-12-24T18:00:00.000Z', to: '2026-12-24T19:00:00.000Z' },
      { from: '2026-12-29T08:00:00.000Z', to: '2026-12-29T09:00:00.000Z' },
    ]);
    expect(r.explanation.holidaysSkipped.map((h) => h.date)).toEqual([
      '2026-12-25',
      '2026-12-26',
      '2026-12-28',
    ]);
  });

  it('pauses are not counted', () => {
    const pause = { from: Date.parse('2026-03-02T10:00:00Z'), to: Date.parse('2026-03-03T10:00:00Z') };
    const r = addBusinessTime(calendarOf('emea'), new Date('2026-03-02T09:00:00Z'), 2 * H, [pause]);
    expect(due(r)).toBe('2026-03-03T11:00:00.000Z');
  });

  it('refuses a negative amount', () => {
    expect(() => addBusinessTime(calendarOf('emea'), new Date(), -1)).toThrow(/non-negative/);
  });
});

describe('N business days (SPEC §4)', () => {
  it.each([
    [
      'emea: 2 BD from Monday 10:30 is Wednesday 10:30',
      'emea',
      '2026-03-02T10:30:00Z',
      2,
      '2026-03-04T10:30:00.000Z',
    ],
    [
      'emea: 1 BD from Friday is Monday, same time',
      'emea',
      '2026-03-06T15:00:00Z',
      1,
      '2026-03-09T15:00:00.000Z',
    ],
    [
      'emea: from Saturday, roll to Monday 08:00 first, then 1 BD is Tuesday 08:00',
      'emea',
      '2026-03-07T12:00:00Z',
      1,
      '2026-03-10T08:00:00.000Z',
    ],
    [
      'emea: Christmas and the substitute Boxing Day are not business days',
      'emea',
      '2026-12-24T10:00:00Z',
      2,
      '2026-12-30T10:00:00.000Z',
    ],
    [
      'emea across spring DST keeps the local time: Friday 10:00 GMT + 1 BD = Monday 10:00 BST',
      'emea',
      '2026-03-27T10:00:00Z',
      1,
      '2026-03-30T09:00:00.000Z',
    ],
    [
      'north-america across autumn DST: Friday 10:00 EDT + 1 BD = Monday 10:00 EST',
      'north-america',
      '2026-10-30T14:00:00Z',
      1,
      '2026-11-02T15:00:00.000Z',
    ],
    [
      'follow-the-sun (24x7): business days are still weekdays, 1 BD from Friday 22:30 is Monday 22:30',
      'follow-the-sun',
      '2026-03-06T22:30:00Z',
      1,
      '2026-03-09T22:30:00.000Z',
    ],
    [
      'follow-the-sun (24x7): a weekend start counts from Monday 00:00, 2 BD from Saturday 22:30 is Wednesday 00:00',
      'follow-the-sun',
      '2026-03-07T22:30:00Z',
      2,
      '2026-03-11T00:00:00.000Z',
    ],
    ['emea: 10 BD spans two weekends', 'emea', '2026-03-02T09:00:00Z', 10, '2026-03-16T09:00:00.000Z'],
  ])('%s', (_rule, centre, from, days, expected) => {
    expect(due(addBusinessDays(calendarOf(centre), new Date(from), days))).toBe(expected);
  });

  it('a time not open on the target day falls back to that day’s last closing before it', () => {
    const r = addBusinessDays(londonWithChristmasEveAfternoon, new Date('2026-12-22T15:00:00Z'), 2);
    expect(due(r)).toBe('2026-12-24T13:00:00.000Z');
  });

  it('or to its first opening when the day opens only after that time', () => {
    const late: Calendar = {
      timeZone: 'UTC',
      week: { ...weekdays('08:00', '19:00'), wed: [['12:00', '19:00']] },
      holidays: [],
    };
    expect(due(addBusinessDays(late, new Date('2026-03-03T09:00:00Z'), 1))).toBe('2026-03-04T12:00:00.000Z');
  });
});

describe('wall times and DST (SPEC §4)', () => {
  it('a wall time the clocks skip moves forward by the gap', () => {
    expect(new Date(instantOf('2026-03-29', 90, 'Europe/London')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
  it('a wall time that occurs twice takes its first occurrence', () => {
    expect(new Date(instantOf('2026-10-25', 90, 'Europe/London')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(new Date(instantOf('2026-11-01', 90, 'America/New_York')).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });
  it('24:00 is the next local midnight, so a 24x7 day lasts 23 hours on the spring change', () => {
    const allDay: Calendar = {
      timeZone: 'Europe/London',
      week: { ...weekdays('00:00', '24:00'), sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
      holidays: [],
    };
    expect(due(addBusinessTime(allDay, new Date('2026-03-29T00:00:00Z'), 23 * H))).toBe(
      '2026-03-29T23:00:00.000Z',
    );
  });
});

describe('elapsed time', () => {
  it('60 min is 60 minutes around the clock, with pauses added', () => {
    expect(due(addElapsed(new Date('2026-03-07T23:30:00Z'), 60 * 60_000))).toBe('2026-03-08T00:30:00.000Z');
    const pause = { from: Date.parse('2026-03-08T00:00:00Z'), to: Date.parse('2026-03-08T02:00:00Z') };
    expect(due(addElapsed(new Date('2026-03-07T23:30:00Z'), 60 * 60_000, [pause]))).toBe(
      '2026-03-08T02:30:00.000Z',
    );
  });
});

describe('properties', () => {
  const instant = fc.date({
    min: new Date('2024-01-01T00:00:00Z'),
    max: new Date('2029-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  const hours = fc.integer({ min: 0, max: 200 * 60 }).map((m) => m * 60_000);
  const centre = fc.constantFrom(...Object.keys(centres));

  it('adding a then b business hours equals adding a + b', () => {
    fc.assert(
      fc.property(centre, instant, hours, hours, (c, from, a, b) => {
        const cal = calendarOf(c);
        const stepwise = addBusinessTime(cal, addBusinessTime(cal, from, a).due, b).due;
        const direct = addBusinessTime(cal, from, a + b).due;
        // Equal, except that a stop exactly at a closing resumes at the next opening.
        const resumed = addBusinessTime(cal, direct, 0).due;
        expect([direct.getTime(), resumed.getTime()]).toContain(stepwise.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('a result is inside open hours or exactly at a closing', () => {
    fc.assert(
      fc.property(centre, instant, hours, (c, from, a) => {
        const cal = calendarOf(c);
        const r = addBusinessTime(cal, from, a).due;
        const open = addBusinessTime(cal, r, 0).due.getTime() === r.getTime();
        const atClosing =
          addBusinessTime(cal, new Date(r.getTime() - 1), 0).due.getTime() === r.getTime() - 1;
        expect(open || atClosing).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('due instants never decrease as the start moves later', () => {
    fc.assert(
      fc.property(
        centre,
        instant,
        fc.integer({ min: 0, max: 5 * 86_400_000 }),
        hours,
        fc.integer({ min: 0, max: 15 }),
        (c, from, shift, a, days) => {
          const cal = calendarOf(c);
          const later = new Date(from.getTime() + shift);
          expect(addBusinessTime(cal, later, a).due >= addBusinessTime(cal, from, a).due).toBe(true);
          expect(addBusinessDays(cal, later, days).due >= addBusinessDays(cal, from, days).due).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the indexed count agrees with the interval-by-interval count', () => {
  const instant = fc.date({
    min: new Date('2024-01-01T00:00:00Z'),
    max: new Date('2030-06-30T00:00:00Z'),
    noInvalidDate: true,
  });
  const centre = fc.constantFrom(...Object.keys(centres));

  it('for business hours, to the millisecond', () => {
    fc.assert(
      fc.property(centre, instant, fc.double({ min: 0, max: 400, noNaN: true }), (c, from, hours) => {
        const ms = Math.round(hours * 3_600_000);
        expect(addBusinessTime(calendarOf(c), from, ms).due.toISOString()).toBe(
          stepBusinessTime(calendarOf(c), from, ms).due.toISOString(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('for business days', () => {
    fc.assert(
      fc.property(centre, instant, fc.integer({ min: 0, max: 40 }), (c, from, days) => {
        expect(addBusinessDays(calendarOf(c), from, days).due.toISOString()).toBe(
          stepBusinessDays(calendarOf(c), from, days).due.toISOString(),
        );
      }),
      { numRuns: 500 },
    );
  });

  // Pauses of up to a week, starting anywhere from a day before the start to a month after it.
  const pausesNear = (from: Date) =>
    fc
      .array(
        fc.tuple(
          fc.integer({ min: -86_400_000, max: 30 * 86_400_000 }),
          fc.integer({ min: 0, max: 7 * 86_400_000 }),
        ),
        { maxLength: 4 },
      )
      .map((list) =>
        list.map(([at, length]) => ({ from: from.getTime() + at, to: from.getTime() + at + length })),
      );
  const withPauses = instant.chain((from) => fc.tuple(fc.constant(from), pausesNear(from)));

  it('for business hours with pauses, to the millisecond', () => {
    fc.assert(
      fc.property(centre, withPauses, fc.integer({ min: 0, max: 200 * 60 }), (c, [from, pauses], minutes) => {
        const ms = minutes * 60_000;
        expect(addBusinessTime(calendarOf(c), from, ms, pauses).due.toISOString()).toBe(
          stepBusinessTime(calendarOf(c), from, ms, pauses).due.toISOString(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('for every catalogue span with pauses, and the explanation read from the fast result is the explaining one', () => {
    const spans = fc.constantFrom('15min', '4h', '24h', '1BH', '4BH', '11BH', '1BD', '2BD', '10BD', '30BD');
    fc.assert(
      fc.property(centre, withPauses, spans, (c, [from, pauses], span) => {
        const fast = addSpan(calendarOf(c), from, span, pauses);
        const explained = explainSpan(calendarOf(c), from, span, pauses);
        expect(fast.due.toISOString()).toBe(explained.due.toISOString());
        expect(fast.explanation).toEqual(explained.explanation);
      }),
      { numRuns: 300 },
    );
  });

  it('whole business days between two instants: the most N whose N BD from the first are due by the second, up to a bound', () => {
    fc.assert(
      fc.property(
        centre,
        instant,
        fc.integer({ min: -86_400_000, max: 90 * 86_400_000 }),
        (c, from, length) => {
          const to = new Date(from.getTime() + length);
          let days = 0;
          while (days < 40 && stepBusinessDays(calendarOf(c), from, days + 1).due <= to) days++;
          expect(businessDaysBetween(calendarOf(c), from.getTime(), to.getTime(), 40)).toBe(days);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('for the open time between two instants, with pauses taken out', () => {
    fc.assert(
      fc.property(
        centre,
        withPauses,
        fc.integer({ min: 0, max: 60 * 86_400_000 }),
        (c, [from, pauses], length) => {
          const a = from.getTime();
          const b = a + length;
          let expected = stepBusinessTimeBetween(calendarOf(c), a, b);
          // Pauses overlapping each other count once.
          const merged = [...pauses].sort((x, y) => x.from - y.from);
          let until = Number.NEGATIVE_INFINITY;
          for (const p of merged) {
            const start = Math.max(p.from, until, a);
            const end = Math.min(p.to, b);
            if (end > start) expected -= stepBusinessTimeBetween(calendarOf(c), start, end);
            until = Math.max(until, p.to);
          }
          expect(businessTimeBetween(calendarOf(c), a, b, pauses)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
