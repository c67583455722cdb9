import type { CaseRecord, Severity, Status } from '../cases/model.ts';
import {
  type IndexDefinition,
  type IndexName,
  LIST_FILTERS,
  type ListFilterLetter,
  listFilterCombinations,
  listIndexName,
  tableDefinition,
} from './table.ts';

/**
 * Every key of the single table and of its indexes is built here, and nowhere else. Item families
 * (`pk` / `sk`), each read and written by its own module of `shared/store/`:
 *
 * - cases (`cases.ts`, `outbox.ts`): `CASE#<id>` / `CASE`, the case with its outbox and wait; under
 *   the same `pk`, `MAIL#<mail id>` for each mail sent and `RECEIVED#<Message-ID>` for each mail
 *   received, so that the case item does not grow with its mail.
 * - timeline (`timeline.ts`): `CASE#<id>` / `T#<at>#<item id>`.
 * - files (`file-records.ts`): `CASE#<id>` / `FILE#<file id>`.
 * - accounts and users (`accounts.ts`): `ACCOUNT#<id>` / `ACCOUNT`, `USER#<email>` / `USER`, and
 *   `IDENTITY#<sub>` / `USER` (the same user, found by the token's `sub`).
 * - inbound mail and triage (`inbound.ts`): `INBOUND#<Message-ID>` / `INBOUND`, `TRIAGE#<id>` /
 *   `TRIAGE`, `MSGID#<outbound Message-ID>` / `MSGID`, `AUTOREPLY#<sender>` / `AUTOREPLY`.
 * - idempotency (`idempotency.ts`): `IDEM#<scope>#<key>` / `IDEM`, `REQUEST#<id>` / `REQUEST`.
 * - counters (`counters.ts`): `COUNTER` / `<name>`; compliance counters (`compliance.ts`):
 *   `COMPLIANCE` / `<closing day>#<centre>#<plan>#<severity>`.
 * - undeliverable addresses (`mailer.ts`): `ADDRESS#<address>` / `UNDELIVERABLE`.
 * - search words (`search.ts`): `SEARCH#<ALL or A#<account>>#<first two letters>` / `<word>#<caseId>`.
 *
 * Indexes: the case lists `cases`, `cases_a`, … (one per combination of filters, by case number),
 * `queues` (engineers' queues by next due instant), `byKind` (`TRIAGE`, `USERS`, `ACCOUNTS`, `UNDELIVERABLE`),
 * `byClosedAt` (`CLOSED`: closed cases by closing time).
 */

export type TableKey = { pk: string; sk: string };

const casePk = (caseId: string) => `CASE#${caseId}`;

export const caseKey = (caseId: string): TableKey => ({ pk: casePk(caseId), sk: 'CASE' });
export const timelineKey = (caseId: string, at: string, id: string): TableKey => ({
  pk: casePk(caseId),
  sk: `T#${at}#${id}`,
});
export const sentMailKey = (caseId: string, mailId: string): TableKey => ({
  pk: casePk(caseId),
  sk: `MAIL#${mailId}`,
});
export const receivedMailKey = (caseId: string, messageId: string): TableKey => ({
  pk: casePk(caseId),
  sk: `RECEIVED#${messageId}`,
});
export const fileRecordKey = (caseId: string, fileId: string): TableKey => ({
  pk: casePk(caseId),
  sk: `FILE#${fileId}`,
});

/** The items of one family kept under a case: its timeline or its file records. */
export const caseItems = (caseId: string, family: 'timeline' | 'files') => ({
  pk: casePk(caseId),
  prefix: family === 'timeline' ? 'T#' : 'FILE#',
});

export const userKey = (email: string): TableKey => ({ pk: `USER#${email.toLowerCase()}`, sk: 'USER' });
export const identityKey = (sub: string): TableKey => ({ pk: `IDENTITY#${sub}`, sk: 'USER' });
export const accountKey = (id: string): TableKey => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' });

export const inboundKey = (messageId: string): TableKey => ({ pk: `INBOUND#${messageId}`, sk: 'INBOUND' });
export const triageKey = (id: string): TableKey => ({ pk: `TRIAGE#${id}`, sk: 'TRIAGE' });
export const outboundMessageKey = (messageId: string): TableKey => ({
  pk: `MSGID#${messageId}`,
  sk: 'MSGID',
});
export const autoReplyKey = (sender: string): TableKey => ({
  pk: `AUTOREPLY#${sender.toLowerCase()}`,
  sk: 'AUTOREPLY',
});

export const idempotencyKey = (scope: string, key: string): TableKey => ({
  pk: `IDEM#${scope}#${key}`,
  sk: 'IDEM',
});
export const requestKey = (id: string): TableKey => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' });

export const counterKey = (name: string): TableKey => ({ pk: 'COUNTER', sk: name });

const COMPLIANCE = 'COMPLIANCE';
export const complianceCounterKey = (c: { day: string; centre: string; plan: string; severity: string }) => ({
  pk: COMPLIANCE,
  sk: `${c.day}#${c.centre}#${c.plan}#${c.severity}`,
});
/** The compliance counters of the days from `from` to `to` (`YYYY-MM-DD`, inclusive). */
export const complianceCountersOf = (from: string, to: string) => ({
  pk: COMPLIANCE,
  between: [`${from}#`, `${to}#~`] as [string, string],
});

export const undeliverableKey = (address: string): TableKey => ({
  pk: `ADDRESS#${address.toLowerCase()}`,
  sk: 'UNDELIVERABLE',
});

/** Where a search looks: every case (engineers) or one account's. */
export type SearchScope = 'ALL' | { account: string };

/** The partition of a search term: its scope and its first two letters (a prefix is one Query). */
export const searchPartition = (scope: SearchScope, term: string) =>
  `SEARCH#${scope === 'ALL' ? 'ALL' : `A#${scope.account}`}#${Array.from(term).slice(0, 2).join('')}`;

export const searchItemKey = (scope: SearchScope, term: string, caseId: string): TableKey => ({
  pk: searchPartition(scope, term),
  sk: `${term}#${caseId}`,
});

/** One partition of an index: the index, its key attributes, and the partition key's value. */
export interface IndexPartition {
  index: IndexName;
  pk: string;
  sk: string;
  value: string;
}

function partitionOf(index: IndexName, value: string): IndexPartition {
  const definition = tableDefinition.indexes.find((i) => i.name === index) as IndexDefinition;
  return { index, pk: definition.partitionKey, sk: definition.sortKey, value };
}

export const closedCases = partitionOf('byClosedAt', 'CLOSED');
export const triageQueue = partitionOf('byKind', 'TRIAGE');
export const userList = partitionOf('byKind', 'USERS');
export const accountList = partitionOf('byKind', 'ACCOUNTS');
export const undeliverableList = partitionOf('byKind', 'UNDELIVERABLE');

/** The attributes that put an item in a partition at a sort value; none at all without a value. */
export function inPartition(
  partition: IndexPartition,
  sort: string | undefined,
): Record<string, string | undefined> {
  return { [partition.pk]: sort === undefined ? undefined : partition.value, [partition.sk]: sort };
}

/** The sort key range of cases closed from `from` to `to` (ISO instants, inclusive). */
export const closedBetween = (from: string, to: string): [string, string] =>
  // Sort keys are `<closedAt>#<caseId>`: `#` sorts before every digit, `~` after them all.
  [`${from}#`, `${to}#~`];

/** What a case list is filtered by (all of them optional): each combination is its own index. */
export interface ListFilter {
  account?: string;
  status?: Status;
  severity?: Severity;
  /** Only cases with a recorded breach. */
  breached?: true;
}

const LETTERS = Object.keys(LIST_FILTERS) as ListFilterLetter[];

/** A list partition's value: the filters' values, `CASES` for every case. */
const listValue = (filter: ListFilter, letters: ListFilterLetter[]) =>
  letters.length
    ? letters
        .map((l) => (l === 'b' ? 'B' : `${l.toUpperCase()}#${filter[LIST_FILTERS[l]] as string}`))
        .join('#')
    : 'CASES';

/** The partition holding exactly the cases a filter selects, newest case first. */
export function listPartition(filter: ListFilter): IndexPartition {
  const letters = LETTERS.filter((l) => filter[LIST_FILTERS[l]] !== undefined);
  return partitionOf(listIndexName(letters), listValue(filter, letters));
}

/** The partition of an engineer's queue: the unowned cases of a centre, or an owner's cases. */
export const queuePartition = (queue: { centre: string } | { owner: string }) =>
  partitionOf('queues', 'owner' in queue ? `OWNER#${queue.owner}` : `UNOWNED#${queue.centre}`);

/**
 * The case item's index keys (undefined ones are removed), from the case and what its SLA says
 * (see `caseIndexKeys`): in every list partition that its account, status and severity select (and
 * the breached ones once a breach is recorded); in its centre's unowned queue or its owner's while
 * open, by its next due instant; in `byClosedAt` while closed.
 */
export function caseKeysFor(
  c: CaseRecord,
  sla: { breached: boolean; nextDue: Date | null },
): Record<string, string | undefined> {
  const filter: ListFilter = {
    account: c.account,
    status: c.status,
    severity: c.severity,
    ...(sla.breached ? { breached: true } : {}),
  };
  const keys: Record<string, string | undefined> = {};
  for (const letters of listFilterCombinations) {
    const covered = letters.every((l) => filter[LIST_FILTERS[l]] !== undefined);
    keys[listIndexName(letters)] = covered ? listValue(filter, letters) : undefined;
  }
  const open = c.status !== 'Closed';
  const queue = queuePartition(c.owner ? { owner: c.owner } : { centre: c.centre });
  const closed = c.status === 'Closed' && c.closedAt;
  return {
    ...keys,
    ...inPartition(queue, open ? `${sla.nextDue ? sla.nextDue.toISOString() : '~'}#${c.caseId}` : undefined),
    ...inPartition(closedCases, closed ? `${c.closedAt}#${c.caseId}` : undefined),
  };
}
