import { describe, expect, it } from 'vitest';
import { flags, runCasework, tempFile } from '../../casework-cli.ts';

const casework = (...args: string[]) => runCasework(args);
const highInEmea = { plan: 'business-care', severity: 'high', centre: 'emea' };

describe('npx casework sla due', () => {
  it('prints the three targets as JSON with their explanation', async () => {
    const r = await casework('sla', 'due', ...flags({ ...highInEmea, from: '2026-03-06T17:00:00Z' }));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.response.due).toBe('2026-03-09T10:00:00.000Z');
    expect(out.restoration.due).toBeNull();
    expect(out.resolution.due).toBe('2026-03-10T17:00:00.000Z');
    expect(out.response.explanation.counted).toEqual([
      { from: '2026-03-06T17:00:00.000Z', to: '2026-03-06T19:00:00.000Z' },
      { from: '2026-03-09T08:00:00.000Z', to: '2026-03-09T10:00:00.000Z' },
    ]);
  });

  it('takes pauses for restoration and resolution', async () => {
    const r = await casework(
      'sla',
      'due',
      ...flags({
        ...highInEmea,
        plan: 'business-care-for-cloud',
        from: '2026-03-02T09:00:00Z',
        paused: '2026-03-02T11:00:00Z/2026-03-04T11:00:00Z',
      }),
    );
    expect(JSON.parse(r.stdout).restoration.due).toBe('2026-03-06T09:00:00.000Z');
  });

  it('prints a readable table with --human', async () => {
    const r = await casework(
      'sla',
      'due',
      ...flags({ ...highInEmea, from: '2026-03-06T17:00:00Z', human: true }),
    );
    expect(r.stdout).toMatch(/response\s+4BH\s+2026-03-09T10:00:00.000Z/);
  });

  it.each([
    ['an unknown plan', { plan: 'gold' }, '--plan'],
    ['an unknown severity', { severity: 'urgent' }, '--severity'],
    ['an unknown centre', { centre: 'mars' }, '--centre'],
    ['an invalid instant', { from: 'yesterday' }, '--from'],
    ['a pause ending before it starts', { paused: '2026-03-03T00:00:00Z/2026-03-02T00:00:00Z' }, '--paused'],
  ])('exits 2 naming the field for %s', async (_what, wrong, field) => {
    const r = await casework(
      'sla',
      'due',
      ...flags({ ...highInEmea, from: '2026-03-02T09:00:00Z', ...wrong }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(field);
  });
});

describe('npx casework sla add', () => {
  it('adds fractional business hours on a centre, keeping milliseconds', async () => {
    const r = await casework(
      'sla',
      'add',
      ...flags({ centre: 'emea', from: '2026-03-06T18:30:00.250Z', hours: '1.5' }),
    );
    expect(JSON.parse(r.stdout).due).toBe('2026-03-09T09:00:00.250Z');
  });

  it('works on any calendar file of the SPEC §4 format', async () => {
    const day = [['08:00', '19:00']];
    const calendar = tempFile(
      'cal.json',
      JSON.stringify({
        timeZone: 'Europe/London',
        week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
        holidays: [
          { date: '2026-12-25', name: 'Christmas Day' },
          { date: '2026-12-24', closed: [['13:00', '24:00']], name: 'Christmas Eve afternoon' },
        ],
      }),
    );
    const r = await casework(
      'sla',
      'add',
      ...flags({ calendar, from: '2026-12-24T12:00:00Z', minutes: '90' }),
    );
    expect(JSON.parse(r.stdout).due).toBe('2026-12-28T08:30:00.000Z');
    const days = await casework(
      'sla',
      'add',
      ...flags({ calendar, from: '2026-12-22T15:00:00Z', days: '2' }),
    );
    expect(JSON.parse(days.stdout).due).toBe('2026-12-24T13:00:00.000Z');
  });

  it('exits 2 naming the bad value of a calendar file', async () => {
    const calendar = tempFile('bad.json', JSON.stringify({ timeZone: 'Mars/Olympus', week: {} }));
    const r = await casework('sla', 'add', ...flags({ calendar, from: '2026-12-24T12:00:00Z', hours: '1' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timeZone');
  });
});
