import holidaysData from '../catalogue/holidays.json' with { type: 'json' };
import { centreNamed } from '../catalogue/index.ts';
import type { Centre } from '../catalogue/schema.ts';
import type { Calendar, Holiday } from './calendar.ts';

/**
 * The centres' holidays for 2024–2030, taken from the date-holidays library by `npm run holidays`
 * (local/holidays.ts) and kept as catalogue data: the library and its time-zone data stay out of
 * the Lambda bundles, and a test holds the data equal to the library's answer.
 */
const libraryHolidays = holidaysData as Record<string, Holiday[]>;

function buildCalendar(name: string, centre: Centre): Calendar {
  const byDate = new Map<string, Holiday>();
  for (const h of libraryHolidays[name] ?? []) byDate.set(h.date, h);
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
    calendar = buildCalendar(centreName, centreNamed(centreName));
    cache.set(centreName, calendar);
  }
  return calendar;
}
