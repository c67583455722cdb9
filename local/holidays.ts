import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Holidays from 'date-holidays';
import { centres } from '#shared/catalogue/index.ts';
import type { Centre } from '#shared/catalogue/schema.ts';
import type { Holiday } from '#shared/sla/calendar.ts';

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
      if (!date || out.some((o) => o.date === date)) continue;
      const from = time.slice(0, 5);
      out.push(from === '00:00' ? { date, name: h.name } : { date, name: h.name, closed: [[from, '24:00']] });
    }
  }
  return out;
}

/** Every centre's library holidays, as the catalogue's data file holds them. */
export function holidaySnapshot(): Record<string, Holiday[]> {
  return Object.fromEntries(
    Object.entries(centres).map(([name, centre]) => [
      name,
      centre.holidaySource ? libraryHolidays(centre.holidaySource) : [],
    ]),
  );
}

// `npm run holidays`: refresh shared/catalogue/holidays.json from the library (after updating it).
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const file = path.join(import.meta.dirname, '../shared/catalogue/holidays.json');
  writeFileSync(file, `${JSON.stringify(holidaySnapshot(), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
