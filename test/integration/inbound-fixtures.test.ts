import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictsOf } from '#local/inbound-mail.ts';
import type { InboundOutcome } from '#shared/service/inbound.ts';
import { getUser } from '#shared/store/accounts.ts';
import { getCase } from '#shared/store/cases.ts';
import { listFileRecords } from '#shared/store/file-records.ts';
import { listTimeline } from '#shared/store/timeline.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

const DIR = 'test/fixtures/mail';
type Expected = {
  outcome: InboundOutcome['outcome'];
  case?: 'acme' | 'globex';
  reason?: string;
  autoReply?: boolean;
  attachments?: number;
  note?: string;
  fileName?: string;
  contentType?: string;
};
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  Expected
>;

let t: TestRuntime;
const vars: Record<string, string> = {};
const cases: Record<string, string> = {};

/** Fills the fixture's placeholders, inside base64 bodies too. */
function fill(raw: Buffer): Buffer {
  const swapText = (s: string) => {
    let out = s;
    for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`{{${k}}}`, v);
    return out;
  };
  // Placeholders inside RFC 2047 encoded words (=?UTF-8?B?...?=) are filled too.
  const swap = (b: Buffer) =>
    Buffer.from(
      swapText(b.toString('latin1')).replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi, (_, data: string) => {
        const text = swapText(Buffer.from(data, 'base64').toString('utf8'));
        return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
      }),
      'latin1',
    );
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.subarray(0, split).toString('latin1') : '';
  if (split >= 0 && /content-transfer-encoding:\s*base64/i.test(head) && !/multipart\//i.test(head)) {
    const body = swap(Buffer.from(raw.subarray(split + 4).toString('latin1'), 'base64'));
    const wrapped = body.toString('base64').replace(/.{1,76}/g, '$&\r\n');
    return Buffer.concat([swap(raw.subarray(0, split + 4)), Buffer.from(wrapped)]);
  }
  return swap(raw);
}

/** SES receipt → S3 → the inbound-mail Lambda, as the SMTP listener does it. */
async function deliver(raw: Buffer): Promise<InboundOutcome> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: t.runtime.urls.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const messageId = randomUUID();
  await s3.send(
    new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: `inbox/${messageId}`, Body: raw }),
  );
  const { handler } = await import('#functions/inbound-mail/handler.ts');
  const event = {
    Records: [
      { eventSource: 'aws:ses', eventVersion: '1.0', ses: { mail: { messageId }, receipt: verdictsOf(raw) } },
    ],
  };
  const [outcome] = (await handler(event as never, {} as never)) as InboundOutcome[];
  await t.runtime.settled();
  return outcome as InboundOutcome;
}

beforeAll(async () => {
  t = await startTestRuntime('2026-03-09T09:00:00Z');
  const a = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  const g = (
    await t.api('POST', '/v1/cases', {
      as: 'gus@globex.example',
      body: { ...acmeHighCase, account: 'globex' },
    })
  ).body.number;
  const closed = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body
    .number;
  await t.api('POST', `/v1/cases/${closed}/actions/close`, {
    as: 'dana@acme.example',
    body: { subStatus: 'Resolved', note: 'Done.' },
  });
  await t.api('POST', `/v1/cases/${a}/actions/request-info`, {
    as: 'eve@support.example',
    body: { note: 'Which version?' },
  });
  const acme = await getCase(a);
  const globex = await getCase(g);
  const infoMail = (await t.mails()).find(
    (m) => m.subject.includes(`Case # ${a}`) && m.subject.includes('information requested'),
  );
  const { getItem } = await import('#shared/store/dynamo.ts');
  const { sentMailKey } = await import('#shared/store/keys.ts');
  const sent = await getItem<{ messageId: string }>(sentMailKey(a, '000002-m0'));
  expect(infoMail).toBeDefined();
  Object.assign(vars, {
    CASE: a,
    CASE_SHORT: String(Number(a)),
    REF: `[ref:${a}.${acme?.ref}]`,
    GLOBEX_CASE: g,
    GLOBEX_REF: `[ref:${g}.${globex?.ref}]`,
    CLOSED_CASE: closed,
    MSGID: `<${sent?.messageId}@us-east-1.amazonses.com>`,
  });
  Object.assign(cases, { acme: a, globex: g });
});
afterAll(async () => {
  await t?.stop();
});

describe('inbound mail fixtures (SPEC §6): each raw message and its outcome', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.eml'))
    .sort();

  it('has at least 40 fixtures, each with an expected outcome', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) expect(expected, f).toHaveProperty(f);
  });

  it.each(files)('%s', async (file) => {
    const want = expected[file] as Expected;
    const got = await deliver(fill(readFileSync(path.join(DIR, file))));
    expect(got.outcome, JSON.stringify(got)).toBe(want.outcome);
    if (got.outcome === 'linked') {
      expect(got.caseId).toBe(cases[want.case as string]);
      if (want.attachments !== undefined) expect(got.attachments).toBe(want.attachments);
      const timeline = await listTimeline(got.caseId);
      const mails = timeline.filter((e) => e.kind === 'mail-received');
      expect(mails.every((e) => e.visibility === 'internal')).toBe(true);
      if (want.note) expect(mails.map((e) => e.text).join('\n')).toContain(want.note);
      if (want.fileName) {
        const file = (await listFileRecords(got.caseId)).find((f) => f.name === want.fileName);
        expect(file?.contentType).toBe(want.contentType);
        expect(file?.key).toMatch(new RegExp(`^cases/${got.caseId}/[^/]+/${want.fileName}$`));
      }
    }
    if (got.outcome === 'triaged') {
      expect(got.reason).toContain(want.reason);
      expect(got.autoReply).toBe(want.autoReply);
    }
    if (got.outcome === 'quarantined') expect(got.reason).toContain(want.reason);
  });

  it('answers only the mail expected to be answered, once per sender', async () => {
    const answers = (await t.mails()).filter(
      (m) => m.subject.startsWith('Re: ') && m.body.text.includes('automatic answer'),
    );
    const wanted = Object.values(expected).filter((e) => e.autoReply).length;
    expect(answers).toHaveLength(wanted);
    const recipients = answers.map((m) => m.destination.to[0]);
    expect(new Set(recipients).size).toBe(recipients.length);
    for (const automated of [
      'MAILER-DAEMON@mx.acme.example',
      'announce@lists.example',
      'news@vendor.example',
      'helpdesk@other.example',
    ]) {
      expect(recipients).not.toContain(automated.toLowerCase());
    }
  });
});

describe('large and hostile mail', () => {
  it('a 20 MB attachment arrives whole through SMTP and becomes a case file', async () => {
    const content = randomBytes(20 * 1024 * 1024);
    await t.receive({
      from: 'dana@acme.example',
      subject: `Re: Case # ${vars.CASE}`,
      text: `The full trace.\n${vars.REF}`,
      messageId: '<big@fixtures.example>',
      attachments: [{ filename: 'trace.bin', content }],
    });
    const file = (await listFileRecords(vars.CASE as string)).find((f) => f.name === 'trace.bin');
    expect(file?.size).toBe(content.length);
    expect(file?.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  }, 120_000);

  it('a message over SES’s 40 MB is refused at the end of its data (552), and nothing of it is kept', async () => {
    const before = (await listTimeline(vars.CASE as string)).length;
    const sent = t
      .receive({
        from: 'dana@acme.example',
        subject: `Re: Case # ${vars.CASE}`,
        text: `Too big.\n${vars.REF}`,
        messageId: '<too-big@fixtures.example>',
        // 30 MiB, about 43 MB once base64-encoded.
        attachments: [{ filename: 'core.dump', content: randomBytes(30 * 1024 * 1024) }],
      })
      .then(
        () => 'accepted',
        (error: { responseCode?: number }) => error.responseCode,
      );
    expect(await sent).toBe(552);
    expect((await listTimeline(vars.CASE as string)).length).toBe(before);
    expect((await listFileRecords(vars.CASE as string)).some((f) => f.name === 'core.dump')).toBe(false);
  }, 120_000);

  it('a message cut off inside a part header is linked all the same (mailparser gives that part no content type)', async () => {
    const raw = fill(readFileSync(path.join(DIR, '05-multipart-alternative.eml')))
      .toString('latin1')
      .replace(/^From:.*$/im, 'From: dana@acme.example')
      .replace(/^Message-ID:.*$/im, 'Message-ID: <cut@f.example>')
      .replace(/^Subject:/im, `Subject: Case # ${vars.CASE} `);
    // Cut right after the first part's `Content-Type:`, before its value.
    const header = 'Content-Type:';
    const cut = raw.slice(0, raw.indexOf(header, raw.indexOf('--alt05')) + header.length);
    expect(await deliver(Buffer.from(cut, 'latin1'))).toMatchObject({ outcome: 'linked', attachments: 1 });
  });

  it('fuzz: mutated MIME never crashes the handler and never links to a case of another account', async () => {
    const seeds = readdirSync(DIR)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => fill(readFileSync(path.join(DIR, f))));
    const senders = ['dana@acme.example', 'gus@globex.example', 'rita@acme.example', 'x@evil.example'];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.constantFrom(...senders),
        fc.constantFrom(vars.CASE as string, vars.GLOBEX_CASE as string),
        fc.nat(),
        async (seed, flips, sender, otherCase, cut) => {
          let raw = Buffer.from(seeds[seed] as Buffer);
          raw = Buffer.from(
            raw
              .toString('latin1')
              .replace(/^From:.*$/im, `From: ${sender}`)
              .replace(/^Message-ID:.*$/im, `Message-ID: <fuzz-${randomUUID()}@f.example>`)
              .replace(/^Subject:/im, `Subject: Case # ${otherCase} `),
            'latin1',
          );
          for (const [at, byte] of flips) raw[at % raw.length] = byte;
          if (cut % 5 === 0) raw = raw.subarray(0, Math.max(1, cut % raw.length));
          const outcome = await deliver(raw);
          if (outcome.outcome === 'linked') {
            const c = await getCase(outcome.caseId);
            const from = /^From:\s*(.*)$/im.exec(raw.toString('latin1'))?.[1] ?? '';
            const address = /[\w.+-]+@[\w.-]+/.exec(from)?.[0]?.toLowerCase() ?? '';
            const user = await getUser(address);
            expect(user?.grants[c?.account as string], `${address} linked to ${c?.account}`).toBe(3);
          }
        },
      ),
      { numRuns: 120 },
    );
  }, 300_000);
});
