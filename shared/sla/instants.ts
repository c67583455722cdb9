/** Two decimal digits at `i`, or NaN. */
function twoDigits(text: string, i: number): number {
  const tens = text.charCodeAt(i) - 48;
  const units = text.charCodeAt(i + 1) - 48;
  return tens >>> 0 > 9 || units >>> 0 > 9 ? Number.NaN : tens * 10 + units;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return (
    era * 146_097 +
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear -
    719_468
  );
}

/** Whether the separators of `YYYY-MM-DDTHH:MM:SS.sssZ` (the stored form) are in place. */
const storedForm = (t: string) =>
  t.length === 24 &&
  t.charCodeAt(4) === 45 &&
  t.charCodeAt(7) === 45 &&
  t.charCodeAt(10) === 84 &&
  t.charCodeAt(13) === 58 &&
  t.charCodeAt(16) === 58 &&
  t.charCodeAt(19) === 46 &&
  t.charCodeAt(23) === 90;

/**
 * Epoch milliseconds of an ISO 8601 instant. The form the store keeps (`Date#toISOString`) is read
 * field by field, about three times faster than `Date.parse`: the SLA clocks read a case's instants
 * on every view of it. Anything else (other forms, days 29–31, bad digits) goes to `Date.parse`.
 */
export function instantMs(text: string): number {
  if (!storedForm(text)) return Date.parse(text);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const milli = text.charCodeAt(22) - 48;
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59;
  if (!(valid && second <= 59 && milli >>> 0 <= 9)) return Date.parse(text);
  const ms =
    daysFromCivil(twoDigits(text, 0) * 100 + twoDigits(text, 2), month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    twoDigits(text, 20) * 10 +
    milli;
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}
