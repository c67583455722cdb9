import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/mail-events/handler.ts';
import { undeliverable } from '#shared/store/mailer.ts';
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
