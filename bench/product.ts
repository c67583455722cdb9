import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import nodemailer from 'nodemailer';
import type { LocalRuntime } from '#local/runtime.ts';

/**
 * The product's costs per operation, counted by the local runtime (in this process): calls to each
 * service from the request path and from the workflow it wakes, CPU of the whole local system per
 * operation, memory with 2,000 and 20,000 cases waiting in their workflows, list and report latency
 * at 200 and 20,000 cases.
 */

type Service = 'dynamodb' | 's3' | 'ses' | 'stepfunctions';
const SERVICES: Service[] = ['dynamodb', 's3', 'ses', 'stepfunctions'];
type Calls = Record<Service, number>;
const NONE: Calls = { dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0 };

const START = '2026-03-02T09:00:00Z';
/** The medium case every benchmark opens (complete, so its clocks start). */
export const newCase = {
  account: 'acme',
  product: 'Contact Center',
  type: 'problem',
  environment: 'production',
  severity: 'medium',
  subject: 'Benchmark case',
  description: 'A case opened by the benchmark.',
  circumstances: 'None.',
};

export interface OperationCost {
  operation: string;
  /** Calls per operation by the function that served it (the request path). */
  request: Calls;
  /** Calls per operation by the workflow it woke. */
  workflow: Calls;
  cpuMs: number;
}

export interface ProductFigures {
  operations: OperationCost[];
  memory: { cases: number; heapMb: number; rssMb: number; seconds: number }[];
  latency: {
    cases: number;
    list: number;
    accountList: number;
    filtered: number;
    pages: number;
    queue: number;
    search: number;
    report: number;
  }[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function productFigures(seedBudgetMs = 8 * 60_000): Promise<ProductFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'casework-bench-product-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { startLocalRuntime } = await import('#local/runtime.ts');
  const ports = { api: 0, dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0, smtp: 0 };
  const rt: LocalRuntime = await startLocalRuntime({ dataDir, ports, frozenAt: new Date(START) });
  const { ddb, sfn } = await import('#shared/store/clients.ts');
  const { caseKey } = await import('#shared/store/keys.ts');
  const { caseIndexKeys } = await import('#shared/store/case-index.ts');
  const { complianceShareOf, tallyOf } = await import('#shared/cases/compliance.ts');
  const { addToCounter } = await import('#shared/store/compliance.ts');
  const tokens = new Map<string, string>();
  const bearer = async (email: string) => {
    if (!tokens.has(email)) tokens.set(email, await rt.issuer.sign(email));
    return `Bearer ${tokens.get(email)}`;
  };
  const call = async (method: string, url: string, as: string, body?: object, headers = {}) => {
    const res = await fetch(`${rt.urls.api}${url}`, {
      method,
      headers: { authorization: await bearer(as), 'content-type': 'application/json', ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(new URL(rt.urls.smtp).port),
    secure: false,
    ignoreTLS: true,
  });

  const snapshot = (fn: string): Calls => ({ ...NONE, ...rt.counters.calls[fn] });
  const diff = (after: Calls, before: Calls, n: number): Calls =>
    Object.fromEntries(SERVICES.map((s) => [s, (after[s] - before[s]) / n])) as Calls;

  /** Runs `act` n times, each settled, counting calls of the serving function and of the workflow. */
  async function measure(operation: string, fn: string, n: number, act: (i: number) => Promise<unknown>) {
    const request = snapshot(fn);
    const workflow = snapshot('workflow');
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      await act(i);
      await rt.settled();
    }
    const used = process.cpuUsage(cpu);
    return {
      operation,
      request: diff(snapshot(fn), request, n),
      workflow: diff(snapshot('workflow'), workflow, n),
      cpuMs: (used.user + used.system) / 1000 / n,
    };
  }

  try {
    const figures: ProductFigures = { operations: [], memory: [], latency: [] };
    const numbers: string[] = [];
    // Warm up: the handlers' modules and the calendars' indexes are loaded once per container.
    numbers.push((await call('POST', '/cases', 'dana@acme.example', newCase)).number as string);
    await rt.settled();

    figures.operations.push(
      await measure('case creation (with Idempotency-Key)', 'api', 40, async (i) => {
        const c = await call('POST', '/cases', 'dana@acme.example', newCase, {
          'Idempotency-Key': `bench-${i}`,
        });
        numbers.push(c.number as string);
      }),
    );
    figures.operations.push(
      await measure('transition (request-info)', 'api', 20, (i) =>
        call('POST', `/cases/${numbers[i + 1]}/actions/request-info`, 'eve@support.example', {
          note: 'Which report?',
        }),
      ),
    );
    figures.operations.push(
      await measure('customer update (answers, case back to Open)', 'api', 20, (i) =>
        call('POST', `/cases/${numbers[i + 1]}/updates`, 'dana@acme.example', { note: 'The agent summary.' }),
      ),
    );
    figures.operations.push(
      await measure('inbound mail linked by its subject (small text)', 'inboundMail', 20, (i) =>
        smtp.sendMail({
          from: 'dana@acme.example',
          to: 'cases@support.example',
          subject: `Re: Case # ${numbers[i + 21]}`,
          text: `Update ${i} by mail.`,
          messageId: `<bench-${i}@bench.example>`,
        }),
      ),
    );
    figures.operations.push(
      await measure('case view (GET one case)', 'api', 20, (i) =>
        call('GET', `/cases/${numbers[i + 1]}`, 'dana@acme.example'),
      ),
    );
    figures.operations.push(
      await measure('case list (first page, 50 cases)', 'api', 20, () =>
        call('GET', '/cases', 'eve@support.example'),
      ),
    );

    // The rest of the cases are seeded the cheap way: case items written 25 at a time and each
    // case's workflow started directly (it routes and waits exactly as for a case opened by the API).
    const template = (await call('GET', `/cases/${numbers[1]}`, 'eve@support.example')) as Record<
      string,
      unknown
    >;
    let seeded = 0;
    /** Seeds up to `total` cases, stopping early when `budgetMs` runs out; answers the time taken. */
    const seed = async (total: number, closed: (i: number) => boolean, budgetMs: number) => {
      const started = performance.now();
      const ids: string[] = [];
      // What the seeded closures count for, summed per counter and added once at the end.
      const counted = new Map<string, ReturnType<typeof tallyOf> & { share: object }>();
      const starting = async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < ids.length) {
              const caseId = ids[next++] as string;
              await sfn().send(
                new StartExecutionCommand({
                  stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN,
                  name: caseId,
                  input: JSON.stringify({ caseId, cycles: 0, generation: 1, startedAt: START }),
                }),
              );
            }
          }),
        );
        ids.length = 0;
        await rt.settled();
      };
      while (numbers.length + seeded < total && performance.now() - started < budgetMs) {
        const batch = [];
        for (let k = 0; k < 25 && numbers.length + seeded < total; k++, seeded++) {
          const caseId = `9${String(seeded).padStart(9, '0')}`;
          const isClosed = closed(seeded);
          const at = new Date(Date.parse(START) + seeded * 1000).toISOString();
          const c = {
            ...template,
            sla: undefined,
            obligations: undefined,
            caseId,
            number: caseId,
            ref: 'bench',
            createdAt: at,
            updatedAt: at,
            completedAt: at,
            outbox: {},
            ...(isClosed
              ? {
                  status: 'Closed',
                  subStatus: 'Solution Accepted',
                  closedAt: at,
                  respondedAt: at,
                  resolvedAt: at,
                  slaOutcomes: { response: { state: 'met', at }, resolution: { state: 'met', at } },
                  workflowDone: true,
                }
              : {}),
          };
          const share = isClosed ? complianceShareOf(c as never) : null;
          if (share) {
            Object.assign(c, { counted: share });
            const key = JSON.stringify([share.day, share.centre, share.plan, share.severity]);
            const { tally, labels } = tallyOf(share, 1);
            const sum = counted.get(key) ?? { share, tally: {}, labels };
            for (const [name, n] of Object.entries(tally)) sum.tally[name] = (sum.tally[name] ?? 0) + n;
            counted.set(key, sum);
          }
          batch.push({
            PutRequest: { Item: { ...caseKey(caseId), ...caseIndexKeys(c as never), ...c } },
          });
          if (!isClosed) ids.push(caseId);
        }
        await ddb().send(
          new BatchWriteCommand({
            RequestItems: { [process.env.CASEWORK_TABLE as string]: JSON.parse(JSON.stringify(batch)) },
          }),
        );
        if (ids.length >= 200) await starting();
      }
      await starting();
      for (const [key, { share, tally, labels }] of counted)
        await addToCounter(`bench-${seeded}-${key}`, share as never, tally, labels);
      return (performance.now() - started) / 1000;
    };

    const latency = async (cases: number) => {
      const timed = async (fn: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now();
          await fn();
          times.push(performance.now() - t0);
        }
        return median(times);
      };
      const list = await timed(() => call('GET', '/cases', 'eve@support.example'));
      const accountList = await timed(() => call('GET', '/cases', 'dana@acme.example'));
      // A filtered list with few matches: the pages a client reads to see 20 of them (or all there are).
      let pages = 0;
      const filtered = await timed(async () => {
        let cursor: string | undefined;
        let found = 0;
        pages = 0;
        do {
          const page = await call(
            'GET',
            `/cases?severity=high${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            'eve@support.example',
          );
          pages++;
          found += (page.items as unknown[]).length;
          cursor = page.cursor as string | undefined;
        } while (cursor && found < 20);
      });
      const queue = await timed(() => call('GET', '/cases?queue=unowned', 'eve@support.example'));
      const search = await timed(() => call('GET', '/cases?q=benchmark', 'eve@support.example'));
      const report = await timed(() =>
        call(
          'GET',
          `/reports/sla-compliance?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z`,
          'eve@support.example',
        ),
      );
      figures.latency.push({ cases, list, accountList, filtered, pages, queue, search, report });
    };
    const memory = async (cases: number, seconds: number) => {
      (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      figures.memory.push({ cases, heapMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20, seconds });
    };

    // One case in ten closed (the report reads those); the others wait in their workflows.
    const closedOne = (i: number) => i % 10 === 0;
    const cases = () => numbers.length + seeded;
    await seed(200, closedOne, Number.POSITIVE_INFINITY);
    await latency(cases());
    const toTwoThousand = await seed(2_000, closedOne, Number.POSITIVE_INFINITY);
    await memory(cases(), toTwoThousand);
    // Bounded: on a slow machine the figure is taken at the number of cases reached.
    const toTwentyThousand = await seed(20_000, closedOne, seedBudgetMs);
    await memory(cases(), toTwentyThousand);
    await latency(cases());
    return figures;
  } finally {
    smtp.close();
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (c: Calls) => SERVICES.map((s) => `${+c[s].toFixed(1)}`).join(' / ');

export const PRODUCT_HEADING = '## Where the product spends';

/** The product section of BENCHMARKS.md (\`npm run bench -- product\` runs it alone). */
export function productSection(f: ProductFigures): string {
  return `${PRODUCT_HEADING} (issue: speed)
Counted on the local runtime in this process (bench/product.ts; \`npm run bench -- product\` runs
this section alone, on ${new Date().toISOString().slice(0, 10)}, load average at the start ${os.loadavg()[0]?.toFixed(1)}).

${productTables(f)}`;
}

function productTables(f: ProductFigures): string {
  const ops = f.operations.map(
    (o) => `| ${o.operation} | ${fmt(o.request)} | ${fmt(o.workflow)} | ${o.cpuMs.toFixed(1)} ms |`,
  );
  const mem = f.memory.map(
    (m) =>
      `| ${m.cases.toLocaleString('en')} | ${m.heapMb.toFixed(0)} MB | ${m.rssMb.toFixed(0)} MB | ${m.seconds.toFixed(0)} s |`,
  );
  const lat = f.latency.map(
    (l) =>
      `| ${l.cases.toLocaleString('en')} | ${l.list.toFixed(0)} ms | ${l.accountList.toFixed(0)} ms | ${l.filtered.toFixed(0)} ms (${l.pages} page${l.pages === 1 ? '' : 's'}) | ${l.queue.toFixed(0)} ms | ${l.search.toFixed(0)} ms | ${l.report.toFixed(0)} ms |`,
  );
  return `Calls per operation (DynamoDB / S3 / SES / Step Functions), counted by the local runtime per
calling function (the X-Ray trace id the SDK sends from each invocation): the request path is what
a customer waits for; the workflow's calls follow it asynchronously. CPU is the whole local system's
(handlers, emulators, workflow) per operation, in one process.

| operation | request path | workflow woken by it | CPU per operation |
|---|---|---|---|
${ops.join('\n')}

Memory of the local system (one process, after a full GC) with cases in the table (nine in ten
waiting in their workflows);
the cases past the first 200 are seeded the cheap way (case items written 25 at a time, each
case's execution started directly: it routes and waits as for a case opened by the API), one in
ten closed (no execution) for the report:

| cases | heap used | resident | seeding time |
|---|---|---|---|
${mem.join('\n')}

Latency (median of 10) of the engineer's case list (first page), the customer's (one account), a
filtered list with few matches (\`severity=high\`: the pages read to find 20 or reach the end), the
engineer's unowned queue (first page, nine in ten cases open and unowned), a search
(\`q=benchmark\`: the 41 cases opened through the API) and the SLA compliance report for the year:

| cases | list | account list | filtered list | unowned queue | search | compliance report |
|---|---|---|---|---|---|---|
${lat.join('\n')}`;
}

/** AWS list prices (us-east-1, on demand), per unit. */
const PRICES = {
  dynamodbWrite: 0.625 / 1e6,
  dynamodbRead: 0.125 / 1e6,
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000166667,
  sesMail: 0.1 / 1000,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
};

export interface LifeCounts {
  transitions: number;
  invocations: number;
  writes: number;
  reads: number;
  sesCalls: number;
  s3Puts: number;
  s3Gets: number;
  /** Index entries rewritten: each case-item write rewrites the indexes it is in. */
  indexWrites: number;
  cpuMs: number;
}

export function costTable(life: LifeCounts): string {
  const per1000 = (n: number, price: number) => n * price * 1000;
  // Lambda time: the system's CPU per life, billed at 256 MB (an upper bound: emulators included).
  const rows: [string, number, number][] = [
    ['DynamoDB writes (table)', life.writes, per1000(life.writes, PRICES.dynamodbWrite)],
    ['DynamoDB writes (indexes)', life.indexWrites, per1000(life.indexWrites, PRICES.dynamodbWrite)],
    ['DynamoDB reads', life.reads, per1000(life.reads, PRICES.dynamodbRead)],
    ['Step Functions state transitions', life.transitions, per1000(life.transitions, PRICES.stateTransition)],
    ['Lambda requests', life.invocations, per1000(life.invocations, PRICES.lambdaRequest)],
    [
      'Lambda GB-seconds (CPU time at 256 MB)',
      (life.cpuMs / 1000) * 0.25,
      per1000((life.cpuMs / 1000) * 0.25, PRICES.lambdaGbSecond),
    ],
    ['SES mails sent', life.sesCalls, per1000(life.sesCalls, PRICES.sesMail)],
    [
      'S3 requests (PUT / GET)',
      life.s3Puts + life.s3Gets,
      per1000(life.s3Puts, PRICES.s3Put) + per1000(life.s3Gets, PRICES.s3Get),
    ],
  ];
  const total = rows.reduce((sum, [, , usd]) => sum + usd, 0);
  return `| item | per case life | USD per 1,000 case lives |
|---|---|---|
${rows.map(([item, n, usd]) => `| ${item} | ${+n.toFixed(2)} | ${usd.toFixed(4)} |`).join('\n')}
| **total** | | **${total.toFixed(4)}** |

Prices: AWS list prices, us-east-1, on demand (DynamoDB $0.625 per million write and $0.125 per
million read request units, items under 1 KB; Step Functions Standard $0.025 per 1,000 state
transitions; Lambda $0.20 per million requests and $0.0000166667 per GB-second; SES $0.10 per
1,000 mails; S3 $0.005 per 1,000 PUTs, $0.0004 per 1,000 GETs). Index writes are the
index entries the case item gained, lost or moved (a move is a delete and a put), keys only.`;
}
