import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, OutboxEntry, StoredCase } from '../cases/model.ts';
import type { User } from '../catalogue/accounts.ts';
import { ddb } from './clients.ts';
import {
  getItem,
  getItems,
  isConditionFailure,
  mergedKeysPage,
  type Page,
  queryKeysPage,
  table,
  writeIf,
} from './dynamo.ts';
import {
  caseKey,
  closedBetween,
  closedCases,
  type ListFilter,
  listPartition,
  queuePartition,
  receivedMailKey,
  sentMailKey,
  userKey,
} from './keys.ts';

/**
 * The case items. Every write is one conditional item write; a multi-step change is written ahead
 * into the case item's outbox and completed idempotently, so a retry after a crash at any point
 * finishes it (DynamoDB transactions are not relied on: see the architecture).
 */

/**
 * Stores a new case with its index keys (`caseIndexKeys`): false when it is there already (a
 * retry, or a concurrent twin of the request).
 */
export async function insertCase(
  c: StoredCase,
  indexKeys: Record<string, string | undefined>,
): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { ...caseKey(c.caseId), ...indexKeys, ...c },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getCase(caseId: string): Promise<StoredCase | undefined> {
  if (!/^\d{10}$/.test(caseId)) return undefined;
  return getItem<StoredCase>(caseKey(caseId), true);
}

/** A case and a user in one round trip: an inbound mail's case and its sender. */
export async function getCaseAndUser(
  caseId: string,
  email: string,
): Promise<{ c?: StoredCase; user?: User }> {
  if (!/^\d{10}$/.test(caseId)) return {};
  const [c, user] = await getItems([caseKey(caseId), userKey(email)]);
  return { c: c as StoredCase | undefined, user: user as User | undefined };
}

/**
 * Saves a decided change if nobody changed the case since `previous` was read, adding the change's
 * side effects to the outbox in the same write, and the index keys it moves (`changedIndexKeys`).
 * Never touches the workflow's wait token. Returns false on a concurrent change (the caller
 * re-reads and decides again).
 */
export async function saveCase(
  next: CaseRecord,
  previous: CaseRecord,
  effects: Record<string, OutboxEntry>,
  movedIndexKeys: Record<string, string | undefined>,
): Promise<boolean> {
  return writeIf(
    new UpdateCommand({ TableName: table(), ...caseUpdate(next, previous, effects, movedIndexKeys) }),
  );
}

/**
 * The update saving a change: the record's fields, and of the index keys only those the change
 * moves (the case number, which sorts the lists, never changes and is not written again).
 */
export function caseUpdate(
  next: CaseRecord,
  previous: CaseRecord,
  effects: Record<string, OutboxEntry>,
  movedIndexKeys: Record<string, string | undefined>,
) {
  const {
    caseId: _id,
    outbox: _o,
    wait: _w,
    workflowDone: _d,
    filesClosed: _f,
    purged: _p,
    ...record
  } = next as StoredCase;
  const fields: Record<string, unknown> = { ...record, ...movedIndexKeys };
  const names: Record<string, string> = { '#revision': 'revision', '#outbox': 'outbox' };
  const values: Record<string, unknown> = { ':expected': previous.revision };
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    if (value === undefined) removes.push(`#f${i}`);
    else {
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    }
  });
  Object.entries(effects).forEach(([id, entry], i) => {
    names[`#o${i}`] = id;
    values[`:o${i}`] = entry;
    sets.push(`#outbox.#o${i} = :o${i}`);
  });
  return {
    Key: caseKey(next.caseId),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: '#revision = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Takes finished effects off the case's outbox, in one write. */
export async function removeOutboxEntries(caseId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: caseKey(caseId),
      UpdateExpression: `REMOVE ${ids.map((_, i) => `#outbox.#e${i}`).join(', ')}`,
      ExpressionAttributeNames: {
        '#outbox': 'outbox',
        ...Object.fromEntries(ids.map((id, i) => [`#e${i}`, id])),
      },
    }),
  );
}

/** Records that a mail is being sent; false when it was already sent (a retried delivery). */
export async function mailAlreadySent(caseId: string, mailId: string): Promise<boolean> {
  return !!(await getItem(sentMailKey(caseId, mailId), true));
}

export async function recordMailSent(
  caseId: string,
  mailId: string,
  messageId: string,
  at: string,
): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...sentMailKey(caseId, mailId), messageId, at } }),
  );
}

/**
 * Whether an inbound mail was applied to the case: its record is written from the case's outbox
 * once the change that applied it is saved (until then the outbox entry says so).
 */
export async function mailReceived(caseId: string, messageId: string): Promise<boolean> {
  return !!(await getItem(receivedMailKey(caseId, messageId), true));
}

export async function recordMailReceived(caseId: string, messageId: string, at: string): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...receivedMailKey(caseId, messageId), messageId, at } }),
  );
}

/** Stores the token of the workflow's current wait, only while the case is as the route saw it. */
export async function storeWaitToken(
  caseId: string,
  state: string,
  status: string,
  revision: number,
  token: string,
): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: caseKey(caseId),
      UpdateExpression: 'SET #wait = :wait',
      ConditionExpression: '#status = :status AND #revision = :revision',
      ExpressionAttributeNames: { '#wait': 'wait', '#status': 'status', '#revision': 'revision' },
      ExpressionAttributeValues: { ':wait': { token, state }, ':status': status, ':revision': revision },
    }),
  );
}

/** The token of the workflow's current wait, if it is waiting. */
export async function waitToken(caseId: string): Promise<string | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({
      TableName: table(),
      Key: caseKey(caseId),
      ProjectionExpression: '#wait',
      ExpressionAttributeNames: { '#wait': 'wait' },
      ConsistentRead: true,
    }),
  );
  return (Item?.wait as { token: string } | undefined)?.token;
}

/** Clears a wait token once it has been answered (unless a newer wait replaced it meanwhile). */
export async function clearWaitToken(caseId: string, token: string): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: caseKey(caseId),
        UpdateExpression: 'REMOVE #wait',
        ConditionExpression: '#wait.#token = :token',
        ExpressionAttributeNames: { '#wait': 'wait', '#token': 'token' },
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function markWorkflowDone(
  caseId: string,
  purge: { at: string; objects: number },
): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: caseKey(caseId),
      UpdateExpression: 'SET workflowDone = :t, purged = :p',
      ExpressionAttributeValues: { ':t': true, ':p': purge },
    }),
  );
}

/** Records where the case's files are: under `closed/` or back under `cases/`. */
export async function setFilesClosed(caseId: string, closed: boolean): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: caseKey(caseId),
      UpdateExpression: 'SET filesClosed = :c',
      ExpressionAttributeValues: { ':c': closed },
    }),
  );
}

/** The cases a filter selects (see `ListFilter`), newest case first, a page at a time. */
export function listCases(filter: ListFilter, cursor?: string, limit = 50): Promise<Page<StoredCase>> {
  return queryKeysPage<StoredCase>(listPartition(filter), { cursor, limit, newestFirst: true });
}

/** Engineers' queues merged, a page at a time: the most urgent first (next due instant ascending). */
export function listQueues(
  queues: ({ centre: string } | { owner: string })[],
  cursor?: string,
  limit = 50,
): Promise<Page<StoredCase>> {
  return mergedKeysPage<StoredCase>(queues.map(queuePartition), { cursor, limit });
}

/** Cases closed from `from` to `to` (ISO instants, inclusive), a page at a time, oldest first. */
export function listClosedCases(
  from: string,
  to: string,
  cursor?: string,
  limit = 100,
): Promise<Page<StoredCase>> {
  return queryKeysPage<StoredCase>(closedCases, { cursor, limit, between: closedBetween(from, to) });
}
