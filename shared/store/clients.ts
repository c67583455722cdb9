import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';

/**
 * One client per service per process, created on first use and reused across invocations.
 * Endpoints come from the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which the local
 * runtime sets to its emulators; on AWS they are unset.
 */
const resets: (() => void)[] = [];

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  resets.push(() => {
    value = undefined;
  });
  return () => {
    value ??= make();
    return value;
  };
}

/** Forgets the clients, so the next use reads the endpoints again (a local runtime restarted in-process). */
export function resetClients(): void {
  for (const reset of resets) reset();
}

export const ddb = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);
export const s3 = once(
  () =>
    new S3Client({
      forcePathStyle: config.s3PathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
);
export const ses = once(() => new SESv2Client({}));
export const sfn = once(() => new SFNClient({}));
export const cognito = once(() => new CognitoIdentityProviderClient({}));
