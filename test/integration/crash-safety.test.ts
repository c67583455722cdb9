import { createHash, randomUUID } from 'node:crypto';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCase } from '#shared/store/cases.ts';
import { ddb, s3, ses, sfn } from '#shared/store/clients.ts';
import { listFileRecords } from '#shared/store/file-records.ts';
import { listTimeline } from '#shared/store/timeline.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/**
 * Crash safety (SPEC §13): every write an adapter makes (DynamoDB, S3, SES, Step Functions) is made
 * to throw in turn, at each step of each handler; the caller then retries as it would (the client
 * repeats the request, SES redelivers the mail, Step Functions retries the task). Every run must
 * end with exactly one effect.
 */
const WRITES = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectCommand',
  'CreateMultipartUploadCommand',
  'SendEmailCommand',
  'StartExecutionCommand',
  'SendTaskSuccessCommand',
]);

type Sendable = { send: (command: object, ...rest: unknown[]) => Promise<unknown> };

/** Makes the k-th write from now on throw; answers how many writes went by. */
function crashAt(k: number) {
  let n = 0;
  let crashedAt: string | null = null;
  const restores: (() => void)[] = [];
  for (const client of [ddb(), s3(), ses(), sfn()] as unknown as Sendable[]) {
    const original = client.send;
    client.send = function (this: Sendable, command: object, ...rest: unknown[]) {
      const name = command.constructor.name;
      if (WRITES.has(name) && ++n === k) {
        crashedAt = name;
        return Promise.reject(
          Object.assign(new Error(`injected crash at write ${k} (${name})`), { name: 'InjectedCrash' }),
        );
      }
      return original.call(this, command, ...rest);
    };
    restores.push(() => {
      client.send = original;
    });
  }
  return {
    writes: () => n,
    crashedAt: () => crashedAt,
    restore: () => {
      for (const r of restores) r();
    },
  };
}

let t: TestRuntime;
const covered: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
  console.log(
    `crash points covered: ${JSON.stringify(covered)}, total ${Object.values(covered).reduce((a, b) => a + b, 0)}`,
  );
});

/** Runs `act` once cleanly to count its writes, then once per write with a crash there, then its retry. */
async function everyCrashPoint(
  name: string,
  setup: () => Promise<string>,
  act: (id: string) => Promise<unknown>,
  retry: (id: string) => Promise<unknown>,
  verify: (id: string, crashedAt: string) => Promise<void>,
) {
  const cleanId = await setup();
  const clean = crashAt(Number.POSITIVE_INFINITY);
  await act(cleanId);
  await t.runtime.settled();
  clean.restore();
  await verify(cleanId, 'none');
  const points = clean.writes();
  expect(points, name).toBeGreaterThan(0);
  for (let k = 1; k <= points; k++) {
    const id = await setup();
    const fault = crashAt(k);
    await act(id).catch(() => {});
    await t.runtime.settled();
    fault.restore();
    await retry(id);
    await t.runtime.settled();
    await verify(id, fault.crashedAt() ?? 'none');
  }
  covered[name] = points;
}

const mailsTo = async (subject: string) => (await t.mails()).filter((m) => m.subject.includes(subject));
const openCase = async (subject: string) =>
  (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: { ...acmeHighCase, subject } })).body
    .number as string;

describe('crash safety: a crash at any write, then a retry, leaves exactly one effect', () => {
  it('case creation (retried with its Idempotency-Key)', { timeout: 300_000 }, async () => {
    const create = (subject: string) =>
      t.api('POST', '/v1/cases', {
        as: 'dana@acme.example',
        body: { ...acmeHighCase, subject },
        headers: { 'Idempotency-Key': subject },
      });
    await everyCrashPoint(
      'case creation',
      async () => `create-${randomUUID().slice(0, 8)}`,
      (subject) => create(subject),
      async (subject) => expect((await create(subject)).status).toBeLessThan(300),
      async (subject, crashedAt) => {
        const cases = (await t.api('GET', '/v1/cases', { as: 'eve@support.example' })).body.items.filter(
          (c: { subject: string }) => c.subject === subject,
        );
        expect(cases, subject).toHaveLength(1);
        expect(await mailsTo(`: ${subject} (opened)`), crashedAt).toHaveLength(1);
        expect((await listTimeline(cases[0].number)).filter((e) => e.kind === 'created')).toHaveLength(1);
        const { executions = [] } = await new SFNClient({
          region: 'us-east-1',
          endpoint: t.runtime.urls.stepfunctions,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }).send(new ListExecutionsCommand({ stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN }));
        expect(executions.filter((e) => e.name === cases[0].number)).toHaveLength(1);
      },
    );
  });

  it('a transition (request-info, retried by the client)', { timeout: 300_000 }, async () => {
    const request = (n: string) =>
      t.api('POST', `/v1/cases/${n}/actions/request-info`, {
        as: 'eve@support.example',
        body: { note: 'Please send the logs.' },
      });
    await everyCrashPoint(
      'transition',
      () => openCase(`transition-${randomUUID().slice(0, 8)}`),
      request,
      async (n) => expect([200, 409]).toContain((await request(n)).status),
      async (n, crashedAt) => {
        const c = await getCase(n);
        expect(c?.status, crashedAt).toBe('Awaiting Info');
        expect(c?.outbox, crashedAt).toEqual({});
        expect((await listTimeline(n)).filter((e) => e.status === 'Awaiting Info')).toHaveLength(1);
        const mails = (await mailsTo(`Case # ${n}`)).filter((m) =>
          m.subject.includes('information requested'),
        );
        expect(mails, crashedAt).toHaveLength(1);
        // The workflow woke and waits in AwaitingInfo (its token stored on the case).
        expect(c?.wait?.state, crashedAt).toBe('AwaitingInfo');
      },
    );
  });

  it('a public note (retried by the client with its Idempotency-Key)', { timeout: 300_000 }, async () => {
    const note = (n: string) =>
      t.api('POST', `/v1/cases/${n}/updates`, {
        as: 'eve@support.example',
        body: { note: 'Try the patch.', visibility: 'public' },
        headers: { 'Idempotency-Key': `note-${n}` },
      });
    await everyCrashPoint(
      'keyed note',
      () => openCase(`note-${randomUUID().slice(0, 8)}`),
      note,
      async (n) => expect((await note(n)).status).toBe(200),
      async (n, crashedAt) => {
        expect(
          (await listTimeline(n)).filter((e) => e.kind === 'note' && e.text === 'Try the patch.'),
          crashedAt,
        ).toHaveLength(1);
        const mails = (await mailsTo(`Case # ${n}`)).filter((m) => m.subject.includes('update from support'));
        expect(mails, crashedAt).toHaveLength(1);
        expect((await getCase(n))?.outbox, crashedAt).toEqual({});
      },
    );
  });

  it('mail linking (redelivered by SES)', { timeout: 300_000 }, async () => {
    const { handler } = await import('#functions/inbound-mail/handler.ts');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const deliver = async (n: string) => {
      const raw = Buffer.from(
        `From: dana@acme.example\r\nTo: cases@support.example\r\nSubject: Re: Case # ${n}\r\nMessage-ID: <crash-${n}@acme.example>\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe logs.\r\n--b\r\nContent-Type: text/plain; name="a.log"\r\nContent-Disposition: attachment; filename="a.log"\r\n\r\nline\r\n--b--\r\n`,
      );
      const id = createHash('sha256').update(n).digest('hex').slice(0, 12);
      await s3().send(
        new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: `inbox/${id}`, Body: raw }),
      );
      const pass = { status: 'PASS' };
      return handler(
        {
          Records: [
            {
              ses: {
                mail: { messageId: id },
                receipt: {
                  spamVerdict: pass,
                  virusVerdict: pass,
                  spfVerdict: pass,
                  dkimVerdict: pass,
                  dmarcVerdict: pass,
                },
              },
            },
          ],
        } as never,
        {} as never,
      );
    };
    await everyCrashPoint(
      'mail linking',
      async () => {
        const n = await openCase(`mail-${randomUUID().slice(0, 8)}`);
        await t.api('POST', `/v1/cases/${n}/actions/request-info`, {
          as: 'eve@support.example',
          body: { note: 'Logs?' },
        });
        return n;
      },
      deliver,
      async (n) => {
        await deliver(n);
      },
      async (n, crashedAt) => {
        const c = await getCase(n);
        expect(c?.status, crashedAt).toBe('Open');
        expect(
          (await listTimeline(n)).filter((e) => e.kind === 'mail-received'),
          crashedAt,
        ).toHaveLength(1);
        expect(
          (await listFileRecords(n)).filter((f) => f.source === 'mail'),
          crashedAt,
        ).toHaveLength(1);
      },
    );
  });

  it('a file grant (retried by the client)', { timeout: 300_000 }, async () => {
    const body = {
      files: [{ name: 'a.log', size: 4, sha256: createHash('sha256').update('line').digest('hex') }],
    };
    const grant = (n: string) => t.api('POST', `/v1/cases/${n}/files`, { as: 'dana@acme.example', body });
    await everyCrashPoint(
      'file grant',
      () => openCase(`files-${randomUUID().slice(0, 8)}`),
      grant,
      async (n) => expect((await grant(n)).status).toBe(201),
      async (n) => {
        expect(await listFileRecords(n)).toHaveLength(1);
      },
    );
  });

  it('the purge step (retried by Step Functions)', { timeout: 300_000 }, async () => {
    // A runtime of its own: the month the clock moves must fire no other case's timers.
    await t.stop();
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    await everyCrashPoint(
      'purge',
      async () => {
        const n = await openCase(`purge-${randomUUID().slice(0, 8)}`);
        const content = Buffer.from('line');
        const [file] = (
          await t.api('POST', `/v1/cases/${n}/files`, {
            as: 'dana@acme.example',
            body: {
              files: [{ name: 'a.log', size: 4, sha256: createHash('sha256').update(content).digest('hex') }],
            },
          })
        ).body.files;
        await fetch(file.url, { method: 'PUT', body: content, headers: file.headers });
        await t.api('POST', `/v1/cases/${n}/actions/close`, {
          as: 'dana@acme.example',
          body: { subStatus: 'Resolved', note: 'Done.' },
        });
        return n;
      },
      () => t.runtime.clock.advance(31 * 86_400_000),
      async () => {},
      async (n, crashedAt) => {
        const c = await getCase(n);
        expect(c?.workflowDone, crashedAt).toBe(true);
        expect(c?.purged?.objects, crashedAt).toBeLessThanOrEqual(1);
        const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
        const left = await s3().send(
          new ListObjectVersionsCommand({ Bucket: process.env.CASEWORK_BUCKET, Prefix: `cases/${n}/` }),
        );
        expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])], crashedAt).toEqual([]);
      },
    );
  });
});
