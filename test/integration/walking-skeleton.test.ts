import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, keyAttributes } from '#shared/store/table.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

// Monday 2 March 2026, 09:00 in London (GMT).
const MONDAY = '2026-03-02T09:00:00Z';

describe('walking skeleton: one case end to end through the local runtime', () => {
  let t: TestRuntime;
  let number: string;
  const sfn = () =>
    new SFNClient({
      region: 'us-east-1',
      endpoint: t.runtime.urls.stepfunctions,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  const stateMachineArn = () => process.env.CASEWORK_STATE_MACHINE_ARN as string;
  const history = async (name: string) => {
    const executionArn = `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${name}`;
    return (await sfn().send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
  };
  const enteredStates = async (name: string) =>
    (await history(name))
      .filter((e) => e.type === 'TaskStateEntered')
      .map((e) => e.stateEnteredEventDetails?.name);

  beforeAll(async () => {
    t = await startTestRuntime(MONDAY);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('GET /v1/health answers 200 when every part is up', async () => {
    const res = await t.api('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.parts).toEqual({ dynamodb: 'up', s3: 'up', stepfunctions: 'up', ses: 'up' });
  });

  it('a designated contact opens a case: 10-digit number, stored, execution started, confirmation mailed', async () => {
    const res = await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase });
    expect(res.status).toBe(201);
    number = res.body.number;
    expect(number).toMatch(/^\d{10}$/);
    expect(res.body).toMatchObject({
      status: 'Open',
      subStatus: 'New',
      plan: 'business-care',
      centre: 'emea',
      completedAt: MONDAY.replace('Z', '.000Z'),
    });
    // 4 BH from Monday 09:00 in London is 13:00; 2 BD is Wednesday 09:00.
    expect(res.body.sla.response.due).toBe('2026-03-02T13:00:00.000Z');
    expect(res.body.sla.resolution.due).toBe('2026-03-04T09:00:00.000Z');

    const { executions = [] } = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: stateMachineArn() }),
    );
    expect(executions.find((e) => e.name === number)?.status).toBe('RUNNING');
    expect(await enteredStates(number)).toContain('Open');

    const confirmation = (await t.mails()).filter((m) => m.destination.to.includes('dana@acme.example'));
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0]?.subject).toContain(`Case # ${number}`);
    expect(confirmation[0]?.body.text).toMatch(new RegExp(`\\[ref:${number}\\.[0-9a-f]{12}\\]`));
  });

  it('case numbers increase', async () => {
    const res = await t.api('POST', '/v1/cases', {
      as: 'dev@acme.example',
      body: { ...acmeHighCase, subject: 'Second' },
    });
    expect(Number(res.body.number)).toBe(Number(number) + 1);
  });

  it('GET /v1/cases/{n} returns the case to contacts of its account, 404 to anyone else', async () => {
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).status).toBe(200);
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'rita@acme.example' })).status).toBe(200);
    expect(
      (await t.api('GET', `/v1/cases/${Number(number)}`, { as: 'eve@support.example' })).body.number,
    ).toBe(number);
    const other = await t.api('GET', `/v1/cases/${number}`, { as: 'gus@globex.example' });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(acmeHighCase.subject);
  });

  it("an engineer's request-info moves the case to Awaiting Info through the execution", async () => {
    const res = await t.api('POST', `/v1/cases/${number}/actions/request-info`, {
      as: 'eve@support.example',
      body: { note: 'Please send the login server log.' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'Awaiting Info', subStatus: 'Info Required from Customer' });
    expect(await enteredStates(number)).toContain('AwaitingInfo');
    const mails = (await t.mails()).filter((m) => m.subject.includes('information requested'));
    expect(mails).toHaveLength(1);
  });

  it('business-care info request: the first reminder after 7 calendar days, not before', async () => {
    await t.advance('P6DT23H');
    expect((await t.mails()).filter((m) => m.subject.includes('reminder'))).toHaveLength(0);
    await t.advance('PT1H');
    const reminders = (await t.mails()).filter(
      (m) => m.subject.includes(`Case # ${number}`) && m.subject.includes('reminder'),
    );
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.body.text).toContain('Please provide the information requested');
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.status).toBe(
      'Awaiting Info',
    );
  });

  it('a second start resumes with the same data and re-drives the waiting case in the same execution', async () => {
    const before = await history(number);
    await t.stop(true);
    t = await startTestRuntime('2026-03-09T09:00:00Z', t.dataDir);
    const res = await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' });
    expect(res.body.status).toBe('Awaiting Info');
    // The execution and its history outlive the restart; it is redriven, and waits again.
    const after = await history(number);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((e) => e.type)).toContain('ExecutionRedriven');
    expect(after.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(after.map((e) => e.id)).toEqual(after.map((_, i) => i + 1));
    expect(await enteredStates(number)).toContain('AwaitingInfo');
    // The re-driven workflow still keeps the schedule: reminder 2 at 14 days, closure at 21.
    await t.advance('P7D');
    expect((await t.mails()).filter((m) => m.subject.includes('reminder 2'))).toHaveLength(1);
    await t.advance('P7D');
    const closed = await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' });
    expect(closed.body).toMatchObject({ status: 'Closed', subStatus: 'No Response' });
    expect((await t.mails()).filter((m) => m.subject.includes('closed: no response'))).toHaveLength(1);
  });

  it('a data folder from before the list, queue and closed-cases indexes is upgraded on start, its closed case kept, listed and found', async () => {
    await t.stop(true);
    await downgradeTable(path.join(t.dataDir, 'dynamodb'));
    t = await startTestRuntime('2026-03-24T09:00:00Z', t.dataDir);
    const report = await t.api('GET', '/v1/reports/sla-compliance?from=2026-03-01T00:00:00Z', {
      as: 'eve@support.example',
    });
    expect(report.body.rows).toMatchObject([{ plan: 'business-care', severity: 'high', closedCases: 1 }]);
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.status).toBe(
      'Closed',
    );
    const listed = await t.api('GET', '/v1/cases?status=Closed', { as: 'dana@acme.example' });
    expect(listed.body.items.map((c: { number: string }) => c.number)).toEqual([number]);
    const found = await t.api('GET', '/v1/cases?q=agents', { as: 'dana@acme.example' });
    expect(found.body.items.map((c: { number: string }) => c.number)).toEqual([number]);
  });
});

/** Rewrites the table as an older version made it: only the byKind index (all cases in it), no other index keys. */
async function downgradeTable(dir: string) {
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0 }) as unknown as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Items = [] } = await client.send(new ScanCommand({ TableName: 'casework' }));
  await client.send(new DeleteTableCommand({ TableName: 'casework' }));
  while (await client.send(new DescribeTableCommand({ TableName: 'casework' })).catch(() => undefined)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const current = createTableInput('casework');
  await client.send(
    new CreateTableCommand({
      ...current,
      AttributeDefinitions: current.AttributeDefinitions.filter((a) =>
        ['pk', 'sk', 'gsi2pk', 'gsi2sk'].includes(a.AttributeName),
      ),
      GlobalSecondaryIndexes: current.GlobalSecondaryIndexes.filter((i) => i.IndexName === 'byKind').map(
        (i) => ({ ...i, Projection: { ProjectionType: 'ALL' as const } }),
      ),
    }),
  );
  const status = async () =>
    (await client.send(new DescribeTableCommand({ TableName: 'casework' }))).Table?.TableStatus;
  while ((await status()) !== 'ACTIVE') await new Promise((resolve) => setTimeout(resolve, 5));
  for (const item of Items.filter((i) => !i.pk?.S?.startsWith('SEARCH#'))) {
    const kept = Object.entries(item).filter(
      ([name]) => !keyAttributes.includes(name) || ['pk', 'sk', 'gsi2pk', 'gsi2sk'].includes(name),
    );
    const old: Record<string, AttributeValue> =
      item.sk?.S === 'CASE'
        ? { gsi2pk: { S: 'CASES' }, gsi2sk: { S: `${item.updatedAt?.S}#${item.caseId?.S}` } }
        : {};
    await client.send(
      new PutItemCommand({ TableName: 'casework', Item: { ...Object.fromEntries(kept), ...old } }),
    );
  }
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}
