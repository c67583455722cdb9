import { describe, expect, it } from 'vitest';
import { policy } from '#shared/catalogue/index.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { outcomeOf, TARGET_KINDS, targetsFor } from '#shared/sla/targets.ts';

// Monday 2 March 2026, 09:00 in London (GMT): the case becomes complete.
const COMPLETE = new Date('2026-03-02T09:00:00Z');

/** Hand-computed: each span of the catalogue from COMPLETE on the emea calendar. */
const DUE_FROM_MONDAY_0900: Record<string, string> = {
  '15min': '2026-03-02T09:15:00.000Z',
  '30min': '2026-03-02T09:30:00.000Z',
  '60min': '2026-03-02T10:00:00.000Z',
  '4h': '2026-03-02T13:00:00.000Z',
  '6h': '2026-03-02T15:00:00.000Z',
  '24h': '2026-03-03T09:00:00.000Z',
  '2BH': '2026-03-02T11:00:00.000Z',
  '4BH': '2026-03-02T13:00:00.000Z',
  '6BH': '2026-03-02T15:00:00.000Z',
  '1BD': '2026-03-03T09:00:00.000Z',
  '2BD': '2026-03-04T09:00:00.000Z',
  '4BD': '2026-03-06T09:00:00.000Z',
  '5BD': '2026-03-09T09:00:00.000Z',
  // pureconnect's root-cause-analysis targets, counted here from the same instant.
  '7BD': '2026-03-11T09:00:00.000Z',
  '9BD': '2026-03-13T09:00:00.000Z',
  '12BD': '2026-03-18T09:00:00.000Z',
  '10BD': '2026-03-16T09:00:00.000Z',
  '15BD': '2026-03-23T09:00:00.000Z',
  // 30 business days skip Good Friday (3 Apr) and Easter Monday (6 Apr), and keep 09:00 local time into BST.
  '30BD': '2026-04-15T08:00:00.000Z',
};

const rows = Object.entries(policy.plans).flatMap(([plan, p]) =>
  Object.entries(p.targets).map(([severity, t]) => ({ plan, severity, t })),
);

describe('targets for every plan × severity (SPEC §4), emea, complete Monday 09:00', () => {
  it.each(rows)('$plan / $severity', ({ plan, severity, t }) => {
    const targets = targetsFor({
      plan,
      severity: severity as never,
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
    });
    for (const kind of TARGET_KINDS) {
      const span = t[kind] ?? null;
      expect(targets[kind].target, kind).toBe(span);
      expect(targets[kind].due?.toISOString() ?? null, `${kind} ${span}`).toBe(
        span ? DUE_FROM_MONDAY_0900[span] : null,
      );
    }
  });

  it('the catalogue has the SPEC numbers, e.g. premium-care high: 2 BH response, 2 BD resolution, 90%', () => {
    expect(policy.plans['premium-care']?.targets.high).toEqual({
      response: '2BH',
      restoration: null,
      resolution: '2BD',
      share: 0.9,
    });
    expect(policy.plans['care-for-cloud']?.targets.low).toMatchObject({
      response: '2BD',
      restoration: null,
      resolution: null,
    });
  });
});

describe('pauses (waiting on the customer)', () => {
  // Awaiting Info from Monday 11:00 to Wednesday 11:00: 2 × 11 open hours paused.
  const pause = { from: Date.parse('2026-03-02T11:00:00Z'), to: Date.parse('2026-03-04T11:00:00Z') };

  it('never pause the response clock', () => {
    const t = targetsFor({
      plan: 'business-care-for-cloud',
      severity: 'high',
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
      pauses: [pause],
    });
    expect(t.response.due?.toISOString()).toBe('2026-03-02T11:00:00.000Z');
  });

  it('extend restoration and resolution by the open time paused', () => {
    const t = targetsFor({
      plan: 'business-care-for-cloud',
      severity: 'high',
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
      pauses: [pause],
    });
    // 2 BD → Wednesday 09:00, plus the 20 open hours paused before it, counted once the pause
    // is over (Wednesday 11:00): 8 h Wednesday, 11 h Thursday, 1 h Friday → Friday 09:00. The
    // same as stopping the 22-hour clock for the pause: 2 h Monday, then 20 h from Wednesday 11:00.
    expect(t.restoration.due?.toISOString()).toBe('2026-03-06T09:00:00.000Z');
  });

  it('a pause running past the unpaused due instant keeps the clock stopped to its end', () => {
    // Awaiting Info from Monday 09:30 for a week: the 2 BD (22 open hours) have not started to run.
    const week = { from: Date.parse('2026-03-02T09:30:00Z'), to: Date.parse('2026-03-09T09:30:00Z') };
    const t = targetsFor({
      plan: 'business-care',
      severity: 'high',
      calendar: calendarOf('emea'),
      completedAt: new Date('2026-03-02T09:30:00Z'),
      pauses: [week],
    });
    // 22 open hours from Monday 9 March 09:30: 9.5 h Monday, 11 h Tuesday, 1.5 h Wednesday.
    expect(t.resolution.due?.toISOString()).toBe('2026-03-11T09:30:00.000Z');
  });

  it('across a weekend and a holiday count only the open time paused', () => {
    // Paused from Thursday 2 April 18:00 (BST) to Tuesday 7 April 09:00: 1 h Thursday + 1 h Tuesday open.
    const easter = { from: Date.parse('2026-04-02T17:00:00Z'), to: Date.parse('2026-04-07T08:00:00Z') };
    const t = targetsFor({
      plan: 'business-care-for-cloud',
      severity: 'medium',
      calendar: calendarOf('emea'),
      completedAt: new Date('2026-04-02T08:00:00Z'),
      pauses: [easter],
    });
    // 4 BH without pause: Thursday 13:00 BST, before the pause: unchanged (response never pauses anyway).
    expect(t.response.due?.toISOString()).toBe('2026-04-02T12:00:00.000Z');
    // 5 BD from Thursday 09:00 BST: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 → 09:00 BST, + 2 paused open hours → 11:00 BST.
    expect(t.restoration.due?.toISOString()).toBe('2026-04-13T10:00:00.000Z');
  });

  it('a severity change recomputes from the complete time', () => {
    const high = targetsFor({
      plan: 'business-care',
      severity: 'high',
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
    });
    const medium = targetsFor({
      plan: 'business-care',
      severity: 'medium',
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
    });
    expect(high.response.due?.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(medium.response.due?.toISOString()).toBe('2026-03-03T09:00:00.000Z');
  });
});

describe('met or breached, with the instant', () => {
  const t = targetsFor({
    plan: 'business-care',
    severity: 'high',
    calendar: calendarOf('emea'),
    completedAt: COMPLETE,
  }).response;
  it('support acting exactly at the due instant meets the target', () => {
    expect(outcomeOf(t, new Date('2026-03-02T13:00:00Z'), new Date('2026-03-02T14:00:00Z'))).toEqual({
      state: 'met',
      at: '2026-03-02T13:00:00.000Z',
    });
  });
  it('one millisecond late breaches it, at the due instant', () => {
    expect(outcomeOf(t, new Date('2026-03-02T13:00:00.001Z'), new Date('2026-03-02T14:00:00Z'))).toEqual({
      state: 'breached',
      at: '2026-03-02T13:00:00.000Z',
    });
  });
  it('no act yet: pending until the due instant passes, then breached', () => {
    expect(outcomeOf(t, null, new Date('2026-03-02T13:00:00Z'))).toEqual({ state: 'pending' });
    expect(outcomeOf(t, null, new Date('2026-03-02T13:00:00.001Z'))).toEqual({
      state: 'breached',
      at: '2026-03-02T13:00:00.000Z',
    });
  });
  it('n/a targets have no outcome', () => {
    const none = targetsFor({
      plan: 'business-care',
      severity: 'high',
      calendar: calendarOf('emea'),
      completedAt: COMPLETE,
    }).restoration;
    expect(outcomeOf(none, null, new Date())).toEqual({ state: 'n/a' });
  });
});
