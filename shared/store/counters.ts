import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './clients.ts';
import { table } from './dynamo.ts';
import { counterKey } from './keys.ts';

/** The next case number, from an atomic counter: unique and increasing (a crash may skip one). */
export const allocateCaseNumber = () => allocateNumber('CASE_NUMBER');

/** The next number of a counter (case numbers, feature-request numbers), 10 digits. */
export async function allocateNumber(counter: string): Promise<string> {
  const { Attributes } = await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: counterKey(counter),
      UpdateExpression: 'ADD #n :one',
      ExpressionAttributeNames: { '#n': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return String(Attributes?.value).padStart(10, '0');
}
