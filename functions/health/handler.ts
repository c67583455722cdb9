import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { config } from '#shared/config.ts';
import { type ApiResult, json } from '#shared/http/http.ts';
import { ddb, s3, ses, sfn } from '#shared/store/clients.ts';

/** `GET /v1/health`: 200 when every part answers, 503 naming the parts that do not. */
async function health(): Promise<ApiResult> {
  const checks: Record<string, () => Promise<unknown>> = {
    dynamodb: () => ddb().send(new DescribeTableCommand({ TableName: config.tableName })),
    s3: () => s3().send(new HeadBucketCommand({ Bucket: config.bucketName })),
    stepfunctions: () =>
      sfn().send(new DescribeStateMachineCommand({ stateMachineArn: config.stateMachineArn })),
    ses: () => ses().send(new GetAccountCommand({})),
  };
  const results = await Promise.all(
    Object.entries(checks).map(async ([part, check]) => {
      try {
        await check();
        return [part, 'up'] as const;
      } catch (error) {
        return [part, `down: ${(error as Error).name}`] as const;
      }
    }),
  );
  const parts = Object.fromEntries(results);
  const up = results.every(([, state]) => state === 'up');
  return json(up ? 200 : 503, { status: up ? 'up' : 'down', parts });
}

export const handler = middy<unknown, ApiResult>().handler(health);
