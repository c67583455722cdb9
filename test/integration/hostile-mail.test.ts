import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictsOf } from '#local/inbound-mail.ts';
import type { InboundOutcome } from '#shared/service/inbound.ts';
import { getCase } from '#shared/store/cases.ts';
import { s3 } from '#shared/store/clients.ts';
import { listTimeline } from '#shared/store/timeline.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Mail written to hurt: every delivery ends in one outcome (never a 451 forever), no answer to machines. */
let t: TestRuntime;
let n: string;
let ref: string;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  n = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  ref = `[ref:${n}.${(await getCase(n))?.ref}]`;
});
afterAll(async () => {
  await t?.stop();
});

/** SES receipt → S3 → the inbound-mail function, with the envelope sender SES reports. */
async function deliver(raw: string, envelopeSender = 'sender@elsewhere.example'): Promise<InboundOutcome> {
  const messageId = randomUUID();
  await s3().send(
    new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: `inbox/${messageId}`, Body: raw }),
  );
  const { handler } = await import('#functions/inbound-mail/handler.ts');
  const event = {
    Records: [
      {
        eventSource: 'aws:ses',
        ses: { mail: { messageId, source: envelopeSender }, receipt: verdictsOf(Buffer.from(raw)) },
      },
    ],
  };
  const [outcome] = (await handler(event as never, {} as never)) as InboundOutcome[];
  await t.runtime.settled();
  return outcome as InboundOutcome;
}

const mail = (headers: string, body = 'Hello.') =>
  `${headers.trim().replace(/\n/g, '\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
const answersTo = async (address: string) =>
  (await t.mails()).filter((m) => m.destination.to.includes(address));

describe('poison mail: over-long identifiers and deep nesting end in one outcome', () => {
  const long = 'x'.repeat(3_000);

  it('a Message-ID of 3 KB (over the 2 KB key limit) is linked once; its redelivery is a duplicate', async () => {
    const raw = mail(
      `From: dana@acme.example\nSubject: Re: Case # ${n}\nMessage-ID: <${long}@acme.example>`,
      `Logs. ${ref}`,
    );
    expect(await deliver(raw)).toMatchObject({ outcome: 'linked', caseId: n });
    expect(await deliver(raw)).toEqual({ outcome: 'duplicate' });
    expect((await listTimeline(n)).filter((e) => e.kind === 'mail-received')).toHaveLength(1);
  });

  it('an In-Reply-To of 3 KB and 10,000 References are read without failing', async () => {
    const refs = Array.from({ length: 10_000 }, (_, i) => `<r${i}@elsewhere.example>`).join(' ');
    const raw = mail(
      `From: dana@acme.example\nSubject: Re: Case # ${n}\nMessage-ID: <${randomUUID()}@acme.example>\nIn-Reply-To: <${long}@acme.example>\nReferences: ${refs}`,
      `More logs. ${ref}`,
    );
    expect(await deliver(raw)).toMatchObject({ outcome: 'linked', caseId: n });
  });

  it('a From address of 3 KB is triaged, never answered', async () => {
    const raw = mail(`From: ${long}@acme.example\nSubject: Hello\nMessage-ID: <${randomUUID()}@x.example>`);
    expect(await deliver(raw)).toMatchObject({ outcome: 'triaged', autoReply: false });
  });

  it('multipart nested 2,000 deep is triaged with the reason it could not be read', async () => {
    let open = '';
    let close = '';
    for (let i = 0; i < 2_000; i++) {
      open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
      close = `\r\n--b${i}--\r\n${close}`;
    }
    const raw = `From: dana@acme.example\r\nSubject: Re: Case # ${n}\r\nMessage-ID: <deep-${randomUUID()}@acme.example>\r\n${open}Content-Type: text/plain\r\n\r\nhello${close}`;
    const outcome = await deliver(raw);
    expect(outcome).toMatchObject({ outcome: 'triaged', autoReply: false });
    expect((outcome as { reason: string }).reason).toMatch(/could not be read/);
    expect(await deliver(raw)).toEqual({ outcome: 'duplicate' });
    const triage = (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items;
    expect(triage.some((i: { reason: string }) => /could not be read/.test(i.reason))).toBe(true);
  });
});

describe('automatic mail is never answered (RFC 3834)', () => {
  it.each([
    ['List-Id alone', 'List-Id: <news.lists.example>', 'List-Id'],
    ['List-Unsubscribe alone', 'List-Unsubscribe: <mailto:leave@lists.example>', 'List-Unsubscribe'],
    ['Precedence: auto_reply', 'Precedence: auto_reply', 'Precedence'],
    ['Return-Path: <>', 'Return-Path: <>', 'null envelope sender'],
  ])('%s: triaged, no answer', async (_what, header, reason) => {
    const sender = `someone-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const outcome = await deliver(
      mail(`From: ${sender}\nSubject: News\nMessage-ID: <${randomUUID()}@x.example>\n${header}`),
    );
    expect(outcome).toMatchObject({ outcome: 'triaged', autoReply: false });
    expect((outcome as { reason: string }).reason).toContain(reason);
    expect(await answersTo(sender)).toEqual([]);
  });

  it('a bounce (MAIL FROM:<>) with an ordinary From gets no "Re: Undeliverable"', async () => {
    const sender = `postbox-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const outcome = await deliver(
      mail(`From: ${sender}\nSubject: Undeliverable: hello\nMessage-ID: <${randomUUID()}@x.example>`),
      '',
    );
    expect(outcome).toMatchObject({ outcome: 'triaged', autoReply: false });
    expect(await answersTo(sender)).toEqual([]);
  });

  it.each(['noreply', 'no-reply', 'do-not-reply', 'owner-news', 'news-request', 'listserv', 'bounces+x'])(
    'a sender named %s@… gets no answer',
    async (local) => {
      const sender = `${local}@${randomUUID().slice(0, 8)}.example`;
      const outcome = await deliver(
        mail(`From: ${sender}\nSubject: Hi\nMessage-ID: <${randomUUID()}@x.example>`),
      );
      expect(outcome).toMatchObject({ outcome: 'triaged', autoReply: false });
      expect(await answersTo(sender)).toEqual([]);
    },
  );

  it('a person writing from an unknown address still gets the one answer', async () => {
    const sender = `person-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const outcome = await deliver(
      mail(`From: ${sender}\nSubject: Help\nMessage-ID: <${randomUUID()}@x.example>`),
    );
    expect(outcome).toMatchObject({ outcome: 'triaged', autoReply: true });
    expect(await answersTo(sender)).toHaveLength(1);
  });
});

describe('header injection: no CR, LF or control character reaches a header the system writes', () => {
  it('a case subject with CRLF Bcc: reaches the confirmation Subject on one line, with no Bcc', async () => {
    const subject = 'R7\r\nBcc: victim@elsewhere.example\r\nX-Evil: 1';
    const c = await t.api('POST', '/v1/cases', {
      as: 'dana@acme.example',
      body: { ...acmeHighCase, subject },
    });
    expect(c.status).toBe(201);
    const sent = (await t.mails()).find((m) => m.subject.includes(`Case # ${c.body.number}:`));
    expect(sent?.subject).toBe(
      `Case # ${c.body.number}: R7 Bcc: victim@elsewhere.example X-Evil: 1 (opened)`,
    );
    expect(JSON.stringify(sent?.destination)).not.toContain('victim');
  });

  it('an encoded inbound subject hiding CRLF reaches the automatic answer on one line', async () => {
    const sender = `writer-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const hidden = Buffer.from('Hi\r\nBcc: victim@elsewhere.example\u0000').toString('base64');
    await deliver(
      mail(`From: ${sender}\nSubject: =?UTF-8?B?${hidden}?=\nMessage-ID: <${randomUUID()}@x.example>`),
    );
    const [answer] = await answersTo(sender);
    expect(answer?.subject).toBe('Re: Hi Bcc: victim@elsewhere.example');
    expect(JSON.stringify(answer?.destination)).not.toContain('victim');
  });
});

describe('MIME fuzz (bounded: a fixed number of runs): every hostile mail ends in one outcome', () => {
  it('nested parts, long and repeated headers, list and bounce markers, control characters', async () => {
    const fc = (await import('fast-check')).default;
    const headerValue = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('x'.repeat(5_000), '<>', '=?UTF-8?B?SGkNCkJjYzogdkBleA==?=', '\u0000\u0007\r'),
    );
    const header = fc.tuple(
      fc.constantFrom(
        'List-Id',
        'List-Post',
        'Return-Path',
        'In-Reply-To',
        'References',
        'Precedence',
        'X-Loop',
        'Subject',
        'Auto-Submitted',
      ),
      headerValue,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.array(header, { maxLength: 6 }),
        fc.constantFrom('dana@acme.example', 'stranger@elsewhere.example', '', 'x'.repeat(400)),
        fc.constantFrom('', 'sender@elsewhere.example'),
        async (depth, headers, from, envelope) => {
          let open = '';
          let close = '';
          for (let i = 0; i < depth; i++) {
            open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
            close = `\r\n--b${i}--\r\n${close}`;
          }
          const extra = headers
            .map(([name, value]) => `${name}: ${value.replace(/\r?\n/g, ' ')}`)
            .join('\r\n');
          const raw = `From: ${from}\r\nMessage-ID: <fuzz-${randomUUID()}@f.example>\r\n${extra}${extra ? '\r\n' : ''}${open}Content-Type: text/plain\r\n\r\nHello ${ref}${close}`;
          const first = await deliver(raw, envelope);
          expect(['linked', 'triaged', 'quarantined']).toContain(first.outcome);
          expect(await deliver(raw, envelope)).toEqual({ outcome: 'duplicate' });
          const automatic = envelope === '' || headers.some(([name]) => /^(List-|X-Loop)/.test(name));
          if (automatic && first.outcome === 'triaged') expect(first.autoReply).toBe(false);
        },
      ),
      { numRuns: 60, seed: 18 },
    );
  }, 300_000);
});
