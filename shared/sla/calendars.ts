import Holidays from 'date-holidays';
import { centreNamed } from '../catalogue/index.ts';
import type { Centre } from '../catalogue/schema.ts';
import type { Calendar, Holiday } from './calendar.ts';

/** The years for which the default centres carry holidays. */
export const HOLIDAY_YEARS = { from: 2024, to: 2030 } as const;

/**
 * Holidays of a region from the date-holidays library, filtered to the kinds the centre observes.
 * A holiday starting after midnight (Queensland's Christmas Eve from 18:00) closes only the rest of
 * that day.
 */
export function libraryHolidays(source: NonNullable<Centre['holidaySource']>): Holiday[] {
  const hd = source.state ? new Holidays(source.country, source.state) : new Holidays(source.country);
  const out: Holiday[] = [];
  for (let year = HOLIDAY_YEARS.from; year <= HOLIDAY_YEARS.to; year++) {
    for (const h of hd.getHolidays(year)) {
      if (!source.types.includes(h.type)) continue;
      const [date, time = '00:00:00'] = h.date.split(' ');
      if (!date) continue;
      const from = time.slice(0, 5);
      out.push(from === '00:00' ? { date, name: h.name } : { date, name: h.name, closed: [[from, '24:00']] });
    }
  }
  return out;
}

function buildCalendar(centre: Centre): Calendar {
  const byDate = new Map<string, Holiday>();
  if (centre.holidaySource)
    for (const h of libraryHolidays(centre.holidaySource)) byDate.set(h.date, byDate.get(h.date) ?? h);
  for (const date of centre.workingDates ?? []) byDate.delete(date);
  for (const h of centre.holidays ?? []) byDate.set(h.date, h);
  const holidays = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  return { timeZone: centre.timeZone, week: centre.week, holidays };
}

const cache = new Map<string, Calendar>();

/** The business calendar of a support centre of the catalogue, built once. */
export function calendarOf(centreName: string): Calendar {
  let calendar = cache.get(centreName);
  if (!calendar) {
    calendar = buildCalendar(centreNamed(centreName));
    cache.set(centreName, calendar);
  }
  return calendar;
}
