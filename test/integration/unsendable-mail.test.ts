import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCase } from '#shared/store/cases.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/**
 * A mail SES refuses for good (its sandbox: an unverified recipient) is set aside: recorded on the
 * case for engineers, tried again with backoff, and never failing the request or the workflow.
 */
const sandbox = { verified: ['acme.example', 'support.example'] };
let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, { sesSandbox: sandbox });
});
afterAll(async () => {
  await t?.stop();
});

const to = async (address: string) => (await t.mails()).filter((m) => m.destination.to.includes(address));

describe('unsendable mail is set aside, never blocking the case', () => {
  let n: string;

  it('a case whose confirmation SES refuses opens all the same (201)', async () => {
    const res = await t.api('POST', '/v1/cases', {
      as: 'gus@globex.example',
      body: { ...acmeHighCase, account: 'globex', subject: 'Unverified contact' },
    });
    expect(res.status).toBe(201);
    n = res.body.number;
    expect(await to('gus@globex.example')).toEqual([]);
  });

  it('engineers see the mail set aside with SES’s reason and its next attempt; the customer does not', async () => {
    const view = (await t.api('GET', `/v1/cases/${n}`, { as: 'eve@support.example' })).body;
    expect(view.unsentMails).toEqual([
      expect.objectContaining({
        kind: 'confirmation',
        to: 'gus@globex.example',
        attempts: 1,
        nextAt: '2026-03-02T09:15:00.000Z',
        error: expect.stringContaining('MessageRejected: Email address is not verified'),
      }),
    ]);
    const timeline = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: 'eve@support.example' })).body
      .items;
    expect(timeline.filter((e: { kind: string }) => e.kind === 'mail-unsent')).toHaveLength(1);
    const customer = await t.api('GET', `/v1/cases/${n}`, { as: 'gus@globex.example' });
    expect(customer.body.unsentMails).toBeUndefined();
    const own = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: 'gus@globex.example' })).body.items;
    expect(own.filter((e: { kind: string }) => e.kind === 'mail-unsent')).toEqual([]);
  });

  it('the case moves on: its workflow waits, and an action whose mail is refused succeeds', async () => {
    expect((await getCase(n))?.wait?.state).toBe('Open');
    const res = await t.api('POST', `/v1/cases/${n}/actions/request-info`, {
      as: 'eve@support.example',
      body: { note: 'Please send the logs.' },
    });
    expect(res.status).toBe(200);
    const c = await getCase(n);
    expect(c?.status).toBe('Awaiting Info');
    expect(c?.wait?.state).toBe('AwaitingInfo');
    // The change's mail is sent by the workflow as it wakes: set aside there, shown on the case.
    const view = (await t.api('GET', `/v1/cases/${n}`, { as: 'eve@support.example' })).body;
    expect(view.unsentMails.map((m: { kind: string }) => m.kind)).toEqual(['confirmation', 'info-requested']);
  });

  it('the workflow tries again after 15 minutes, then after 30 more (backoff)', async () => {
    await t.advance('PT15M');
    const view = (await t.api('GET', `/v1/cases/${n}`, { as: 'eve@support.example' })).body;
    const confirmation = view.unsentMails.find((m: { kind: string }) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ attempts: 2, nextAt: '2026-03-02T09:45:00.000Z' });
  });

  it('once the recipient is verified, each set-aside mail goes exactly once', async () => {
    sandbox.verified.push('globex.example');
    await t.advance('PT1H');
    const mails = await to('gus@globex.example');
    expect(mails.filter((m) => m.subject.includes('(opened)'))).toHaveLength(1);
    expect(mails.filter((m) => m.subject.includes('information requested'))).toHaveLength(1);
    const view = (await t.api('GET', `/v1/cases/${n}`, { as: 'eve@support.example' })).body;
    expect(view.unsentMails).toEqual([]);
    expect((await getCase(n))?.outbox).toEqual({});
    await t.advance('P1D');
    expect(await to('gus@globex.example')).toHaveLength(2);
  });
});
