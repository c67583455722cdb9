import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantMs } from '#shared/sla/instants.ts';

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
