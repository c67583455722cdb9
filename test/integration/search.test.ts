import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCases } from '#shared/store/search.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

// Monday 2 March 2026, 09:00 in London (GMT).
const MONDAY = '2026-03-02T09:00:00Z';
const DANA = 'dana@acme.example';
const DEV = 'dev@acme.example';
const GUS = 'gus@globex.example';
const EVE = 'eve@support.example';
const MIA = 'mia@acme.example';

/** Server-side search (`GET /v1/cases?q=`): case numbers, subject words by prefix, contacts' e-mails. */
let t: TestRuntime;
let agents: string; // acme, Dana
let cafe: string; // acme, Dana
let login: string; // acme, Dev
let drops: string; // globex, Gus

async function create(as: string, subject: string, account = 'acme', key?: string) {
  const res = await t.api('POST', '/v1/cases', {
    as,
    body: { ...acmeHighCase, account, subject },
    ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
  });
  expect(res.status).toBeLessThan(300);
  return res.body.number as string;
}

/** The numbers a search answers, and the Query and BatchGetItem calls it took. */
async function search(query: string, as = EVE) {
  const before = { ...t.runtime.counters.dynamodb };
  const res = await t.api('GET', `/v1/cases?${query}`, { as });
  const calls = (op: string) => (t.runtime.counters.dynamodb[op] ?? 0) - (before[op] ?? 0);
  return {
    status: res.status,
    body: res.body,
    numbers: (res.body.items ?? []).map((c: { number: string }) => c.number) as string[],
    queries: calls('Query'),
    batchGets: calls('BatchGetItem'),
  };
}

beforeAll(async () => {
  t = await startTestRuntime(MONDAY);
  await t.provision({
    contacts: { [MIA]: { name: 'Mia', access: { acme: 'designated', globex: 'designated' } } },
  });
  agents = await create(DANA, 'Agents cannot log in', 'acme', 'search-agents');
  cafe = await create(DANA, 'Café reports show wrong totals');
  login = await create(DEV, 'Login page slow');
  drops = await create(GUS, 'Agents drop calls', 'globex');
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('search by subject words, e-mail and case number (issue: a desk people can work in)', () => {
  it('a word’s prefix finds every case whose subject has a word starting with it, newest first, from one Query and one BatchGetItem', async () => {
    const found = await search('q=agent');
    expect(found.numbers).toEqual([drops, agents]);
    expect([found.queries, found.batchGets]).toEqual([1, 1]);
    expect((await search('q=log')).numbers).toEqual([login, agents]);
  });

  it('case and accents do not matter', async () => {
    expect((await search('q=CAFE')).numbers).toEqual([cafe]);
    expect((await search(`q=${encodeURIComponent('café')}`)).numbers).toEqual([cafe]);
    expect((await search(`q=${encodeURIComponent('Repórts')}`)).numbers).toEqual([cafe]);
  });

  it('several words: cases matching all of them', async () => {
    expect((await search('q=agents%20log')).numbers).toEqual([agents]);
    expect((await search('q=agents%20calls')).numbers).toEqual([drops]);
    expect((await search('q=agents%20totals')).numbers).toEqual([]);
  });

  it('a case number, with or without its zero padding', async () => {
    expect((await search(`q=${Number(login)}`)).numbers).toEqual([login]);
    expect((await search(`q=${login}`)).numbers).toEqual([login]);
  });

  it('a contact’s e-mail address (or its beginning) finds the cases they opened', async () => {
    expect((await search(`q=${encodeURIComponent(DEV)}`)).numbers).toEqual([login]);
    expect((await search('q=dana')).numbers).toEqual([cafe, agents]);
  });

  it('a contact searches only their account’s cases: globex’s are not found, by word or by number', async () => {
    expect((await search('q=agents', DANA)).numbers).toEqual([agents]);
    expect((await search(`q=${Number(drops)}`, DANA)).numbers).toEqual([]);
    expect((await search(`q=${encodeURIComponent(GUS)}`, DANA)).numbers).toEqual([]);
  });

  it('a contact of several accounts names one (400 naming account otherwise)', async () => {
    const unchosen = await search('q=agents', MIA);
    expect(unchosen.status).toBe(400);
    expect(unchosen.body.error.field).toBe('account');
    expect((await search('q=agents&account=globex', MIA)).numbers).toEqual([drops]);
  });

  it('a search too short to look up is 400 naming q', async () => {
    for (const q of ['a', '%20', '-', '']) {
      const res = await search(`q=${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.field).toBe('q');
    }
  });

  it('a forged search cursor, or one of another search, is 400 naming cursor', async () => {
    const forged = (key: object) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const cursor of [
      'zzz',
      forged({ pk: 'SEARCH#A#globex#ag', sk: 'agents#0000000004' }),
      forged({ pk: 'SEARCH#ALL#ca', sk: 'cafe#0000000002' }),
    ]) {
      const res = await search(`q=agents&cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe('cursor');
    }
  });

  it('a retried creation (same Idempotency-Key) is found once', async () => {
    expect(await create(DANA, 'Agents cannot log in', 'acme', 'search-agents')).toBe(agents);
    expect((await search('q=cannot')).numbers).toEqual([agents]);
  });

  it('the other filters narrow a search', async () => {
    await t.api('POST', `/v1/cases/${agents}/actions/request-info`, {
      as: EVE,
      body: { note: 'Which server?' },
    });
    expect((await search('q=agents&status=Open')).numbers).toEqual([drops]);
    expect((await search(`q=agents&status=${encodeURIComponent('Awaiting Info')}`)).numbers).toEqual([
      agents,
    ]);
  });
});

describe('search pages', () => {
  it('a case with several words of the prefix (logs, login) is answered once over all the pages', async () => {
    const both = await create(DEV, 'Logs show login errors');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchCases('ALL', 'log', cursor, 1);
      seen.push(...page.items.map((c) => c.number));
      cursor = page.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([agents, login, both].sort());
  });

  it('several words: a page the other words leave short reads on (up to 4 Queries), so it is full while more remains, and the next page starts right after its last case', async () => {
    const printers: string[] = [];
    for (const subject of ['offline', 'jams', 'offline', 'offline', 'jams', 'offline'])
      printers.push(await create(DANA, `Printer ${subject}`));
    const [, jams1, , , jams2] = printers;
    const queries = () => t.runtime.counters.dynamodb.Query ?? 0;
    const before = queries();
    // "printer" is looked up (the longest word), newest first, 2 hits a Query: the page of 2 fills
    // from 3 Queries, and stops at the hit it was full with.
    const first = await searchCases('ALL', 'printer jams', undefined, 2);
    expect(first.items.map((c) => c.number)).toEqual([jams2, jams1]);
    expect(queries() - before).toBe(3);
    expect(first.cursor).toBeDefined();
    // The oldest printer case is left: the next page reads it, matches nothing, and ends the search.
    const rest = await searchCases('ALL', 'printer jams', first.cursor, 2);
    expect(rest).toEqual({ items: [] });
    // With only the one word, a page is one Query.
    const one = queries();
    expect((await searchCases('ALL', 'printer', undefined, 2)).items).toHaveLength(2);
    expect(queries() - one).toBe(1);
    // A page full in the middle of a Query's hits: the next starts right after its last case.
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await searchCases('ALL', 'printer', cursor, 4);
      pages.push(page.items.map((c) => c.number));
      cursor = page.cursor;
    } while (cursor);
    expect(pages.flat()).toEqual([...printers].reverse());
    expect(pages[0]).toHaveLength(4);
  });
});
