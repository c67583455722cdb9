import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/mail-events/handler.ts';
import { undeliverable } from '#shared/store/mailer.ts';
import { caseworkEnv, runCasework } from '../casework-cli.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
});

/** An SES event as the configuration set sends it to EventBridge. */
const sesEvent = (detailType: string, detail: object) =>
  ({
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source: 'aws.ses',
    account: '000000000000',
    time: '2026-03-02T09:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { mail: { messageId: 'm1' }, ...detail },
  }) as unknown as Parameters<typeof handler>[0];
const context = { awsRequestId: 'r1', functionName: 'mailEvents' } as Context;

describe('bounces and complaints mark the address (SES suppresses it for the configuration set)', () => {
  it('a permanent bounce and a complaint mark the address with the reason; a transient bounce does not', async () => {
    await handler(
      sesEvent('Email Bounced', {
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Gone@Acme.example' }] },
      }),
      context,
    );
    await handler(
      sesEvent('Email Bounced', {
        eventType: 'Bounce',
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@acme.example' }] },
      }),
      context,
    );
    await handler(
      sesEvent('Email Complaint Received', {
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'angry@acme.example' }] },
      }),
      context,
    );
    expect(await undeliverable('gone@acme.example')).toEqual({
      reason: 'bounce',
      at: '2026-03-02T09:00:00.000Z',
    });
    expect(await undeliverable('angry@acme.example')).toMatchObject({ reason: 'complaint' });
    expect(await undeliverable('full@acme.example')).toBeUndefined();
  });
});

describe('mail to a marked address is set aside, where engineers see why (SES would drop it silently)', () => {
  it('a contact whose address bounced for good: the case opens, its confirmation is not sent but shown to engineers with the bounce', async () => {
    await handler(
      sesEvent('Email Bounced', {
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'dev@acme.example' }] },
      }),
      context,
    );
    const res = await t.api('POST', '/v1/cases', { as: 'dev@acme.example', body: acmeHighCase });
    expect(res.status).toBe(201);
    const n = res.body.number;
    expect((await t.mails()).filter((m) => m.subject.includes(`Case # ${n}`))).toEqual([]);
    const view = (await t.api('GET', `/v1/cases/${n}`, { as: 'eve@support.example' })).body;
    expect(view.unsentMails).toEqual([
      expect.objectContaining({
        kind: 'confirmation',
        to: 'dev@acme.example',
        error:
          'UndeliverableAddress: dev@acme.example is suppressed since 2026-03-02T09:00:00.000Z (a permanent bounce)',
      }),
    ]);
    const timeline = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: 'eve@support.example' })).body
      .items;
    expect(timeline.find((e: { kind: string }) => e.kind === 'mail-unsent')?.text).toContain(
      'a permanent bounce',
    );
  });
});

describe('administrators see the addresses mail does not reach, and let mail go to one again', () => {
  const ADMIN = { as: 'admin@support.example' };
  const casework = (...args: string[]) => runCasework(args, { env: caseworkEnv(t.runtime) });

  it('lists the marked addresses with why and since when (administrators only)', async () => {
    const listed = await t.api('GET', '/v1/admin/undeliverable', ADMIN);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        { address: 'dev@acme.example', reason: 'bounce', at: '2026-03-02T09:00:00.000Z' },
        { address: 'angry@acme.example', reason: 'complaint', at: '2026-03-02T09:00:00.000Z' },
      ]),
    );
    expect((await t.api('GET', '/v1/admin/undeliverable', { as: 'eve@support.example' })).status).toBe(403);
    const cli = await casework('admin', 'undeliverable');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('dev@acme.example  bounce since 2026-03-02T09:00:00.000Z');
  });

  it('a bad address is refused naming it; an address not marked is 404', async () => {
    const bad = await t.api('POST', '/v1/admin/undeliverable/not-an-address/clear', { ...ADMIN, body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('address');
    const unknown = await t.api('POST', '/v1/admin/undeliverable/fine%40acme.example/clear', {
      ...ADMIN,
      body: {},
    });
    expect(unknown.status).toBe(404);
  });

  it('cleared (casework admin clear-address), the address leaves the list and its set-aside mail goes at its next try', async () => {
    const cli = await casework('admin', 'clear-address', 'Dev@Acme.example');
    expect(cli.code).toBe(0);
    const items = (await t.api('GET', '/v1/admin/undeliverable', ADMIN)).body.items;
    expect(items.map((a: { address: string }) => a.address)).not.toContain('dev@acme.example');
    // Set aside at 09:00, tried again 15 minutes later.
    await t.advance('PT15M');
    const sent = (await t.mails()).filter((m) => m.destination.to.includes('dev@acme.example'));
    expect(sent.map((m) => m.subject)).toEqual([expect.stringContaining('(opened)')]);
    expect((await casework('admin', 'clear-address', 'dev@acme.example')).code).toBe(2);
  });
});
