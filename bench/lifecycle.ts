import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { LifeCounts } from './product.ts';

/**
 * The cost of one typical case life on AWS, counted on the local runtime: open, information
 * request, reply, solution, accept (closes), the 30-day reopen window, purge. Step Functions bills
 * state transitions; Lambda bills invocations; DynamoDB bills writes.
 */
export async function lifecycleCosts(): Promise<{ table: string; counts: LifeCounts }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'casework-bench-life-'));
  const ports = { api: 0, dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0, smtp: 0 };
  // The handlers run in this process: keep their logs out of the benchmark's output.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { startLocalRuntime } = await import('#local/runtime.ts');
  const rt = await startLocalRuntime({ dataDir, ports, frozenAt: new Date('2026-03-02T09:00:00Z') });
  try {
    const base = rt.urls.api;
    const call = async (method: string, url: string, as: string, body?: object) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${await rt.issuer.sign(as)}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = (await res.json()) as { number: string };
      await rt.settled();
      return json;
    };
    const writesBefore = { ...rt.counters.dynamodb };
    const sum = (service: 's3' | 'ses') =>
      Object.values(rt.counters.calls).reduce((n, calls) => n + calls[service], 0);
    const s3Before = sum('s3');
    const sesBefore = sum('ses');
    const cpu = process.cpuUsage();
    const invocationsBefore = { ...rt.counters.invocations };
    const { number } = await call('POST', '/cases', 'dana@acme.example', {
      account: 'acme',
      product: 'Contact Center',
      type: 'problem',
      environment: 'production',
      severity: 'medium',
      subject: 'Reports are empty',
      description: 'The daily report has no rows.',
      circumstances: 'Since Friday.',
    });
    const steps: [string, string, string, object][] = [
      ['POST', `/cases/${number}/actions/request-info`, 'eve@support.example', { note: 'Which report?' }],
      ['POST', `/cases/${number}/updates`, 'dana@acme.example', { note: 'The agent summary.' }],
      [
        'POST',
        `/cases/${number}/actions/propose-solution`,
        'eve@support.example',
        { note: 'Re-run the job.' },
      ],
      ['POST', `/cases/${number}/actions/accept-solution`, 'dana@acme.example', {}],
    ];
    // Index entries written: each index whose key the case item gained (1), lost (1) or moved (a
    // delete and a put, 2), seen from the item after each step.
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ddb } = await import('#shared/store/clients.ts');
    const { caseKey } = await import('#shared/store/keys.ts');
    const { tableDefinition } = await import('#shared/store/table.ts');
    const { searchItemsOf } = await import('#shared/store/search.ts');
    const caseItem = async () =>
      (await ddb().send(new GetCommand({ TableName: process.env.CASEWORK_TABLE, Key: caseKey(number) })))
        .Item ?? {};
    const entries = (item: Record<string, unknown>) =>
      tableDefinition.indexes.map((i) =>
        item[i.partitionKey] !== undefined && item[i.sortKey] !== undefined
          ? `${item[i.partitionKey]}#${item[i.sortKey]}`
          : undefined,
      );
    let indexWrites = 0;
    // The benchmark's own reads of the case item, not counted in the life's.
    let ownReads = 0;
    let last = entries({});
    const seen = async () => {
      ownReads++;
      const now = entries(await caseItem());
      now.forEach((entry, i) => {
        if (entry !== last[i]) indexWrites += entry && last[i] ? 2 : 1;
      });
      last = now;
    };
    await seen();
    const searchItems = searchItemsOf((await caseItem()) as never).length;
    ownReads++;
    for (const [method, url, as, body] of steps) {
      await call(method, url, as, body);
      await seen();
    }
    await rt.clock.advance(31 * 86_400_000);
    await seen();
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: rt.urls.stepfunctions,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN }),
    );
    let transitions = 0;
    let status = '';
    for (const e of executions) {
      const { events = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: e.executionArn }),
      );
      transitions += events.filter((ev) => ev.type?.endsWith('StateEntered')).length;
      status = e.status ?? '';
    }
    const diff = (after: Record<string, number>, before: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(after)
          .map(([k, v]) => [k, v - (before[k] ?? 0)])
          .filter(([, v]) => (v as number) > 0),
      );
    const writes = diff(rt.counters.dynamodb, writesBefore) as Record<string, number>;
    const invocations = diff(rt.counters.invocations, invocationsBefore) as Record<string, number>;
    const writeOps = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
    // A batch write (the case's search words) writes each of its items.
    const totalWrites =
      writeOps.reduce((sum, op) => sum + (writes[op] ?? 0), 0) - (writes.BatchWriteItem ?? 0) + searchItems;
    const totalReads =
      Object.entries(writes)
        .filter(([op]) => !writeOps.includes(op))
        .reduce((sum, [, v]) => sum + v, 0) - ownReads;
    const totalInvocations = Object.values(invocations).reduce((a, b) => a + b, 0);
    const used = process.cpuUsage(cpu);
    const table = `| measure | per case life |
|---|---|
| Step Functions state transitions (states entered) | ${transitions} (execution ${status}) |
| Lambda invocations | ${totalInvocations} (${Object.entries(invocations)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) |
| DynamoDB writes (items) | ${totalWrites} (${searchItems} search items in one batch; requests: ${writeOps
      .filter((op) => writes[op])
      .map((op) => `${op} ${writes[op]}`)
      .join(', ')}) |
| DynamoDB index entries written (keys only) | ${indexWrites} |
| DynamoDB reads (Get/Query/Describe) | ${totalReads} |`;
    const counts: LifeCounts = {
      transitions,
      invocations: totalInvocations,
      writes: totalWrites,
      reads: totalReads,
      sesCalls: sum('ses') - sesBefore,
      s3Puts: sum('s3') - s3Before,
      s3Gets: 0,
      indexWrites,
      cpuMs: (used.user + used.system) / 1000,
    };
    return { table, counts };
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
