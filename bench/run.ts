import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import nodemailer from 'nodemailer';
import { dropSqliteWarning } from '../local/sqlite-warning.ts';
import { bundleSizes } from './bundles.ts';
import { lifecycleCosts } from './lifecycle.ts';
import { costTable, newCase, PRODUCT_HEADING, productFigures, productSection } from './product.ts';
import { slaSection, withSection, withSlaSection } from './sla.ts';

// The runtime the bench starts loads node:sqlite: its experimental warning says nothing here.
dropSqliteWarning();

/**
 * `npm run bench`: figures for BENCHMARKS.md. Starts the local runtime as `npm start` does (a child
 * process on its own ports and data folder) and measures it from outside.
 */

const ports = {
  CASEWORK_PORT: 4100,
  CASEWORK_DYNAMODB_PORT: 4101,
  CASEWORK_S3_PORT: 4102,
  CASEWORK_SES_PORT: 4103,
  CASEWORK_SFN_PORT: 4104,
  CASEWORK_SMTP_PORT: 2625,
};
const api = `http://127.0.0.1:${ports.CASEWORK_PORT}`;
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value below which a share `p` of the values fall. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** A pooled SMTP client of the local inbound-mail listener. */
const smtpTransport = (maxConnections: number) =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port: ports.CASEWORK_SMTP_PORT,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections,
  });

async function startRuntime() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'casework-bench-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['local/main.ts'], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      CASEWORK_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready in')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}`)));
  });
  return { child, dataDir, readyMs: performance.now() - started };
}

async function firstCaseNumber(): Promise<string> {
  const res = await fetch(`${api}/v1/cases`, {
    headers: { authorization: `Bearer ${await token('dana@acme.example')}` },
  });
  return ((await res.json()) as { items: { number: string }[] }).items[0]?.number ?? '';
}

async function token(email: string): Promise<string> {
  const res = await fetch(`${api}/_local/token`, { method: 'POST', body: JSON.stringify({ email }) });
  return ((await res.json()) as { token: string }).token;
}

async function caseCreations(total: number, concurrency: number) {
  const bearer = `Bearer ${await token('dana@acme.example')}`;
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        const res = await fetch(`${api}/v1/cases`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'application/json' },
          body: JSON.stringify(newCase),
        });
        await res.arrayBuffer();
        if (res.status !== 201) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
  };
}

/** Inbound mails per second through the SMTP listener (SES → S3 → Lambda path), each linked by its subject. */
async function inboundMail(caseNumber: string, total: number, attachmentBytes: number) {
  const transport = smtpTransport(4);
  const attachment = attachmentBytes
    ? [{ filename: 'trace.log', content: Buffer.alloc(attachmentBytes, 'x') }]
    : [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < total) {
        const i = next++;
        await transport.sendMail({
          from: 'dana@acme.example',
          to: 'cases@support.example',
          subject: `Re: Case # ${caseNumber}`,
          text: `Update ${i} from the benchmark.`,
          messageId: `<bench-${attachmentBytes}-${i}-${Date.now()}@bench.example>`,
          attachments: attachment,
        });
      }
    }),
  );
  transport.close();
  return total / ((performance.now() - started) / 1000);
}

/**
 * Load: 20 concurrent clients for 60 s against the running system, each looping over a mix of
 * opening cases, updating them, listing them, and mail arriving by SMTP.
 */
async function load(seconds: number, clients: number, pid: number) {
  const dana = `Bearer ${await token('dana@acme.example')}`;
  const known: string[] = [await firstCaseNumber()];
  const stats: Record<string, number[]> = { create: [], update: [], list: [], mail: [] };
  let errors = 0;
  let serverErrors = 0;
  let peakRss = 0;
  const transport = smtpTransport(5);
  const pick = () => known[Math.floor(Math.random() * known.length)] as string;
  // Each operation answers whether it succeeded; any 5xx is counted apart, as the spec forbids them.
  const ok = (res: Response, expected: number) => {
    if (res.status >= 500) serverErrors++;
    return res.status === expected;
  };
  const ops: Record<string, () => Promise<boolean>> = {
    create: async () => {
      const res = await fetch(`${api}/v1/cases`, {
        method: 'POST',
        headers: { authorization: dana, 'content-type': 'application/json' },
        body: JSON.stringify(newCase),
      });
      const body = (await res.json()) as { number?: string };
      if (body.number) known.push(body.number);
      return ok(res, 201);
    },
    update: async () => {
      const res = await fetch(`${api}/v1/cases/${pick()}/updates`, {
        method: 'POST',
        headers: { authorization: dana, 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'More details from the load test.' }),
      });
      await res.arrayBuffer();
      return ok(res, 200);
    },
    list: async () => {
      const res = await fetch(`${api}/v1/cases`, { headers: { authorization: dana } });
      await res.arrayBuffer();
      return ok(res, 200);
    },
    mail: async () => {
      const info = await transport.sendMail({
        from: 'dana@acme.example',
        to: 'cases@support.example',
        subject: `Re: Case # ${pick()}`,
        text: 'A reply by mail.',
        messageId: `<load-${Math.random()}@bench.example>`,
      });
      return info.response.startsWith('250');
    },
  };
  const mix = ['create', 'create', 'create', 'update', 'update', 'update', 'list', 'list', 'list', 'mail'];
  const end = performance.now() + seconds * 1000;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(pid));
  }, 1000);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const op = mix[Math.floor(Math.random() * mix.length)] as string;
        const t0 = performance.now();
        const ok = await (ops[op] as () => Promise<boolean>)().catch(() => false);
        (stats[op] as number[]).push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  clearInterval(sampler);
  transport.close();
  const total = Object.values(stats).reduce((n, v) => n + v.length, 0);
  const rows = Object.entries(stats).map(
    ([op, v]) =>
      `| ${op} | ${v.length} | ${(v.length / seconds).toFixed(1)}/s | ${percentile(v, 0.5).toFixed(0)} ms | ${percentile(v, 0.99).toFixed(0)} ms |`,
  );
  return { total, perSecond: total / seconds, errors, serverErrors, peakRss, rows: rows.join('\n') };
}

/**
 * Mails SES holds, and mails the system meant to send: one sent-marker (`MAIL#`) per mail sent,
 * plus those still waiting in an outbox.
 */
async function mailCounts() {
  const store = await fetch(`http://127.0.0.1:${ports.CASEWORK_SES_PORT}/store`);
  const sent = ((await store.json()) as { emails: unknown[] }).emails.length;
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${ports.CASEWORK_DYNAMODB_PORT}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  let intended = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: 'casework',
        ProjectionExpression: '#sk, outbox',
        ExpressionAttributeNames: { '#sk': 'sk' },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item.sk).startsWith('MAIL#')) intended++;
      const outbox = Object.values((item.outbox ?? {}) as Record<string, { type: string }>);
      intended += outbox.filter((e) => e.type === 'mail').length;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { sent, intended };
}

const loadAtStart = os.loadavg()[0]?.toFixed(1) ?? '?';
// `npm run bench -- sla`: the SLA section alone, in place in BENCHMARKS.md (no runtime started).
if (process.argv[2] === 'sla') {
  process.env.TZ = 'Europe/London';
  const section = slaSection(loadAtStart);
  writeFileSync('BENCHMARKS.md', withSlaSection(readFileSync('BENCHMARKS.md', 'utf8'), section));
  console.log(section);
  process.exit(0);
}
/** The case life and its cost, sections of BENCHMARKS.md (`npm run bench -- life` runs them alone). */
function lifeSections(life: Awaited<ReturnType<typeof lifecycleCosts>>): string {
  return `${LIFE_HEADING} (issue: lifecycle)
Open, information request, customer reply, solution proposed, accepted (closes), the 30-day reopen
window, purge: counted on the local runtime (bench/lifecycle.ts). Each is billed on AWS.

${life.table}

Each change of a case is one conditional update of the case item carrying its side effects
(outbox) and the request's id, and the index keys it moves; the request then wakes the workflow
with the task token it read with the case, and the workflow's route step completes the effects as
it wakes: one put per timeline item, per mail a claim, a read of the address's bounce record, the
send, the sent-marker and the entry's removal, the new case's search words in one batch, then one
update taking the finished effects off the outbox; each wait stores its task token (one update).

## AWS cost per 1,000 case lives (issue: speed)
From the typical case life above, priced (bench/product.ts):

${costTable(life.counts)}`;
}
const LIFE_HEADING = '## A typical case life';
// `npm run bench -- life`: the case life and its cost alone, in place.
if (process.argv[2] === 'life') {
  const section = lifeSections(await lifecycleCosts());
  const markdown = readFileSync('BENCHMARKS.md', 'utf8');
  const start = markdown.indexOf(LIFE_HEADING);
  const end = markdown.indexOf('\n## ', markdown.indexOf('## AWS cost per 1,000'));
  writeFileSync('BENCHMARKS.md', `${markdown.slice(0, start)}${section}\n${markdown.slice(end)}`);
  console.log(section);
  process.exit(0);
}
// `npm run bench -- product`: the product section alone (calls, memory, list and report latency).
if (process.argv[2] === 'product') {
  const section = productSection(await productFigures());
  writeFileSync(
    'BENCHMARKS.md',
    withSection(readFileSync('BENCHMARKS.md', 'utf8'), PRODUCT_HEADING, section),
  );
  console.log(section);
  process.exit(0);
}
const { child, dataDir, readyMs } = await startRuntime();
try {
  await sleep(2000);
  const idleRss = rssMb(child.pid as number);
  await caseCreations(20, 4); // warm up
  const creations = await caseCreations(300, 10);
  const loadedRss = rssMb(child.pid as number);
  const caseNumber = await firstCaseNumber();
  const smallMail = await inboundMail(caseNumber, 200, 0);
  const bigMail = await inboundMail(caseNumber, 40, 1024 * 1024);
  const mailsBefore = await mailCounts();
  const loaded = await load(60, 20, child.pid as number);
  await sleep(5000); // the workflows' last steps
  const mailsAfter = await mailCounts();
  const mailsSent = mailsAfter.sent - mailsBefore.sent;
  const mailsIntended = mailsAfter.intended - mailsBefore.intended;
  const afterLoadRss = rssMb(child.pid as number);
  // The peer libraries count in the process's local time: make it the emea centre's.
  process.env.TZ = 'Europe/London';
  const sla = slaSection(loadAtStart);
  const life = await lifecycleCosts();
  const product = productSection(await productFigures());
  const bundles = await bundleSizes();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`;
  const report = `# Benchmarks

Produced by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, machine: ${machine}; load average at the start ${loadAtStart} (other work on the machine slows every figure alike).
Re-run it after a change that could move these; the figures are from one run.

## Local runtime (issues: foundation, e-mail)
| measure | figure |
|---|---|
| \`npm start\` (node local/main.ts) to ready, fresh data folder | ${readyMs.toFixed(0)} ms |
| resident memory of the idle local system (one process) | ${idleRss.toFixed(0)} MB |
| resident memory after the case creations below | ${loadedRss.toFixed(0)} MB |
| case creations through the local API, 10 concurrent clients, 300 cases | ${creations.perSecond.toFixed(0)} cases/s |
| case creation latency p50 / p99 | ${creations.p50.toFixed(1)} ms / ${creations.p99.toFixed(1)} ms |
| errors | ${creations.errors} |
| inbound mails parsed and linked, small text mail (SMTP → S3 → handler), 4 connections | ${smallMail.toFixed(0)} mails/s |
| inbound mails parsed and linked, with a 1 MB attachment stored as a case file | ${bigMail.toFixed(1)} mails/s |

A case creation is the whole real path: JWT verification, validation, counter, conditional put,
timeline write, confirmation mail through SES, Step Functions execution start (and its first
route and wait steps).

## Load (issue: reliability)
20 concurrent clients for 60 s against the local runtime started as by \`npm start\` (bench/run.ts),
each looping over a mix of 30% case openings, 30% updates, 30% case lists and 10% mail arriving by
SMTP (linked to a case by its subject).

| operation | count | throughput | p50 | p99 |
|---|---|---|---|---|
${loaded.rows}

${loaded.total} operations, ${loaded.perSecond.toFixed(1)} per second; mails sent per intended mail: ${(mailsSent / Math.max(mailsIntended, 1)).toFixed(2)} (${mailsSent} sent by SES, ${mailsIntended} intended); ${loaded.errors} failed operations (${loaded.serverErrors} of them 5xx); resident memory peaked at ${loaded.peakRss.toFixed(0)} MB and was ${afterLoadRss.toFixed(0)} MB after the run. The runtime is one Node process on ${os.cpus().length} cores (emulators and handlers share it), so these are figures of the laptop setup, not of AWS. What grows with the number of cases is the emulators' in-memory state (each waiting execution's interpreter, the SES mail viewer's store); DynamoDB, S3 and the execution histories stay on disk.

${sla}

${lifeSections(life)}

${product}

## Lambda bundles (issue: AWS deployment)
Built as the CDK stack's NodejsFunction builds them (bench/bundles.ts: esbuild, minified, ESM,
node22, the AWS SDK v3 left to the nodejs22.x runtime). Holidays are catalogue data, so no
holiday library or time-zone database is bundled; only the functions that parse mail carry
mailparser and its character sets.

${bundles}
`;
  writeFileSync('BENCHMARKS.md', report);
  console.log(report);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
// The in-process runtimes' clients and esbuild's service would keep the process alive.
process.exit(0);
