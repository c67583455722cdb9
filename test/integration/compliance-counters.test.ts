import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredCase } from '#shared/cases/model.ts';
import { slaStatus, targetStarts } from '#shared/cases/sla.ts';
import { policy } from '#shared/catalogue/index.ts';
import { clock } from '#shared/clock.ts';
import { flushOutbox } from '#shared/service/cases.ts';
import { addBusinessDays } from '#shared/sla/business-time.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { TARGET_KINDS } from '#shared/sla/targets.ts';
import { getCase, listClosedCases } from '#shared/store/cases.ts';
import { ddb } from '#shared/store/clients.ts';
import { caseKey } from '#shared/store/keys.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime, umbrellaPureconnect } from './runtime.ts';

// Monday 2 March 2026, 09:00 (London GMT).
const MONDAY = '2026-03-02T09:00:00Z';
const ENGINEER = 'eve@support.example';
const DANA = 'dana@acme.example';
const GUS = 'gus@globex.example';
const UMA = 'uma@umbrella.example';
const MARCH = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T23:59:59.999Z' };

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime(MONDAY);
});
afterAll(async () => {
  await t?.stop();
});

const open = async (as: string, body: object) => {
  const res = await t.api('POST', '/v1/cases', { as, body });
  expect(res.status).toBe(201);
  return res.body.number as string;
};
const act = async (n: string, action: string, as: string, body: object) => {
  const res = await t.api('POST', `/v1/cases/${n}/actions/${action}`, { as, body });
  expect(res.status).toBe(200);
  return res;
};
const close = (n: string, as = ENGINEER) =>
  act(n, 'close', as, { subStatus: as === ENGINEER ? 'Problem Resolved' : 'Cancelled', note: 'Done.' });
const report = async (from: string, to: string) =>
  (await t.api('GET', `/v1/reports/sla-compliance?from=${from}&to=${to}`, { as: ENGINEER })).body.rows;

/**
 * The report as it was computed before the counters, from every case closed in the period: the
 * oracle the counters must agree with.
 */
async function reportFromCases(from: string, to: string) {
  const closed: StoredCase[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClosedCases(from, to, cursor);
    closed.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const businessDaysBetween = (c: StoredCase, start: Date, end: Date) => {
    let days = 0;
    while (days < 260 && addBusinessDays(calendarOf(c.centre), start, days + 1).due <= end) days++;
    return days;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the oracle builds the report's JSON freely
  const rows = new Map<string, any>();
  const rcaDays = new Map<string, number[]>();
  for (const c of closed) {
    const status = slaStatus(c, new Date(c.closedAt as string));
    if (!status) continue;
    const key = `${c.plan}|${c.severity}`;
    const plan = policy.plans[c.plan];
    if (!rows.has(key))
      rows.set(key, {
        plan: c.plan,
        severity: c.severity,
        closedCases: 0,
        targets: {},
        contractualShare: plan?.targets[c.severity]?.share ?? null,
        compliant: null,
      });
    const row = rows.get(key);
    row.closedCases++;
    for (const kind of TARGET_KINDS) {
      const s = status[kind];
      if (!s.target) continue;
      const share =
        kind === 'resolution' ? row.contractualShare : kind === 'restoration' ? plan?.restorationShare : null;
      row.targets[kind] ??= {
        target: s.target,
        met: 0,
        breached: 0,
        shareMet: null,
        ...(typeof share === 'number' ? { contractualShare: share } : {}),
      };
      if (s.outcome.state === 'met') row.targets[kind].met++;
      else if (s.outcome.state === 'breached') row.targets[kind].breached++;
    }
    const rcaFrom = targetStarts(c).rootCause;
    if (status.rootCause.target && rcaFrom && c.rcaDeliveredAt)
      rcaDays.set(key, [
        ...(rcaDays.get(key) ?? []),
        businessDaysBetween(c, rcaFrom, new Date(c.rcaDeliveredAt)),
      ]);
  }
  for (const [key, row] of rows) {
    for (const target of Object.values(row.targets) as { met: number; breached: number; shareMet: unknown }[])
      target.shareMet = target.met + target.breached ? target.met / (target.met + target.breached) : null;
    if (row.targets.rootCause) {
      const days = rcaDays.get(key) ?? [];
      row.targets.rootCause.averageBusinessDays = days.length
        ? days.reduce((a, b) => a + b, 0) / days.length
        : null;
    }
    const resolution = row.targets.resolution?.shareMet;
    row.compliant =
      row.contractualShare === null || resolution === null || resolution === undefined
        ? null
        : resolution >= row.contractualShare;
  }
  const order = (r: { plan: string; severity: never }) =>
    `${r.plan}|${policy.severities.indexOf(r.severity)}`;
  return [...rows.values()].sort((a, b) => order(a).localeCompare(order(b)));
}

describe('compliance counters kept at closure (SPEC §4 report without reading every case)', () => {
  let reclosed: string;

  beforeAll(async () => {
    await t.provision(umbrellaPureconnect);
    const fast = await open(DANA, acmeHighCase);
    const slow = await open(DANA, acmeHighCase);
    const medium = await open(DANA, { ...acmeHighCase, severity: 'medium', businessImpact: undefined });
    const cancelled = await open(DANA, acmeHighCase);
    const cloud = await open(GUS, { ...acmeHighCase, account: 'globex', businessImpact: 'Calls drop.' });
    const rca = await open(UMA, { ...acmeHighCase, account: 'umbrella' });
    reclosed = await open(DANA, acmeHighCase);
    const reopened = await open(DANA, acmeHighCase);

    await act(fast, 'respond', ENGINEER, { note: 'On it.' });
    await close(fast);
    await act(cloud, 'mark-restored', ENGINEER, { note: 'Standby active.' });
    await close(cloud);
    await close(cancelled, DANA);
    await act(rca, 'mark-information-complete', ENGINEER, {});
    await act(reclosed, 'respond', ENGINEER, { note: 'On it.' });
    await close(reclosed);
    await act(reopened, 'respond', ENGINEER, { note: 'On it.' });
    await close(reopened);
    await t.advance('P3D'); // Thursday: the high targets are breached by now
    await act(slow, 'respond', ENGINEER, { note: 'Sorry for the wait.' });
    await close(slow);
    await act(rca, 'deliver-rca', ENGINEER, { note: 'Root cause: a full disk.' });
    await close(rca);
    await act(reclosed, 'reopen', ENGINEER, { note: 'It came back.' });
    await act(reopened, 'reopen', ENGINEER, { note: 'It came back too.' });
    await t.advance('P1D'); // Friday: closed again, on another day than the first time
    await close(reclosed);
    await act(medium, 'respond', ENGINEER, { note: 'Looking.' });
    await close(medium);
  }, 300_000);

  it('the counters of a month give the report computed from its closed cases, reopened and re-closed ones included', async () => {
    const expected = await reportFromCases(MARCH.from, MARCH.to);
    expect(expected.map((r) => [r.plan, r.severity, r.closedCases])).toEqual([
      ['business-care-for-cloud', 'high', 1],
      ['business-care', 'high', 4],
      ['business-care', 'medium', 1],
      ['pureconnect', 'high', 1],
    ]);
    const before = t.runtime.counters.calls.api?.dynamodb ?? 0;
    expect(await report(MARCH.from, MARCH.to)).toEqual(expected);
    // The caller's user, then one page of the month's counters: no case is read.
    expect((t.runtime.counters.calls.api?.dynamodb ?? 0) - before).toBe(2);
  });

  it('a period that starts and ends within days adds the cases of those part-days to the counters of the whole ones', async () => {
    for (const [from, to] of [
      ['2026-03-02T12:00:00.000Z', '2026-03-06T09:30:00.000Z'],
      ['2026-03-05T09:00:00.000Z', '2026-03-05T10:00:00.000Z'],
      ['2026-03-01T00:00:00.000Z', '2026-03-05T00:00:00.000Z'],
    ] as const)
      expect(await report(from, to)).toEqual(await reportFromCases(from, to));
  });

  it('a closure whose counting is delivered again (a crash before its outbox entry was taken off) counts once', async () => {
    const before = await report(MARCH.from, MARCH.to);
    const c = (await getCase(reclosed)) as StoredCase;
    // The outbox entry of the re-closure's count, as the write that closed it put it (ids are
    // `<revision>-<kind><index>`), put back as if the flush had crashed after counting.
    const entry = `${String(c.revision).padStart(6, '0')}-c0`;
    await ddb().send(
      new UpdateCommand({
        TableName: process.env.CASEWORK_TABLE,
        Key: caseKey(reclosed),
        UpdateExpression: 'SET #outbox.#e = :entry',
        ExpressionAttributeNames: { '#outbox': 'outbox', '#e': entry },
        ExpressionAttributeValues: { ':entry': { type: 'count', share: c.counted, sign: 1 } },
      }),
    );
    await flushOutbox(reclosed, clock.now());
    await flushOutbox(reclosed, clock.now());
    expect((await getCase(reclosed))?.outbox).toEqual({});
    expect(await report(MARCH.from, MARCH.to)).toEqual(before);
  });

  it('the same closure sent twice at once closes the case once and counts it once', async () => {
    const n = await open(DANA, acmeHighCase);
    const before = await report(MARCH.from, MARCH.to);
    const body = { subStatus: 'Problem Resolved', note: 'Fixed.' };
    const statuses = (
      await Promise.all(
        [1, 2].map(() => t.api('POST', `/v1/cases/${n}/actions/close`, { as: ENGINEER, body })),
      )
    ).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409]);
    const after = await report(MARCH.from, MARCH.to);
    const acmeHigh = (rows: { plan: string; severity: string; closedCases: number }[]) =>
      rows.find((r) => r.plan === 'business-care' && r.severity === 'high')?.closedCases ?? 0;
    expect(acmeHigh(after)).toBe(acmeHigh(before) + 1);
    expect(after).toEqual(await reportFromCases(MARCH.from, MARCH.to));
  });
});
