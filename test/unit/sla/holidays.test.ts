import { describe, expect, it } from 'vitest';
import { calendarOf } from '#shared/sla/calendars.ts';

const dates = (centre: string) => new Map(calendarOf(centre).holidays.map((h) => [h.date, h]));

describe('default centres carry their region’s holidays for 2024–2030 (SPEC §4)', () => {
  it.each([
    ['north-america (Saint John, New Brunswick): Canada Day 2026', 'north-america', '2026-07-01'],
    ['north-america: New Brunswick Day 2026', 'north-america', '2026-08-03'],
    ['north-america: Family Day 2026', 'north-america', '2026-02-16'],
    ['north-america: Remembrance Day 2026', 'north-america', '2026-11-11'],
    ['emea: Christmas 2027 (a Saturday) substitute on Monday 27 December', 'emea', '2027-12-27'],
    ['emea: Boxing Day 2027 substitute on Tuesday 28 December', 'emea', '2027-12-28'],
    ['emea: Early May bank holiday 2026', 'emea', '2026-05-04'],
    ['latin-america: Tiradentes', 'latin-america', '2026-04-21'],
    ['latin-america: Independence Day', 'latin-america', '2026-09-07'],
    ['apac: Queensland Boxing Day substitute 2026', 'apac', '2026-12-28'],
    ['apac: Queensland Labour Day 2026', 'apac', '2026-05-04'],
    ['india: Republic Day', 'india', '2026-01-26'],
    ['india: Gandhi Jayanti', 'india', '2026-10-02'],
    ['japan: substitute holiday for Labour Thanksgiving 2025 (a Sunday)', 'japan', '2025-11-24'],
    ['japan: Coming of Age Day 2026', 'japan', '2026-01-12'],
  ])('%s', (_what, centre, date) => {
    expect(dates(centre).has(date)).toBe(true);
  });

  it('north-america works through US holidays: Independence Day observed 2026 and US Thanksgiving 2026', () => {
    expect(dates('north-america').has('2026-07-03')).toBe(false);
    expect(dates('north-america').has('2026-11-26')).toBe(false);
  });

  it('Queensland’s Christmas Eve closes only from 18:00', () => {
    expect(dates('apac').get('2026-12-24')).toMatchObject({ closed: [['18:00', '24:00']] });
  });

  it('kinds are filtered: no Brazilian Carnival bank days, no Canadian observances like Valentine’s Day', () => {
    expect(dates('latin-america').has('2026-02-16')).toBe(false);
    expect(dates('north-america').has('2026-02-14')).toBe(false);
  });

  it('follow-the-sun has none', () => {
    expect(calendarOf('follow-the-sun').holidays).toEqual([]);
  });

  it('covers every year from 2024 to 2030', () => {
    for (let year = 2024; year <= 2030; year++)
      expect(dates('emea').has(`${year}-12-25`), String(year)).toBe(true);
  });
});

describe('the holiday data is the library’s answer', () => {
  it('shared/catalogue/holidays.json equals what date-holidays gives today (refresh with npm run holidays)', async () => {
    const { holidaySnapshot } = await import('#local/holidays.ts');
    const data = (await import('#shared/catalogue/holidays.json', { with: { type: 'json' } })).default;
    expect(data).toEqual(holidaySnapshot());
  });
});
