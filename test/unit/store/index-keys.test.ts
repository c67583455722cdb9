import { describe, expect, it } from 'vitest';
import { decide } from '#shared/cases/transitions.ts';
import { caseIndexKeys, changedIndexKeys } from '#shared/store/case-index.ts';
import { caseUpdate } from '#shared/store/cases.ts';
import { keyAttributes, listFilterCombinations, listIndexName } from '#shared/store/table.ts';
import { aCase, at, CONTACT, ENGINEER, HOUR, MONDAY } from '../cases/fixtures.ts';

const listIndexesWith = (letter: string) =>
  listFilterCombinations.filter((l) => l.includes(letter as never) && !l.includes('b')).map(listIndexName);

describe('index keys of a case (DECISIONS: indexes)', () => {
  it('a case is in one partition of each list index: every case, its account, its status, its severity and their combinations', () => {
    const keys = caseIndexKeys(aCase());
    expect(keys).toMatchObject({
      cases: 'CASES',
      cases_a: 'A#acme',
      cases_s: 'S#Open',
      cases_v: 'V#high',
      cases_as: 'A#acme#S#Open',
      cases_sv: 'S#Open#V#high',
      cases_asv: 'A#acme#S#Open#V#high',
    });
    // Sparse: no breach recorded, so in none of the breached partitions.
    expect(keys.cases_b).toBeUndefined();
    expect(keys.cases_asvb).toBeUndefined();
  });

  it('a recorded breach puts the case in the breached partitions of all 8 combinations', () => {
    const at = MONDAY.toISOString();
    const keys = caseIndexKeys(aCase({ slaOutcomes: { response: { state: 'breached', at } } }));
    expect(keys.cases_b).toBe('B');
    expect(keys.cases_ab).toBe('A#acme#B');
    expect(keys.cases_asvb).toBe('A#acme#S#Open#V#high#B');
    expect(Object.entries(keys).filter(([name, v]) => name.startsWith('cases') && v)).toHaveLength(16);
  });

  it('a note rewrites no index entry: its update names no index key attribute', () => {
    const c = aCase();
    const { next } = decide(
      c,
      { kind: 'engineer-note', note: 'Looking at the logs.', visibility: 'internal' },
      ENGINEER,
      at(MONDAY, HOUR),
    );
    expect(changedIndexKeys(c, next)).toEqual({});
    const written = Object.values(
      caseUpdate(next, c, {}, changedIndexKeys(c, next)).ExpressionAttributeNames,
    );
    expect(written.filter((name) => keyAttributes.includes(name) || name === 'caseId')).toEqual([]);
  });

  it('a status change moves only the 4 status-keyed list entries (and the queue entry, as the next due instant moved)', () => {
    const c = aCase();
    const { next } = decide(c, { kind: 'request-info', note: 'Which version?' }, ENGINEER, at(MONDAY, HOUR));
    const moved = changedIndexKeys(c, next);
    expect(
      Object.keys(moved)
        .filter((name) => name.startsWith('cases'))
        .sort(),
    ).toEqual(listIndexesWith('s').sort());
    expect(moved.cases_asv).toBe('A#acme#S#Awaiting Info#V#high');
    // The response is met (4 BH), the resolution paused while waiting on the customer: nothing due.
    expect(moved.queueDue).toBe('~#0000000042');
    const written = Object.values(
      caseUpdate(next, c, {}, changedIndexKeys(c, next)).ExpressionAttributeNames,
    );
    expect(written.filter((name) => keyAttributes.includes(name)).sort()).toEqual(Object.keys(moved).sort());
  });

  it('a severity change moves only the 4 severity-keyed list entries', () => {
    const c = aCase();
    const { next } = decide(
      c,
      { kind: 'set-severity', severity: 'medium', note: 'Workaround in place.' },
      ENGINEER,
      at(MONDAY, HOUR),
    );
    const moved = Object.keys(changedIndexKeys(c, next)).filter((name) => name.startsWith('cases'));
    expect(moved.sort()).toEqual(listIndexesWith('v').sort());
  });

  it('an open case is queued by its next due instant: its centre’s unowned queue, its owner’s once taken, none once closed', () => {
    const c = aCase();
    // business-care high: response 4 BH from Monday 09:00, due 13:00.
    expect(caseIndexKeys(c)).toMatchObject({
      queue: 'UNOWNED#emea',
      queueDue: '2026-03-02T13:00:00.000Z#0000000042',
    });
    const taken = decide(c, { kind: 'take' }, ENGINEER, at(MONDAY, HOUR)).next;
    expect(caseIndexKeys(taken)).toMatchObject({ queue: 'OWNER#eve@support.example' });
    const closed = decide(
      c,
      { kind: 'close', subStatus: 'Cancelled', note: 'Not needed.' },
      CONTACT,
      at(MONDAY, HOUR),
    ).next;
    expect(caseIndexKeys(closed)).toMatchObject({ queue: undefined, queueDue: undefined });
  });
});
