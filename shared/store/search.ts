import { BatchWriteCommand, type BatchWriteCommandOutput, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, StoredCase } from '../cases/model.ts';
import { invalid } from '../errors.ts';
import { ddb } from './clients.ts';
import { batchGet, type Page, table } from './dynamo.ts';
import { caseKey, type SearchScope, searchItemKey, searchPartition } from './keys.ts';

/**
 * The search words of the cases: one item per word of a case's subject and its contact's e-mail,
 * for its account and for every case, so that a word's prefix is one `begins_with` Query. Written
 * once (a subject never changes), by the effects of the case's creation.
 */

/** At most this many words of a subject are searchable (a subject is at most 200 characters). */
const MAX_WORDS = 20;

/** Text as searched: accents off, lower case. */
const normalised = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** The distinct words of a text (letters and digits, at least two), in order. */
export function wordsOf(text: string): string[] {
  return [...new Set(normalised(text).match(/[\p{L}\p{N}]{2,}/gu) ?? [])];
}

/** What a case is found by: the words of its subject (the first 20) and its contact's e-mail. */
export const searchTermsOf = (c: Pick<CaseRecord, 'subject' | 'contact'>) => [
  ...wordsOf(c.subject).slice(0, MAX_WORDS),
  c.contact.toLowerCase(),
];

/**
 * The terms of a query: e-mail addresses whole, other text by its words. Longest first: the
 * longest is looked up, the others checked on the cases found.
 */
export function queryTerms(q: string): string[] {
  const terms = q
    .split(/\s+/)
    .flatMap((token) => (token.includes('@') ? [token.toLowerCase()] : wordsOf(token)))
    .filter((term) => term.length >= 2);
  return [...new Set(terms)].sort((a, b) => b.length - a.length);
}

/** A case's search items: each term, for every case and for its account. */
export const searchItemsOf = (c: Pick<CaseRecord, 'caseId' | 'account' | 'subject' | 'contact'>) =>
  searchTermsOf(c).flatMap((term) =>
    (['ALL', { account: c.account }] as SearchScope[]).map((scope) => ({
      ...searchItemKey(scope, term, c.caseId),
      caseId: c.caseId,
    })),
  );

/** Writes a case's search items (25 a request); again after a crash or a retry, the same items. */
export async function putSearchItems(c: CaseRecord): Promise<void> {
  const items = searchItemsOf(c);
  for (let i = 0; i < items.length; i += 25) {
    let pending: unknown[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(20 * 2 ** attempt, 1000)));
      const answer: BatchWriteCommandOutput = await ddb().send(
        new BatchWriteCommand({ RequestItems: { [table()]: pending as never } }),
      );
      pending = answer.UnprocessedItems?.[table()];
    }
  }
}

/** Query pages one search request reads at most to fill its page when other terms filter hits out. */
const MAX_ROUNDS = 4;

/**
 * The cases of a scope whose subject has a word starting with each term of the query (or whose
 * contact's e-mail does), a page at a time: Queries of the longest term's prefix, each with a
 * BatchGet; when the other terms leave the page short, it reads on (at most 4 Queries) for the
 * rest. Newest case first within a page; each case once over all the pages.
 */
export async function searchCases(
  scope: SearchScope,
  q: string,
  cursor?: string,
  limit = 50,
): Promise<Page<StoredCase>> {
  const [longest, ...others] = queryTerms(q);
  if (!longest) throw invalid('q', 'give a word of at least 2 letters or digits, an e-mail or a case number');
  const partition = searchPartition(scope, longest);
  const items: StoredCase[] = [];
  let startKey = startKeyOf(cursor, partition, longest);
  let more = true;
  for (let round = 0; round < MAX_ROUNDS && more && items.length < limit; round++) {
    const page = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': longest },
        // Newest case first within a word.
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    startKey = page.LastEvaluatedKey;
    more = startKey !== undefined;
    let taken: Record<string, unknown> | undefined;
    for (const { item, match } of await matchesOf(page.Items ?? [], longest, others)) {
      if (items.length === limit) {
        // Full before this hit: the next page starts after the last hit taken.
        startKey = { pk: taken?.pk, sk: taken?.sk };
        more = true;
        break;
      }
      if (match) items.push(match);
      taken = item;
    }
  }
  items.sort((a, b) => (a.caseId < b.caseId ? 1 : -1));
  return more ? { items, cursor: Buffer.from(JSON.stringify(startKey)).toString('base64url') } : { items };
}

/** Each hit of a Query page (`<word>#<caseId>` keys), in order, with its case if every other term matches it too. */
async function matchesOf(hitItems: Record<string, unknown>[], longest: string, others: string[]) {
  const hits = hitItems.map((item) => {
    const sk = String(item.sk);
    return { word: sk.slice(0, sk.lastIndexOf('#')), caseId: String(item.caseId) };
  });
  const found = await batchGet<StoredCase>([...new Set(hits.map((h) => h.caseId))].map(caseKey));
  const byId = new Map(found.map((c) => [c.caseId, c]));
  return hits.map(({ word, caseId }, i) => {
    const c = byId.get(caseId);
    const terms = c ? searchTermsOf(c) : [];
    // A case with several words of the prefix (login, logs) is answered once over all the pages:
    // at its greatest such word, the first the descending Query reaches.
    const first = terms
      .filter((t) => t.startsWith(longest))
      .sort()
      .at(-1);
    const matches = c && word === first && others.every((o) => terms.some((t) => t.startsWith(o)));
    return { item: hitItems[i] as Record<string, unknown>, match: matches ? c : undefined };
  });
}

/** A search cursor: the table keys of an item of the same partition and prefix; else 400. */
function startKeyOf(cursor: string | undefined, partition: string, prefix: string) {
  if (cursor === undefined) return undefined;
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {}
  const valid =
    !!key &&
    typeof key === 'object' &&
    !Array.isArray(key) &&
    Object.keys(key).length === 2 &&
    key.pk === partition &&
    typeof key.sk === 'string' &&
    key.sk.startsWith(prefix) &&
    key.sk.length <= 1024;
  if (!valid) throw invalid('cursor', 'not a cursor of this search: use the one a page answered');
  return key;
}
