import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3 } from '#shared/store/clients.ts';
import { listTimeline } from '#shared/store/timeline.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
});

async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

describe('concurrency (SPEC §13): nothing lost, nothing doubled, no 5xx', () => {
  it('1,000 deliveries of 100 mails (each 10 times, concurrently): one effect per mail', async () => {
    const { handler } = await import('#functions/inbound-mail/handler.ts');
    const cases = await Promise.all(
      Array.from(
        { length: 10 },
        async (_, i) =>
          (
            await t.api('POST', '/v1/cases', {
              as: 'dana@acme.example',
              body: { ...acmeHighCase, subject: `Busy ${i}` },
            })
          ).body.number as string,
      ),
    );
    const mails = Array.from({ length: 100 }, (_, i) => ({
      n: cases[i % 10] as string,
      id: `<dup-${i}-${randomUUID()}@acme.example>`,
      text: `Mail number ${i}.`,
    }));
    for (const [i, m] of mails.entries()) {
      const raw = `From: dana@acme.example\r\nTo: cases@support.example\r\nSubject: Re: Case # ${m.n}\r\nMessage-ID: ${m.id}\r\n\r\n${m.text}\r\n`;
      await s3().send(
        new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: `inbox/dup-${i}`, Body: raw }),
      );
    }
    const pass = { status: 'PASS' };
    const deliveries = mails.flatMap((_, i) =>
      Array.from(
        { length: 10 },
        () => () =>
          handler(
            {
              Records: [
                {
                  ses: {
                    mail: { messageId: `dup-${i}` },
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
          ),
      ),
    );
    // Shuffled, so that copies of one mail race each other.
    deliveries.sort(() => Math.random() - 0.5);
    const outcomes = (await pool(deliveries, 50)).flat() as { outcome: string }[];
    await t.runtime.settled();
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.filter((o) => o.outcome === 'linked').length).toBeGreaterThanOrEqual(100);
    for (const n of cases) {
      const received = (await listTimeline(n)).filter((e) => e.kind === 'mail-received').map((e) => e.text);
      expect(received).toHaveLength(10);
      expect(new Set(received).size).toBe(10);
    }
  }, 300_000);

  it('20 concurrent accept/reject races on one proposed solution: exactly one wins', async () => {
    const n = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
    await t.api('POST', `/v1/cases/${n}/actions/propose-solution`, {
      as: 'eve@support.example',
      body: { note: 'Apply the patch.' },
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/actions/${i % 2 ? 'accept-solution' : 'reject-solution'}`, {
          as: i % 4 < 2 ? 'dana@acme.example' : 'dev@acme.example',
          body: { note: `Answer ${i}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const decided = (await listTimeline(n)).filter(
      (e) => e.kind === 'status' && (e.subStatus === 'Resolved' || e.subStatus === 'Customer Responded'),
    );
    expect(decided).toHaveLength(1);
  });
});
