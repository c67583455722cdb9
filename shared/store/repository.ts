import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, MailIntent, TimelineEntry } from '../cases/model.ts';
import { config } from '../config.ts';
import { invalid } from '../errors.ts';
import { ddb } from './clients.ts';
import type { MailClaim, SetAside } from './outbox.ts';
import { keyAttributes } from './table.ts';

/**
 * The single-table repository. Every write is one conditional item write; a multi-step change is
 * written ahead into the case item's outbox and completed idempotently, so a retry after a crash
 * at any point finishes it (DynamoDB transactions are not relied on: see the architecture).
 */

export type AccessLevel = 1 | 2 | 3;

export interface User {
  email: string;
  name: string;
  role: 'engineer' | 'customer';
  /** Access level per account (SPEC §1): 3 designated, 2 read-only, 1 knowledge base. */
  grants: Record<string, AccessLevel>;
  /** An engineer's support centres (their unowned-cases queue); none given: every centre. */
  centres?: string[];
  /** The identity provider's immutable id of the user (the token's `sub`), linked at provisioning. */
  sub?: string;
}

/** A Sold-To / End-User combination with a support contract (SPEC §1). */
export interface Account {
  id: string;
  name: string;
  plan: string;
  centre: string;
  /** The support contract's first and last day (ISO dates, inclusive). */
  contract: { start: string; end: string };
  /** The products the contract entitles to support. */
  products: string[];
  /** The account's one grace period, once granted: support is given until `until` (inclusive). */
  grace?: { case: string; until: string };
}

/** A side effect written ahead with a change: a timeline item, a mail, or waking the workflow. */
export type OutboxEntry =
  | { type: 'timeline'; entry: TimelineEntry }
  | { type: 'mail'; mail: MailIntent; claim?: MailClaim; setAside?: SetAside }
  | { type: 'signal' };

/** The stored case: the record plus its pending side effects and the workflow's current wait. */
export interface StoredCase extends CaseRecord {
  outbox: Record<string, OutboxEntry>;
  wait?: { token: string; state: string };
  workflowDone?: boolean;
  /** The case's files are hidden behind delete markers (put on closure, removed on reopening). */
  filesClosed?: boolean;
  purged?: { at: string; objects: number };
}

const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });
const table = () => config.tableName;

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Sends a conditional write: true once written, false when its condition did not hold. */
async function writeIf(command: PutCommand | UpdateCommand): Promise<boolean> {
  try {
    await ddb().send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function getUser(email: string): Promise<User | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `USER#${email.toLowerCase()}`, sk: 'USER' } }),
  );
  return Item as User | undefined;
}

/** The user a token's `sub` belongs to: one read per request. */
export async function getUserBySub(sub: string): Promise<User | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `IDENTITY#${sub}`, sk: 'USER' } }),
  );
  return Item ? withoutKeys<User>(Item) : undefined;
}

/**
 * Writes a user under its e-mail (mail from it is theirs; `byKind` lists it under `USERS`) and,
 * once linked, under its `sub` (the API's caller), the same fields in both.
 */
export async function putUser(user: User): Promise<void> {
  const email = user.email.toLowerCase();
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `USER#${email}`, sk: 'USER', gsi2pk: 'USERS', gsi2sk: email, ...user },
    }),
  );
  if (user.sub)
    await ddb().send(
      new PutCommand({ TableName: table(), Item: { pk: `IDENTITY#${user.sub}`, sk: 'USER', ...user } }),
    );
}

/** Removes a user: its identity first, so a crash in between leaves no caller without a user. */
export async function deleteUser(user: User): Promise<void> {
  if (user.sub)
    await ddb().send(
      new DeleteCommand({ TableName: table(), Key: { pk: `IDENTITY#${user.sub}`, sk: 'USER' } }),
    );
  await ddb().send(
    new DeleteCommand({ TableName: table(), Key: { pk: `USER#${user.email.toLowerCase()}`, sk: 'USER' } }),
  );
}

export async function deleteAccount(id: string): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: table(), Key: { pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' } }));
}

/** Every item of one kind in `byKind` (`USERS`, `ACCOUNTS`): the provisioned catalogue. */
async function listKind<T>(kind: string): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byKind',
        KeyConditionExpression: 'gsi2pk = :kind',
        ExpressionAttributeValues: { ':kind': kind },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []).map((item) => withoutKeys<T>(item)));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export const listUsers = () => listKind<User>('USERS');
export const listAccounts = () => listKind<Account>('ACCOUNTS');

export async function getAccount(id: string): Promise<Account | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' } }),
  );
  return Item as Account | undefined;
}

/** Writes an account's catalogue fields, keeping what the desk recorded on it (its grace period). */
export async function putAccount(account: Account): Promise<void> {
  const { grace: _g, ...catalogued } = account;
  const fields = { ...catalogued, gsi2pk: 'ACCOUNTS', gsi2sk: account.id };
  const names = Object.keys(fields);
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `ACCOUNT#${account.id}`, sk: 'ACCOUNT' },
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(fields).map((v, i) => [`:f${i}`, v])),
    }),
  );
}

/**
 * Claims the account's one grace period (SPEC §3) for a case, until a day: true the first time,
 * and again for the same case and day (a retry); false once it was granted otherwise.
 */
export async function claimGracePeriod(
  accountId: string,
  grace: { case: string; until: string },
): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' },
      UpdateExpression: 'SET grace = :g',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(grace) OR grace = :g)',
      ExpressionAttributeValues: { ':g': grace },
    }),
  );
}

/** The next case number, from an atomic counter: unique and increasing (a crash may skip one). */
export const allocateCaseNumber = () => allocateNumber('CASE_NUMBER');

/** The next number of a counter (case numbers, feature-request numbers), 10 digits. */
export async function allocateNumber(counter: string): Promise<string> {
  const { Attributes } = await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: 'COUNTER', sk: counter },
      UpdateExpression: 'ADD #n :one',
      ExpressionAttributeNames: { '#n': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return String(Attributes?.value).padStart(10, '0');
}

export interface IdempotencyRecord {
  hash: string;
  caseId: string;
}

/** Claims an idempotency key for a case; answers the existing claim when the key is taken. */
export async function claimIdempotencyKey(
  scope: string,
  key: string,
  claim: IdempotencyRecord,
): Promise<IdempotencyRecord> {
  const Key = { pk: `IDEM#${scope}#${key}`, sk: 'IDEM' };
  try {
    await ddb().send(
      new PutCommand({
        TableName: table(),
        Item: { ...Key, ...claim },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return claim;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key, ConsistentRead: true }));
    return Item as IdempotencyRecord;
  }
}

export async function findIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({
      TableName: table(),
      Key: { pk: `IDEM#${scope}#${key}`, sk: 'IDEM' },
      ConsistentRead: true,
    }),
  );
  return Item as IdempotencyRecord | undefined;
}

/** The case item's index keys; undefined ones are removed, so a reopened case leaves `byClosedAt`. */
export function indexKeys(c: CaseRecord) {
  const sortKey = `${c.updatedAt}#${c.caseId}`;
  const closed = c.status === 'Closed' && c.closedAt;
  return {
    gsi1pk: `ACCOUNT#${c.account}`,
    gsi1sk: sortKey,
    gsi2pk: 'CASES',
    gsi2sk: sortKey,
    gsi3pk: closed ? 'CLOSED' : undefined,
    gsi3sk: closed ? `${c.closedAt}#${c.caseId}` : undefined,
  };
}

/** An item without its table and index keys. */
function withoutKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !keyAttributes.includes(name))) as T;
}

/** Stores a new case: false when it is there already (a retry, or a concurrent twin of the request). */
export async function insertCase(c: StoredCase): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { ...caseKey(c.caseId), ...indexKeys(c), ...c },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getCase(caseId: string): Promise<StoredCase | undefined> {
  if (!/^\d{10}$/.test(caseId)) return undefined;
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: caseKey(caseId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return withoutKeys<StoredCase>(Item);
}

/**
 * Saves a decided change if nobody changed the case since `expectedRevision` was read, adding the
 * change's side effects to the outbox in the same write. Never touches the workflow's wait token.
 * Returns false on a concurrent change (the caller re-reads and decides again).
 */
export async function saveCase(
  next: CaseRecord,
  expectedRevision: number,
  effects: Record<string, OutboxEntry>,
): Promise<boolean> {
  const {
    outbox: _o,
    wait: _w,
    workflowDone: _d,
    filesClosed: _f,
    purged: _p,
    ...record
  } = next as StoredCase;
  const fields: Record<string, unknown> = { ...record, ...indexKeys(next) };
  const names: Record<string, string> = { '#revision': 'revision', '#outbox': 'outbox' };
  const values: Record<string, unknown> = { ':expected': expectedRevision };
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
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: caseKey(next.caseId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#revision = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
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

/** Adds a timeline item once: its key is derived from the change that produced it. */
export async function putTimelineEntry(caseId: string, id: string, entry: TimelineEntry): Promise<void> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `CASE#${caseId}`, sk: `T#${entry.at}#${id}`, id, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function listTimeline(caseId: string): Promise<(TimelineEntry & { id: string })[]> {
  const items: (TimelineEntry & { id: string })[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :t)',
        ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':t': 'T#' },
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    for (const { pk: _pk, sk: _sk, ...entry } of page.Items ?? [])
      items.push(entry as TimelineEntry & { id: string });
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Records that a mail is being sent; false when it was already sent (a retried delivery). */
export async function mailAlreadySent(caseId: string, mailId: string): Promise<boolean> {
  const { Item } = await ddb().send(
    new GetCommand({
      TableName: table(),
      Key: { pk: `CASE#${caseId}`, sk: `MAIL#${mailId}` },
      ConsistentRead: true,
    }),
  );
  return !!Item;
}

export async function recordMailSent(
  caseId: string,
  mailId: string,
  messageId: string,
  at: string,
): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `CASE#${caseId}`, sk: `MAIL#${mailId}`, messageId, at },
    }),
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

export async function getFileRecord(caseId: string, fileId: string): Promise<FileRecord | undefined> {
  if (!/^[\w-]{1,64}$/.test(fileId)) return undefined;
  const { Item } = await ddb().send(
    new GetCommand({
      TableName: table(),
      Key: { pk: `CASE#${caseId}`, sk: `FILE#${fileId}` },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const { pk: _p, sk: _s, ...file } = Item;
  return file as FileRecord;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** A query's page: items without their keys, and an opaque cursor to the next page if any. */
function pageOf<T>(page: {
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}): Page<T> {
  const items = (page.Items ?? []).map((item) => withoutKeys<T>(item));
  return page.LastEvaluatedKey
    ? { items, cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') }
    : { items };
}

/**
 * The start key a cursor carries: exactly the table's and the index's keys, in the partition the
 * query reads; anything else (garbled, forged, from another list) is a 400 naming the cursor.
 */
function startKeyOf(cursor: string | undefined, index: { pk: string; value: string; sk: string }) {
  if (cursor === undefined) return undefined;
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {}
  const names = ['pk', 'sk', index.pk, index.sk];
  const valid =
    !!key &&
    typeof key === 'object' &&
    !Array.isArray(key) &&
    Object.keys(key).length === names.length &&
    names.every((n) => Object.hasOwn(key, n) && typeof key[n] === 'string' && key[n].length <= 1024) &&
    key[index.pk] === index.value;
  if (!valid) throw invalid('cursor', 'not a cursor of this list: use the one a page answered');
  return key;
}

/** Cases newest update first: of one account, or all of them (engineers). */
export async function listCases(
  scope: { account: string } | 'all',
  cursor?: string,
  limit = 50,
): Promise<Page<StoredCase>> {
  const byAccount = scope !== 'all';
  const partition = byAccount ? `ACCOUNT#${scope.account}` : 'CASES';
  const page = await ddb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: byAccount ? 'byAccount' : 'byKind',
      KeyConditionExpression: byAccount ? 'gsi1pk = :pk' : 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKeyOf(
        cursor,
        byAccount
          ? { pk: 'gsi1pk', value: partition, sk: 'gsi1sk' }
          : { pk: 'gsi2pk', value: partition, sk: 'gsi2sk' },
      ),
    }),
  );
  return pageOf<StoredCase>(page);
}

/** Cases closed from `from` to `to` (ISO instants, inclusive), a page at a time, oldest first. */
export async function listClosedCases(
  from: string,
  to: string,
  cursor?: string,
  limit = 500,
): Promise<Page<StoredCase>> {
  const page = await ddb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byClosedAt',
      KeyConditionExpression: 'gsi3pk = :closed AND gsi3sk BETWEEN :from AND :to',
      // Sort keys are `<closedAt>#<caseId>`: `#` sorts before every digit, `~` after them all.
      ExpressionAttributeValues: { ':closed': 'CLOSED', ':from': `${from}#`, ':to': `${to}#~` },
      Limit: limit,
      ExclusiveStartKey: startKeyOf(cursor, { pk: 'gsi3pk', value: 'CLOSED', sk: 'gsi3sk' }),
    }),
  );
  return pageOf<StoredCase>(page);
}

/** Claims an inbound message by its Message-ID: false when it was already received (a duplicate). */
export async function claimInboundMessage(messageId: string, at: string): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { pk: `INBOUND#${messageId}`, sk: 'INBOUND', at },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export interface TriageItem {
  id: string;
  at: string;
  from: string;
  subject: string;
  reason: string;
  rawKey: string;
  messageId: string;
  /** Quarantined mail (spam, virus, failed authentication) is kept apart and never linked. */
  quarantined?: boolean;
  /** The start of the message's text. */
  text?: string;
}

export async function putTriageItem(item: TriageItem): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: {
        pk: `TRIAGE#${item.id}`,
        sk: 'TRIAGE',
        gsi2pk: 'TRIAGE',
        gsi2sk: `${item.at}#${item.id}`,
        ...item,
      },
    }),
  );
}

/** Makes an internal inbound-mail timeline item public; false when there is no such item. */
export async function publishTimelineMail(caseId: string, entryId: string): Promise<boolean> {
  const items = await listTimeline(caseId);
  const entry = items.find((e) => e.id === entryId && e.kind === 'mail-received');
  if (!entry) return false;
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `CASE#${caseId}`, sk: `T#${entry.at}#${entryId}` },
      UpdateExpression: 'SET visibility = :public',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':public': 'public' },
    }),
  );
  return true;
}

/** Remembers which case an outbound Message-ID belongs to, for replies that name it. */
export async function recordOutboundMessageId(messageId: string, caseId: string): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { pk: `MSGID#${messageId}`, sk: 'MSGID', caseId } }),
  );
}

export async function caseOfMessageId(messageId: string): Promise<string | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `MSGID#${messageId}`, sk: 'MSGID' } }),
  );
  return Item?.caseId as string | undefined;
}

/**
 * Claims the right to send an automatic answer to a sender: at most one per 24 hours, whatever
 * the number of deliveries or concurrent handlers.
 */
export async function claimAutoReply(sender: string, now: Date): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { pk: `AUTOREPLY#${sender.toLowerCase()}`, sk: 'AUTOREPLY', at: now.toISOString() },
      ConditionExpression: 'attribute_not_exists(pk) OR #at < :dayAgo',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':dayAgo': new Date(now.getTime() - 86_400_000).toISOString() },
    }),
  );
}

export async function inboundDone(messageId: string): Promise<boolean> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `INBOUND#${messageId}`, sk: 'INBOUND' } }),
  );
  return !!Item;
}

export async function markInboundDone(
  messageId: string,
  outcome: Record<string, unknown>,
  at: string,
): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `INBOUND#${messageId}`, sk: 'INBOUND', at, ...outcome },
    }),
  );
}

export async function listTriage(cursor?: string, limit = 50): Promise<Page<TriageItem>> {
  const page = await ddb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byKind',
      KeyConditionExpression: 'gsi2pk = :t',
      ExpressionAttributeValues: { ':t': 'TRIAGE' },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKeyOf(cursor, { pk: 'gsi2pk', value: 'TRIAGE', sk: 'gsi2sk' }),
    }),
  );
  return pageOf<TriageItem>(page);
}

export async function getTriageItem(
  id: string,
): Promise<(TriageItem & { linkedTo?: string; dismissedAt?: string }) | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({ TableName: table(), Key: { pk: `TRIAGE#${id}`, sk: 'TRIAGE' }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return withoutKeys<TriageItem & { linkedTo?: string; dismissedAt?: string }>(Item);
}

/** Takes a triage item out of the queue, linked to a case; false when it was linked to another. */
export async function markTriageLinked(id: string, caseId: string, by: string, at: string): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `TRIAGE#${id}`, sk: 'TRIAGE' },
      UpdateExpression: 'SET linkedTo = :c, linkedBy = :by, linkedAt = :at REMOVE gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(linkedTo) OR linkedTo = :c)',
      ExpressionAttributeValues: { ':c': caseId, ':by': by, ':at': at },
    }),
  );
}

/** Takes a triage item out of the queue unlinked (a thank-you, a duplicate); false when it was linked. */
export async function markTriageDismissed(id: string, by: string, at: string): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `TRIAGE#${id}`, sk: 'TRIAGE' },
      UpdateExpression: 'SET dismissedBy = :by, dismissedAt = :at REMOVE gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(linkedTo)',
      ExpressionAttributeValues: { ':by': by, ':at': at },
    }),
  );
}

export interface FileRecord {
  fileId: string;
  caseId: string;
  name: string;
  key: string;
  size: number;
  contentType: string;
  sha256?: string;
  source: 'upload' | 'mail';
  status: 'pending' | 'uploaded' | 'aborted';
  createdAt: string;
  uploadedBy?: string;
  /** The upload grant (SPEC §7: 120 h): URLs are re-issued until then. */
  grantExpiresAt?: string;
  uploadId?: string;
  partSize?: number;
}

/** Stores a file record once (its id is derived from its source, so a retry writes the same item). */
export async function putFileRecord(file: FileRecord): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `CASE#${file.caseId}`, sk: `FILE#${file.fileId}`, ...file },
    }),
  );
}

export async function listFileRecords(caseId: string): Promise<FileRecord[]> {
  const page = await ddb().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
      ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':f': 'FILE#' },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map(({ pk: _p, sk: _s, ...f }) => f as FileRecord);
}

/** An address SES reported as bouncing for good or complaining: no mail should go to it. */
export async function markUndeliverable(address: string, reason: 'bounce' | 'complaint', at: string) {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `ADDRESS#${address.toLowerCase()}`, sk: 'UNDELIVERABLE', reason, at },
    }),
  );
}

export async function undeliverable(address: string): Promise<{ reason: string; at: string } | undefined> {
  const { Item } = await ddb().send(
    new GetCommand({
      TableName: table(),
      Key: { pk: `ADDRESS#${address.toLowerCase()}`, sk: 'UNDELIVERABLE' },
    }),
  );
  return Item ? { reason: Item.reason, at: Item.at } : undefined;
}
