import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/inbound-mail/handler.ts';
import { clock } from '#shared/clock.ts';
import { applyCommand } from '#shared/service/cases.ts';
import { getCase } from '#shared/store/cases.ts';
import { s3 } from '#shared/store/clients.ts';
import { getItem } from '#shared/store/dynamo.ts';
import { caseKey, sentMailKey } from '#shared/store/keys.ts';
import { listTimeline } from '#shared/store/timeline.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
let n: string;
/** The Message-ID of the information request, the first mail the case sent. */
let requestMessageId: string;

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  n = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  await t.api('POST', `/v1/cases/${n}/actions/request-info`, {
    as: 'eve@support.example',
    body: { note: 'Which version exactly?' },
  });
  await t.runtime.settled();
  const sent = await getItem<{ messageId: string }>(sentMailKey(n, '000002-m0'));
  requestMessageId = `<${sent?.messageId}@us-east-1.amazonses.com>`;
});
afterAll(async () => {
  await t?.stop();
});

const PASS = { status: 'PASS' };

/** Delivers one raw mail as the SES receipt rule does (S3 object, then the inbound-mail function). */
async function deliver(key: string, headers: string, text: string) {
  const raw = `From: dana@acme.example\r\nTo: cases@support.example\r\n${headers}\r\n\r\n${text}\r\n`;
  await s3().send(
    new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: `inbox/${key}`, Body: raw }),
  );
  const receipt = {
    spamVerdict: PASS,
    virusVerdict: PASS,
    spfVerdict: PASS,
    dkimVerdict: PASS,
    dmarcVerdict: PASS,
  };
  const [outcome] = (await handler(
    { Records: [{ ses: { mail: { messageId: key }, receipt } }] } as never,
    {} as never,
  )) as { outcome: string; caseId?: string }[];
  return outcome;
}

const messageIdOf = (i: number) => `<mail-${i}@acme.example>`;
const caseItemBytes = async () => {
  const item = await getItem<Record<string, unknown>>(caseKey(n), true);
  return Buffer.byteLength(JSON.stringify(item));
};
const receivedTexts = async () =>
  (await listTimeline(n)).filter((e) => e.kind === 'mail-received').map((e) => e.text);

describe('mail identifiers are items of their own, not a list on the case (SPEC §6: one effect per mail)', () => {
  it('300 mails received leave the case item the size it had after 10', async () => {
    let after10 = 0;
    for (let i = 0; i < 300; i++) {
      const outcome = await deliver(
        `m-${i}`,
        `Subject: Re: Case # ${n}\r\nMessage-ID: ${messageIdOf(i)}`,
        `Reply ${i}.`,
      );
      expect(outcome?.outcome).toBe('linked');
      if (i === 9) {
        await t.runtime.settled();
        after10 = await caseItemBytes();
      }
    }
    await t.runtime.settled();
    expect(await receivedTexts()).toHaveLength(300);
    // Only the revision and instants change: a few bytes, where 290 more Message-IDs are 7 KB.
    expect((await caseItemBytes()) - after10).toBeLessThan(32);
  }, 300_000);

  it('every one of the 300, delivered again, is recognised: redelivered, or reapplied after a crash', async () => {
    const revision = (await getCase(n))?.revision;
    for (let i = 0; i < 300; i += 30) {
      const outcome = await deliver(
        `again-${i}`,
        `Subject: Re: Case # ${n}\r\nMessage-ID: ${messageIdOf(i)}`,
        `Reply ${i}.`,
      );
      expect(outcome?.outcome).toBe('duplicate');
    }
    // A handler that crashed after the case change and before recording the delivery applies the
    // mail again on its retry: the case's record of the mail makes that change nothing.
    for (let i = 0; i < 300; i++)
      await applyCommand(
        n,
        { kind: 'customer-update', note: `Reply ${i}.`, channel: 'mail', mailId: messageIdOf(i) },
        { kind: 'contact', email: 'dana@acme.example' },
        () => clock.now(),
      );
    await t.runtime.settled();
    expect((await getCase(n))?.revision).toBe(revision);
    expect(await receivedTexts()).toHaveLength(300);
  }, 300_000);

  it('a reply naming the case’s first mail by Message-ID still threads to the case after 300 mails', async () => {
    const outcome = await deliver(
      'threaded',
      `Subject: About the version\r\nMessage-ID: <threaded@acme.example>\r\nIn-Reply-To: ${requestMessageId}`,
      'It is 12.4.1.',
    );
    expect(outcome).toMatchObject({ outcome: 'linked', caseId: n });
    await t.runtime.settled();
    expect(await receivedTexts()).toContain('It is 12.4.1.');
  });
});
