import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredCase } from '#shared/cases/model.ts';
import { caseIndexKeys } from '#shared/store/case-index.ts';
import { getCase } from '#shared/store/cases.ts';
import { ddb } from '#shared/store/clients.ts';
import { caseKey, counterKey } from '#shared/store/keys.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

// Monday 2 March 2026, 09:00 in London (GMT).
const MONDAY = '2026-03-02T09:00:00Z';
const DANA = 'dana@acme.example';
const GUS = 'gus@globex.example';
const EVE = 'eve@support.example';
const ED = 'ed@support.example';
const MULTI = 'mia@acme.example';

/**
 * Every list filter is answered by key: one Query of the index holding exactly the matching cases
 * (and one BatchGetItem of the page's cases), however rare the matches among all the cases.
 */
let t: TestRuntime;
const id = (n: number) => String(n).padStart(10, '0');
/** Bulk cases, written straight to the table: 240 closed, 54 open, 3 closed with a recorded breach. */
const closed = Array.from({ length: 240 }, (_, i) => id(100 + i));
const open = Array.from({ length: 54 }, (_, i) => id(340 + i));
const breached = [id(394), id(395), id(396)];
let template: string;
let n1: string; // acme high, Open
let n2: string; // acme low, Open
let n3: string; // globex high, Open
let n4: string; // acme high, Awaiting Info

const newestFirst = (numbers: string[]) => [...numbers].sort().reverse();

/** The DynamoDB calls of each operation while `act` ran (every function, the workflow settled). */
async function callsOf(act: () => Promise<unknown>) {
  const before = { ...t.runtime.counters.dynamodb };
  await act();
  const after = t.runtime.counters.dynamodb;
  return Object.fromEntries(
    Object.keys(after)
      .map((op) => [op, (after[op] ?? 0) - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

/** One page of a list, with the Query and BatchGetItem calls it took. */
async function page(query: string, as = EVE) {
  let res: Awaited<ReturnType<TestRuntime['api']>> | undefined;
  const calls = await callsOf(async () => {
    res = await t.api('GET', `/v1/cases${query}`, { as });
  });
  const { status, body } = res as NonNullable<typeof res>;
  return {
    status,
    body,
    numbers: (body.items ?? []).map((c: { number: string }) => c.number) as string[],
    queries: calls.Query ?? 0,
    batchGets: calls.BatchGetItem ?? 0,
  };
}

/** Every page of a list, following the cursor; each page one Query and one BatchGetItem. */
async function allPages(query: string, as = EVE) {
  const numbers: string[] = [];
  const pages: { numbers: string[]; queries: number; batchGets: number }[] = [];
  let cursor: string | undefined;
  do {
    const sep = query ? '&' : '?';
    const p = await page(`${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`, as);
    expect(p.status).toBe(200);
    numbers.push(...p.numbers);
    pages.push(p);
    cursor = p.body.cursor;
  } while (cursor);
  return { numbers, pages };
}

async function create(as: string, body: object) {
  const res = await t.api('POST', '/v1/cases', { as, body });
  expect(res.status).toBe(201);
  return res.body.number as string;
}

beforeAll(async () => {
  t = await startTestRuntime(MONDAY);
  await t.provision({
    engineers: { [ED]: { name: 'Ed', centres: ['emea'] } },
    contacts: { [MULTI]: { name: 'Mia', access: { acme: 'designated', globex: 'designated' } } },
  });
  template = await create(DANA, { ...acmeHighCase, severity: 'medium', businessImpact: undefined });
  const stored = (await getCase(template)) as StoredCase;
  const at = MONDAY.replace('Z', '.000Z');
  const bulk = [
    ...closed.map((caseId) => ({
      ...stored,
      caseId,
      number: caseId,
      status: 'Closed' as const,
      subStatus: 'Solution Accepted',
      closedAt: at,
      respondedAt: at,
      resolvedAt: at,
      slaOutcomes: { response: { state: 'met' as const, at }, resolution: { state: 'met' as const, at } },
      workflowDone: true,
      outbox: {},
    })),
    ...open.map((caseId) => ({ ...stored, caseId, number: caseId, outbox: {} })),
    ...breached.map((caseId) => ({
      ...stored,
      caseId,
      number: caseId,
      status: 'Closed' as const,
      subStatus: 'Solution Accepted',
      closedAt: at,
      slaOutcomes: { response: { state: 'breached' as const, at } },
      workflowDone: true,
      outbox: {},
    })),
  ];
  for (let i = 0; i < bulk.length; i += 25) {
    const items = bulk.slice(i, i + 25).map((c) => ({
      PutRequest: { Item: JSON.parse(JSON.stringify({ ...caseKey(c.caseId), ...caseIndexKeys(c), ...c })) },
    }));
    await ddb().send(
      new BatchWriteCommand({ RequestItems: { [process.env.CASEWORK_TABLE as string]: items } }),
    );
  }
  // The cases opened next are numbered after the bulk ones.
  await ddb().send(
    new UpdateCommand({
      TableName: process.env.CASEWORK_TABLE,
      Key: counterKey('CASE_NUMBER'),
      UpdateExpression: 'SET #v = :v',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':v': 1000 },
    }),
  );
  n1 = await create(DANA, acmeHighCase);
  n2 = await create(DANA, { ...acmeHighCase, severity: 'low' });
  n3 = await create(GUS, { ...acmeHighCase, account: 'globex' });
  n4 = await create(DANA, acmeHighCase);
  const asked = await t.api('POST', `/v1/cases/${n4}/actions/request-info`, {
    as: EVE,
    body: { note: 'Which version?' },
  });
  expect(asked.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('case list filters answered by key, one Query and one BatchGetItem per page', () => {
  it.each([
    ['status', '?status=Awaiting%20Info', () => [n4]],
    ['severity', '?severity=high', () => [n4, n3, n1]],
    ['a rare severity', '?severity=low', () => [n2]],
    ['status and severity', '?status=Open&severity=high', () => [n3, n1]],
    ['breached (recorded breaches)', '?breached=true', () => newestFirst(breached)],
    ['breached and status', '?breached=true&status=Open', () => []],
    ['account (an engineer)', '?account=globex', () => [n3]],
    ['account and severity (an engineer)', '?account=acme&severity=high', () => [n4, n1]],
  ])(
    '%s: exactly the matching cases of 302, newest first, from one Query page',
    async (_what, query, expected) => {
      const p = await page(query);
      expect(p.status).toBe(200);
      expect(p.numbers).toEqual(expected());
      expect(p.body.cursor).toBeUndefined();
      expect(p.queries).toBe(1);
      expect(p.batchGets).toBeLessThanOrEqual(1);
    },
  );

  it('a contact lists only their account’s cases, by key: severity=high for Dana is acme’s two', async () => {
    const p = await page('?severity=high', DANA);
    expect(p.numbers).toEqual([n4, n1]);
    expect(p.queries).toBe(1);
  });

  it('a contact of several accounts chooses one (400 naming account otherwise); each filter then within it', async () => {
    const unchosen = await page('?severity=high', MULTI);
    expect(unchosen.status).toBe(400);
    expect(unchosen.body.error.field).toBe('account');
    expect((await page('?account=globex&severity=high', MULTI)).numbers).toEqual([n3]);
    const awaiting = await page('?account=acme&status=Awaiting%20Info', MULTI);
    expect(awaiting.numbers).toEqual([n4]);
    expect(awaiting.queries).toBe(1);
  });

  it('a filtered list pages with its cursor: the 243 closed cases in 5 pages of 50, newest first, each one Query and one BatchGetItem', async () => {
    const { numbers, pages } = await allPages('?status=Closed');
    expect(numbers).toEqual(newestFirst([...closed, ...breached]));
    expect(pages.map((p) => p.numbers.length)).toEqual([50, 50, 50, 50, 43]);
    for (const p of pages) expect([p.queries, p.batchGets]).toEqual([1, 1]);
  });

  it('the unfiltered list is every case, newest case first, 7 pages of at most 50', async () => {
    const { numbers, pages } = await allPages('');
    expect(numbers).toEqual(newestFirst([template, ...closed, ...open, ...breached, n1, n2, n3, n4]));
    expect(pages).toHaveLength(7);
  });

  it('the list and queue indexes hold only keys (KEYS_ONLY, honoured by the local DynamoDB): the page’s cases are read by key', async () => {
    for (const [IndexName, pk, value, sk] of [
      ['cases_as', 'cases_as', 'A#acme#S#Open', 'caseId'],
      ['queues', 'queue', 'UNOWNED#emea', 'queueDue'],
    ] as const) {
      const { Items = [] } = await ddb().send(
        new QueryCommand({
          TableName: process.env.CASEWORK_TABLE,
          IndexName,
          KeyConditionExpression: '#pk = :v',
          ExpressionAttributeNames: { '#pk': pk },
          ExpressionAttributeValues: { ':v': value },
          Limit: 1,
        }),
      );
      expect(Object.keys(Items[0] ?? {}).sort()).toEqual([pk, sk, 'pk', 'sk'].sort());
    }
  });

  it('a cursor of another list, or forged, is 400 naming cursor', async () => {
    const { body } = await page('?status=Closed');
    for (const query of [
      `?status=Open&cursor=${body.cursor}`,
      `?severity=low&cursor=${body.cursor}`,
      `?queue=unowned&cursor=${body.cursor}`,
      `?cursor=${Buffer.from(JSON.stringify({ pk: 'CASE#1', sk: 'CASE', cases_s: 'S#Closed', caseId: '1' })).toString('base64url')}`,
    ]) {
      const res = await page(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field).toBe('cursor');
    }
  });
});

describe('engineers’ queues from their own index (SPEC §2)', () => {
  it('the unowned queue of an engineer’s centre: its open unowned cases, most urgent first, one Query and one BatchGetItem a page', async () => {
    const { numbers, pages } = await allPages('?queue=unowned', ED);
    // emea: acme's open cases; globex (north-america) and the closed ones are not in it.
    expect([...numbers].sort()).toEqual([template, ...open, n1, n2, n4].sort());
    expect(numbers[0]).toBe(n1); // high: response due at 13:00, the first due
    expect(pages.map((p) => [p.numbers.length, p.queries, p.batchGets])).toEqual([
      [50, 1, 1],
      [8, 1, 1],
    ]);
  });

  it('the queue is in next-due order, cases with nothing due last', async () => {
    const res = await t.api('GET', '/v1/cases?queue=unowned', { as: ED });
    const dues = res.body.items.map((c: { nextDue: string | null }) => c.nextDue ?? '~');
    expect(dues).toEqual([...dues].sort());
  });

  it('a case taken leaves the unowned queue for its owner’s; an engineer of every centre sees every centre’s', async () => {
    expect((await t.api('POST', `/v1/cases/${n1}/actions/take`, { as: ED, body: {} })).status).toBe(200);
    const mine = await page('?queue=mine', ED);
    expect(mine.numbers).toEqual([n1]);
    expect([mine.queries, mine.batchGets]).toEqual([1, 1]);
    const unowned = await allPages('?queue=unowned', ED);
    expect(unowned.numbers).not.toContain(n1);
    // Eve has no centres: every centre's unowned cases, globex's included.
    const every = await allPages('?queue=unowned', EVE);
    expect([...every.numbers].sort()).toEqual([template, ...open, n2, n3, n4].sort());
  });
});

describe('breaches recorded by the workflow are in the breached lists', () => {
  it('a high case unanswered past its 4 BH response target is listed by ?breached=true, and no longer by ?breached=false', async () => {
    await t.advance('PT5H'); // 14:00: n1's response (due 13:00) breached; n3's (17:00) not yet
    const view = (await t.api('GET', `/v1/cases/${n1}`, { as: EVE })).body;
    expect(view.sla.response.outcome.state).toBe('breached');
    const yes = await page('?breached=true&severity=high');
    expect(yes.numbers).toEqual([n1]);
    expect(yes.queries).toBe(1);
    expect((await page('?breached=false&severity=high')).numbers).toEqual([n4, n3]);
    expect((await page('?breached=true')).numbers).toEqual([n1, ...newestFirst(breached)]);
  });
});
