import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { ddb } from './clients.ts';
import { isConditionFailure } from './repository.ts';

/**
 * Requests made with an `Idempotency-Key`: the key (scoped to the caller) is bound to the first
 * request's route and body, and keeps that request's answer once it succeeded, to give it again.
 */
export interface RequestRecord {
  hash: string;
  response?: { statusCode: number; headers: Record<string, string>; body: string };
}

const key = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' });

/** Binds the key to a request: answers the record already there when it was bound before. */
export async function claimRequest(id: string, hash: string): Promise<RequestRecord> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...key(id), hash },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { hash };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await ddb().send(
      new GetCommand({ TableName: config.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item as RequestRecord;
  }
}

export async function recordResponse(id: string, response: RequestRecord['response']): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key(id),
      UpdateExpression: 'SET #response = :response',
      ExpressionAttributeNames: { '#response': 'response' },
      ExpressionAttributeValues: { ':response': response },
    }),
  );
}
