import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCase } from '#shared/store/cases.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Exactly one mail per intended mail (SPEC §13), counted in the SES emulator's store. */
let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
});

const mailsAbout = async (n: string, what: string) =>
  (await t.mails()).filter((m) => m.subject.includes(`Case # ${n}`) && m.subject.includes(what));
const open = async (subject: string) =>
  (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: { ...acmeHighCase, subject } })).body
    .number as string;

// Many writers on one case retry each other's conflicts: minutes on a busy machine, not a timing rule.
describe('exactly one mail per intended mail under concurrent writers', { timeout: 300_000 }, () => {
  it('50 concurrent request-info on one case: one 200, 49 × 409, one "information requested" mail', async () => {
    const n = await open('fifty request-info');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/actions/request-info`, {
          as: 'eve@support.example',
          body: { note: `Logs please (${i}).` },
        }),
      ),
    );
    await t.runtime.settled();
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(await mailsAbout(n, 'information requested')).toHaveLength(1);
    expect((await getCase(n))?.outbox).toEqual({});
  });

  it('50 concurrent public notes: 50 mails, one each', async () => {
    const n = await open('fifty notes');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/updates`, {
          as: 'eve@support.example',
          body: { note: `Note ${i}.`, visibility: 'public' },
        }),
      ),
    );
    await t.runtime.settled();
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const mails = await mailsAbout(n, 'update from support');
    expect(mails).toHaveLength(50);
    const notes = mails.map((m) => /Note (\d+)\./.exec(m.body.text)?.[1]);
    expect(new Set(notes).size).toBe(50);
  });

  it('30 identical case creations with one Idempotency-Key: one case, one confirmation', async () => {
    const subject = 'thirty creations';
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.api('POST', '/v1/cases', {
          as: 'dana@acme.example',
          body: { ...acmeHighCase, subject },
          headers: { 'Idempotency-Key': 'thirty-creations' },
        }),
      ),
    );
    await t.runtime.settled();
    const numbers = new Set(results.map((r) => r.body.number));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(29);
    expect((await t.mails()).filter((m) => m.subject.includes(`: ${subject} (opened)`))).toHaveLength(1);
  });
});

describe('Idempotency-Key on every state-changing route: one effect per key, the first answer again', {
  timeout: 300_000,
}, () => {
  const note = (n: string, key: string, text: string, as = 'eve@support.example') =>
    t.api('POST', `/v1/cases/${n}/updates`, {
      as,
      body: { note: text, visibility: 'public' },
      headers: { 'Idempotency-Key': key },
    });
  const notesSaying = async (n: string, text: string) =>
    (await t.api('GET', `/v1/cases/${n}/timeline`, { as: 'eve@support.example' })).body.items.filter(
      (e: { kind: string; text?: string }) => e.kind === 'note' && e.text === text,
    );

  it('a note retried with its key is added once, and the retry gets the first answer', async () => {
    const n = await open('note retried');
    const first = await note(n, 'note-1', 'Try the patch.');
    const again = await note(n, 'note-1', 'Try the patch.');
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await notesSaying(n, 'Try the patch.')).toHaveLength(1);
    expect(await mailsAbout(n, 'update from support')).toHaveLength(1);
  });

  it('20 concurrent copies of one keyed note: one note, one mail, no error', async () => {
    const n = await open('note raced');
    const results = await Promise.all(Array.from({ length: 20 }, () => note(n, 'raced', 'Raced note.')));
    await t.runtime.settled();
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(await notesSaying(n, 'Raced note.')).toHaveLength(1);
    expect(await mailsAbout(n, 'update from support')).toHaveLength(1);
  });

  it('the same key with another body is refused (422), and changes nothing', async () => {
    const n = await open('note other body');
    await note(n, 'bound', 'First.');
    const other = await note(n, 'bound', 'Second.');
    expect(other.status).toBe(422);
    expect(other.body.error.field).toBe('Idempotency-Key');
    expect(await notesSaying(n, 'Second.')).toHaveLength(0);
  });

  it('keys are the caller’s own: another caller’s same key is another request', async () => {
    const n = await open('keys scoped');
    await note(n, 'shared-key', 'From support.');
    const dana = await t.api('POST', `/v1/cases/${n}/updates`, {
      as: 'dana@acme.example',
      body: { note: 'From the customer.' },
      headers: { 'Idempotency-Key': 'shared-key' },
    });
    expect(dana.status).toBe(200);
  });

  it('an action retried with its key answers 200 again (not 409), one transition', async () => {
    const n = await open('action retried');
    const request = () =>
      t.api('POST', `/v1/cases/${n}/actions/request-info`, {
        as: 'eve@support.example',
        body: { note: 'Logs?' },
        headers: { 'Idempotency-Key': 'ask-once' },
      });
    expect((await request()).status).toBe(200);
    expect((await request()).status).toBe(200);
    expect(await mailsAbout(n, 'information requested')).toHaveLength(1);
  });

  it('openapi.yaml documents the key on every state-changing route', async () => {
    const { readFileSync } = await import('node:fs');
    const YAML = (await import('yaml')).default;
    const spec = YAML.parse(readFileSync('openapi.yaml', 'utf8'));
    const posts = Object.entries(
      spec.paths as Record<string, { post?: { parameters?: { $ref?: string }[] } }>,
    )
      // The admin catalogue apply sets a desired state: applying it again changes nothing.
      .filter(([path, item]) => item.post && !path.startsWith('/v1/admin/'))
      .map(([path, item]) => [path, item.post?.parameters?.map((p) => p.$ref)] as const);
    expect(posts.length).toBeGreaterThan(8);
    for (const [path, params] of posts)
      expect(params, path).toContain('#/components/parameters/IdempotencyKey');
  });

  it('a malformed key answers 400 naming it', async () => {
    const n = await open('bad key');
    const res = await note(n, 'not a key!', 'x');
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('Idempotency-Key');
  });
});

describe('claim-then-act one-time effects', { timeout: 300_000 }, () => {
  it('10 concurrent links of one triaged mail to two cases: it lands in exactly one', async () => {
    const a = await open('triage target a');
    const b = await open('triage target b');
    const { handler } = await import('#functions/inbound-mail/handler.ts');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { s3 } = await import('#shared/store/clients.ts');
    const raw =
      'From: dana@acme.example\r\nTo: cases@support.example\r\nSubject: Hello\r\nMessage-ID: <race@acme.example>\r\n\r\nWhere does this go?\r\n';
    await s3().send(
      new PutObjectCommand({ Bucket: process.env.CASEWORK_BUCKET, Key: 'inbox/race', Body: raw }),
    );
    const pass = { status: 'PASS' };
    const receipt = {
      spamVerdict: pass,
      virusVerdict: pass,
      spfVerdict: pass,
      dkimVerdict: pass,
      dmarcVerdict: pass,
    };
    await handler({ Records: [{ ses: { mail: { messageId: 'race' }, receipt } }] } as never, {} as never);
    const item = (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items.find(
      (i: { subject: string }) => i.subject === 'Hello',
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.api('POST', `/v1/triage/${item.id}/link`, {
          as: 'eve@support.example',
          body: { caseNumber: i % 2 ? a : b },
        }),
      ),
    );
    const winner = results.find((r) => r.status === 200)?.body.linkedTo;
    expect([a, b]).toContain(winner);
    for (const r of results)
      expect(r.status === 200 ? r.body.linkedTo : r.status).toBe(r.status === 200 ? winner : 409);
    const received = async (n: string) =>
      (await t.api('GET', `/v1/cases/${n}/timeline`, { as: 'eve@support.example' })).body.items.filter(
        (e: { kind: string }) => e.kind === 'mail-received',
      );
    expect(await received(winner)).toHaveLength(1);
    expect(await received(winner === a ? b : a)).toHaveLength(0);
  });

  it('a PUT presigned before closure that lands after it is refused at completion, and its object removed', async () => {
    const { createHash } = await import('node:crypto');
    const { objectSize } = await import('#shared/store/files.ts');
    const { listFileRecords } = await import('#shared/store/file-records.ts');
    const n = await open('late upload');
    const content = Buffer.from('late log');
    const [file] = (
      await t.api('POST', `/v1/cases/${n}/files`, {
        as: 'dana@acme.example',
        body: {
          files: [
            {
              name: 'late.log',
              size: content.length,
              sha256: createHash('sha256').update(content).digest('hex'),
            },
          ],
        },
      })
    ).body.files;
    await t.api('POST', `/v1/cases/${n}/actions/close`, {
      as: 'dana@acme.example',
      body: { subStatus: 'Resolved', note: 'Fixed.' },
    });
    expect((await fetch(file.url, { method: 'PUT', body: content, headers: file.headers })).status).toBe(200);
    const complete = await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/complete`, {
      as: 'dana@acme.example',
      body: {},
    });
    expect(complete.status).toBe(409);
    const [record] = await listFileRecords(n);
    expect(await objectSize(record?.key as string)).toBeNull();
    const listed = (await t.api('GET', `/v1/cases/${n}/files`, { as: 'dana@acme.example' })).body.items;
    expect(listed).toEqual([]);
  });

  it('a late PUT is not listed as pending on the Closed case; its object is removed when seen', async () => {
    const { createHash } = await import('node:crypto');
    const { objectSize } = await import('#shared/store/files.ts');
    const { listFileRecords } = await import('#shared/store/file-records.ts');
    const n = await open('late upload listed');
    const content = Buffer.from('later log');
    const [file] = (
      await t.api('POST', `/v1/cases/${n}/files`, {
        as: 'dana@acme.example',
        body: {
          files: [
            {
              name: 'later.log',
              size: content.length,
              sha256: createHash('sha256').update(content).digest('hex'),
            },
          ],
        },
      })
    ).body.files;
    await t.api('POST', `/v1/cases/${n}/actions/close`, {
      as: 'dana@acme.example',
      body: { subStatus: 'Resolved', note: 'Fixed.' },
    });
    await fetch(file.url, { method: 'PUT', body: content, headers: file.headers });
    const listed = (await t.api('GET', `/v1/cases/${n}/files`, { as: 'dana@acme.example' })).body.items;
    expect(listed).toEqual([]);
    const [record] = await listFileRecords(n);
    expect(record?.status).toBe('aborted');
    expect(await objectSize(record?.key as string)).toBeNull();
  });
});
