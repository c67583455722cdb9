import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantMs, isoOf, storedInstantMs } from '#shared/sla/instants.ts';

describe('reading stored instants', () => {
  it('reads every instant as Date.parse does, from 1900 to 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(instantMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    '2026-03-02T09:00:00Z',
    '2026-03-02T10:00:00.000+01:00',
    '2026-02-31T09:00:00.000Z',
    '2026-03-02T24:00:00.000Z',
    '2026-03-02T09:60:00.000Z',
    '2026-0x-02T09:00:00.000Z',
    'not an instant at all....',
  ])('any other text goes as Date.parse reads it: %s', (text) => {
    expect(instantMs(text)).toEqual(Date.parse(text));
  });
});

describe('the stored form, read and written', () => {
  // Years 0000 to 9999: the stored form's four-digit years.
  const anyInstant = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 });

  it('reads the stored form of any instant of years 0000–9999 back to that instant', () => {
    fc.assert(
      fc.property(anyInstant, (ms) => {
        expect(storedInstantMs(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads only the stored form: a text it reads is exactly the stored form of what it read', () => {
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const field = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
    const shaped = fc
      .tuple(field(4), field(2), field(2), field(2), field(2), field(2), field(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string({ minLength: 24, maxLength: 24 })), (text) => {
        const ms = storedInstantMs(text);
        if (Number.isNaN(ms))
          expect(Number.isNaN(Date.parse(text)) || new Date(Date.parse(text)).toISOString() !== text).toBe(
            true,
          );
        else expect(new Date(ms).toISOString()).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it.each(['2024-02-29T12:00:00.000Z', '2100-02-28T23:59:59.999Z', '2000-02-29T00:00:00.000Z'])(
    'reads a last day of February: %s',
    (text) => {
      expect(storedInstantMs(text)).toBe(Date.parse(text));
    },
  );

  it.each(['2026-02-29T12:00:00.000Z', '2100-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z'])(
    'a day the month does not have is not the stored form: %s',
    (text) => {
      expect(storedInstantMs(text)).toBeNaN();
    },
  );

  it('writes any instant as toISOString does', () => {
    const edges = fc.constantFrom(
      0,
      -1,
      1.5,
      253_402_300_800_000,
      8.64e15,
      -8.64e15,
      Date.UTC(2026, 2, 29, 1),
    );
    fc.assert(
      fc.property(fc.oneof(anyInstant, edges), (ms) => {
        expect(isoOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });
});
