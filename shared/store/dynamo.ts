import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  type PutCommand,
  QueryCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { invalid } from '../errors.ts';
import { ddb } from './clients.ts';
import type { IndexPartition, TableKey } from './keys.ts';
import { keyAttributes } from './table.ts';

/**
 * What every item family's module does with the table: conditional writes, reads without the keys,
 * and pages of a query with an opaque cursor.
 */

export const table = () => config.tableName;

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Sends a conditional write: true once written, false when its condition did not hold. */
export async function writeIf(command: PutCommand | UpdateCommand): Promise<boolean> {
  try {
    await ddb().send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** An item without its table and index keys. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !keyAttributes.includes(name))) as T;
}

/** One item, without its keys. */
export async function getItem<T>(Key: TableKey, ConsistentRead = false): Promise<T | undefined> {
  const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key, ConsistentRead }));
  return Item ? withoutKeys<T>(Item) : undefined;
}

/** Several items in one round trip (consistent reads), without their keys, in the order of `keys`. */
export async function getItems(keys: TableKey[]): Promise<(Record<string, unknown> | undefined)[]> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: TableKey[] | undefined = keys;
  while (pending?.length) {
    const { Responses, UnprocessedKeys } = await ddb().send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of Responses?.[table()] ?? []) found.set(`${item.pk}\n${item.sk}`, withoutKeys(item));
    pending = UnprocessedKeys?.[table()]?.Keys as TableKey[] | undefined;
  }
  return keys.map((key) => found.get(`${key.pk}\n${key.sk}`));
}

/** Items of a partition: those whose sort key starts with a prefix, or falls in a range (inclusive). */
export type ItemRange = { pk: string } & ({ prefix: string } | { between: [string, string] });

/** Every item of a range, in sort key order. */
export async function queryAll<T>(range: ItemRange): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  const [condition, values] =
    'prefix' in range
      ? ['begins_with(sk, :prefix)', { ':prefix': range.prefix }]
      : ['sk BETWEEN :from AND :to', { ':from': range.between[0], ':to': range.between[1] }];
  do {
    const page = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: `pk = :pk AND ${condition}`,
        ExpressionAttributeValues: { ':pk': range.pk, ...values },
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []).map((item) => withoutKeys<T>(item)));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

interface QueryOptions {
  cursor?: string;
  limit?: number;
  newestFirst?: boolean;
  between?: [string, string];
}

/** One page of a query of an index partition, raw items as the index holds them. */
async function queryIndex(partition: IndexPartition, options: QueryOptions) {
  const range = options.between ? ' AND #sk BETWEEN :from AND :to' : '';
  const page = await ddb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: partition.index,
      KeyConditionExpression: `#pk = :pk${range}`,
      ExpressionAttributeNames: { '#pk': partition.pk, ...(options.between ? { '#sk': partition.sk } : {}) },
      ExpressionAttributeValues: {
        ':pk': partition.value,
        ...(options.between ? { ':from': options.between[0], ':to': options.between[1] } : {}),
      },
      ScanIndexForward: !options.newestFirst,
      Limit: options.limit,
      ExclusiveStartKey: startKeyOf(options.cursor, partition),
    }),
  );
  const items = page.Items ?? [];
  return page.LastEvaluatedKey
    ? { items, cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') }
    : { items };
}

/**
 * A page of an index partition: items without their keys, newest first or oldest first, within a
 * sort key range if given, and an opaque cursor to the next page if any.
 */
export async function queryPage<T>(partition: IndexPartition, options: QueryOptions): Promise<Page<T>> {
  const { items, cursor } = await queryIndex(partition, options);
  return { items: items.map((item) => withoutKeys<T>(item)), ...(cursor ? { cursor } : {}) };
}

/**
 * A page of an index that holds only keys: the items themselves, read by one BatchGetItem (a page
 * is at most 100 keys), in the index's order. An item deleted since is left out.
 */
export async function queryKeysPage<T>(partition: IndexPartition, options: QueryOptions): Promise<Page<T>> {
  const { items, cursor } = await queryIndex(partition, options);
  const found = await batchGet<T>(items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })));
  return { items: found, ...(cursor ? { cursor } : {}) };
}

/**
 * A page of several partitions of one keys-only index merged in sort key order, each queried once
 * (together); the cursor carries where each partition stands (`null`: read to its end).
 */
export async function mergedKeysPage<T>(
  partitions: IndexPartition[],
  options: { cursor?: string; limit?: number },
): Promise<Page<T>> {
  const limit = options.limit ?? 50;
  const positions = positionsOf(options.cursor, partitions);
  const pages = await Promise.all(
    partitions.map((p) =>
      positions[p.value] === null
        ? { items: [] }
        : queryIndex(p, { cursor: positions[p.value] || undefined, limit }),
    ),
  );
  const sortValue = (i: number, item: Record<string, unknown>) => String(item[partitions[i]?.sk as string]);
  const taken = pages
    .flatMap((page, i) => page.items.map((item) => ({ item, i, at: sortValue(i, item) })))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(0, limit);
  const next: Record<string, string | null> = {};
  partitions.forEach((p, i) => {
    const page = pages[i] as { items: Record<string, unknown>[]; cursor?: string };
    const mine = taken.filter((t) => t.i === i);
    const last = mine.at(-1)?.item;
    if (positions[p.value] === null) next[p.value] = null;
    else if (mine.length === page.items.length) next[p.value] = page.cursor ?? null;
    else if (!last) next[p.value] = positions[p.value] ?? '';
    else {
      const key = Object.fromEntries(['pk', 'sk', p.pk, p.sk].map((name) => [name, last[name]]));
      next[p.value] = Buffer.from(JSON.stringify(key)).toString('base64url');
    }
  });
  const items = await batchGet<T>(taken.map(({ item }) => ({ pk: String(item.pk), sk: String(item.sk) })));
  const more = Object.values(next).some((position) => position !== null);
  return more ? { items, cursor: Buffer.from(JSON.stringify(next)).toString('base64url') } : { items };
}

/** Where each merged partition stands: a cursor of it, `''` at its start, `null` at its end. */
function positionsOf(cursor: string | undefined, partitions: IndexPartition[]) {
  const start = Object.fromEntries(partitions.map((p) => [p.value, ''])) as Record<string, string | null>;
  if (cursor === undefined) return start;
  let positions: unknown;
  try {
    positions = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {}
  const valid =
    !!positions &&
    typeof positions === 'object' &&
    !Array.isArray(positions) &&
    Object.keys(positions).length === partitions.length &&
    partitions.every((p) => {
      const at = (positions as Record<string, unknown>)[p.value];
      return Object.hasOwn(positions as object, p.value) && (at === null || typeof at === 'string');
    });
  if (!valid) throw invalid('cursor', 'not a cursor of this list: use the one a page answered');
  return positions as Record<string, string | null>;
}

/** The items of the keys that exist (read together, in one BatchGetItem up to 100 keys), in the keys' order. */
export async function batchGet<T>(keys: TableKey[]): Promise<T[]> {
  if (keys.length === 0) return [];
  return (await getItems(keys)).filter((item) => item !== undefined) as T[];
}

/** Every item of an index partition, oldest first. */
export async function queryAllOf<T>(partition: IndexPartition): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<T>(partition, { cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/**
 * The start key a cursor carries: exactly the table's and the index's keys, in the partition the
 * query reads; anything else (garbled, forged, from another list) is a 400 naming the cursor.
 */
function startKeyOf(cursor: string | undefined, partition: IndexPartition) {
  if (cursor === undefined) return undefined;
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {}
  const names = ['pk', 'sk', partition.pk, partition.sk];
  const valid =
    !!key &&
    typeof key === 'object' &&
    !Array.isArray(key) &&
    Object.keys(key).length === names.length &&
    names.every((n) => Object.hasOwn(key, n) && typeof key[n] === 'string' && key[n].length <= 1024) &&
    key[partition.pk] === partition.value;
  if (!valid) throw invalid('cursor', 'not a cursor of this list: use the one a page answered');
  return key;
}
