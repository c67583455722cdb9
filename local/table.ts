import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CaseRecord } from '#shared/cases/model.ts';
import { caseIndexKeys } from '#shared/store/case-index.ts';
import { searchItemsOf } from '#shared/store/search.ts';
import { createTableInput, tableDefinition } from '#shared/store/table.ts';

/**
 * Creates the table from the stack's definition on a first start. A data folder from an older
 * version may have other indexes than the code now queries; dynalite cannot change a table's
 * indexes, so the table is rebuilt from a full scan, case items getting their new index keys (and
 * losing those of indexes that are gone) on the way.
 */
export async function ensureTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  const existing = await describe(dynamodb, name);
  if (!existing) {
    await create(dynamodb, name);
    return;
  }
  const present = (existing.GlobalSecondaryIndexes ?? [])
    .map((index) => `${index.IndexName}:${index.Projection?.ProjectionType}`)
    .sort();
  const wanted = tableDefinition.indexes.map((index) => `${index.name}:${index.projection}`).sort();
  if (present.join() === wanted.join()) return;
  const items: Record<string, unknown>[] = [];
  let start: ScanCommand['input']['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  await dynamodb.send(new DeleteTableCommand({ TableName: name }));
  while (await describe(dynamodb, name)) await pause();
  await create(dynamodb, name);
  for (const { gsi1pk: _p, gsi1sk: _s, ...item } of items) {
    const keyed =
      item.sk === 'CASE'
        ? { ...caseItemFields(item), ...caseIndexKeys(item as unknown as CaseRecord) }
        : item;
    // Cases from before search get their search words.
    const extra = item.sk === 'CASE' ? searchItemsOf(item as unknown as CaseRecord) : [];
    for (const one of [keyed, ...extra]) {
      await dynamodb.send(
        new PutItemCommand({ TableName: name, Item: marshall(one, { removeUndefinedValues: true }) }),
      );
    }
  }
}

/** A case item without the keys of the indexes that held cases before (every case was in `byKind`). */
const caseItemFields = ({ gsi2pk: _p, gsi2sk: _s, ...item }: Record<string, unknown>) => item;

async function describe(dynamodb: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function create(dynamodb: DynamoDBClient, name: string): Promise<void> {
  await dynamodb.send(new CreateTableCommand(createTableInput(name)));
  // The SDK's waiter polls every 20 s; the emulator is ready within milliseconds.
  while ((await describe(dynamodb, name))?.TableStatus !== 'ACTIVE') await pause();
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
