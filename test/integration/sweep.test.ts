import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { restartFailedExecutions } from '#shared/service/sweep.ts';
import { ddb } from '#shared/store/clients.ts';
import { caseKey } from '#shared/store/keys.ts';
import { signalCaseWorkflow } from '#shared/store/workflow.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
afterAll(async () => {
  await t?.stop();
});

const setStatus = (caseId: string, status: string) =>
  ddb().send(
    new UpdateCommand({
      TableName: process.env.CASEWORK_TABLE,
      Key: caseKey(caseId),
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );

describe('the sweep restarts cases whose execution failed', () => {
  it('restarts a failed case once, in the next generation, which resumes at the case’s status', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    const { number } = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase }))
      .body;
    const executions = async () =>
      (
        await t.api('GET', `/v1/cases/${number}/execution`, { as: 'eve@support.example' })
      ).body.executions.map((e: { name: string; status: string }) => [e.name, e.status]);

    // A case item the workflow cannot route (as a bug would leave it): its execution fails.
    await setStatus(number, 'Unroutable');
    await signalCaseWorkflow(number);
    await t.runtime.settled();
    expect(await executions()).toEqual([[number, 'FAILED']]);

    await setStatus(number, 'Open');
    expect(await restartFailedExecutions()).toEqual([number]);
    await t.runtime.settled();
    expect(await restartFailedExecutions()).toEqual([]);
    expect(await executions()).toEqual([
      [number, 'FAILED'],
      [`${number}-g2`, 'RUNNING'],
    ]);
    // The restarted execution waits at the case's status and still answers a change.
    const info = await t.api('POST', `/v1/cases/${number}/actions/request-info`, {
      as: 'eve@support.example',
      body: { note: 'Please send the log.' },
    });
    expect(info.status).toBe(200);
    expect(info.body.status).toBe('Awaiting Info');
  });
});
