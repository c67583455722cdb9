import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './clients.ts';
import { getItem, isConditionFailure, table } from './dynamo.ts';
import { idempotencyKey, requestKey, type TableKey } from './keys.ts';

/**
 * Idempotency: a case creation's key bound to the case it created, and a request made with an
 * `Idempotency-Key` (scoped to the caller) bound to the first request's route and body, keeping
 * that request's answer once it succeeded, to give it again.
 */

export interface IdempotencyRecord {
  hash: string;
  caseId: string;
}

export interface RequestRecord {
  hash: string;
  response?: { statusCode: number; headers: Record<string, string>; body: string };
}

/** Puts a claim unless one is there: answers the claim that holds, this one or the earlier one. */
async function claim<T extends object>(Key: TableKey, record: T): Promise<T> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: table(),
        Item: { ...Key, ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await ddb().send(new GetCommand({ TableName: table(), Key, ConsistentRead: true }));
    return Item as T;
  }
}

/** Claims an idempotency key for a case; answers the existing claim when the key is taken. */
export const claimIdempotencyKey = (scope: string, key: string, record: IdempotencyRecord) =>
  claim(idempotencyKey(scope, key), record);

export const findIdempotencyKey = (scope: string, key: string) =>
  getItem<IdempotencyRecord>(idempotencyKey(scope, key), true);

/** Binds the key to a request: answers the record already there when it was bound before. */
export const claimRequest = (id: string, hash: string): Promise<RequestRecord> =>
  claim<RequestRecord>(requestKey(id), { hash });

export async function recordResponse(id: string, response: RequestRecord['response']): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: requestKey(id),
      UpdateExpression: 'SET #response = :response',
      ExpressionAttributeNames: { '#response': 'response' },
      ExpressionAttributeValues: { ':response': response },
    }),
  );
}
