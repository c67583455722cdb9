import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDynaliteIterators, levelIteratorPrototype } from '#local/dynalite-iterators.ts';

describe('the local DynamoDB closes the LevelDB iterator of every query', () => {
  const server = dynalite({
    path: mkdtempSync(path.join(tmpdir(), 'casework-dynalite-')),
    createTableMs: 0,
  }) as unknown as Server;
  let client: DynamoDBClient;
  let common: { close(): Promise<void> };
  let closes = 0;
  let close: () => Promise<void>;

  beforeAll(async () => {
    closeDynaliteIterators();
    common = levelIteratorPrototype();
    close = common.close;
    common.close = function (this: unknown) {
      closes++;
      return close.call(this);
    };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: 'items',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // A new table is CREATING until the emulator's timer marks it ACTIVE, as on AWS; writes before then are refused.
    const status = async () =>
      (await client.send(new DescribeTableCommand({ TableName: 'items' }))).Table?.TableStatus;
    while ((await status()) !== 'ACTIVE') await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 30; i++) {
      await client.send(
        new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'p' }, sk: { S: `s${i}` } } }),
      );
    }
  });

  afterAll(async () => {
    common.close = close;
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('queries read to the end and queries stopped by a Limit both close their iterator', async () => {
    const query = (limit?: number) =>
      client.send(
        new QueryCommand({
          TableName: 'items',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'p' } },
          ...(limit ? { Limit: limit } : {}),
        }),
      );
    const before = closes;
    for (let i = 0; i < 10; i++) {
      expect((await query()).Items).toHaveLength(30);
      expect((await query(5)).Items).toHaveLength(5);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes - before).toBeGreaterThanOrEqual(20);
  });
});
