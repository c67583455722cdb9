import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Every link in a mail to a customer opens a page: locally the portal that the mails point to. */

let t: TestRuntime;
let number: string;

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  const engineer = { as: 'eve@support.example' };
  await t.api('POST', `/v1/cases/${number}/actions/propose-solution`, {
    ...engineer,
    body: { note: 'Clear the login cache.' },
  });
  await t.api('POST', `/v1/cases/${number}/actions/accept-solution`, { as: 'dana@acme.example', body: {} });
  // A mail naming no case gets an automatic answer pointing to the portal.
  await t.receive({ from: 'dana@acme.example', subject: 'A question', text: 'Hi.' });
});
afterAll(async () => {
  await t?.stop();
});

describe('links in mails (the local mail viewer) open the customer portal', () => {
  it('the case link of every mail, the survey link of the closure mail and the portal link of an automatic answer', async () => {
    const mails = (await t.mails()).filter((m) => m.destination.to.includes('dana@acme.example'));
    const links = new Set(
      mails.flatMap((m) => [...m.body.text.matchAll(/https?:\/\/[^\s"<>]+[^\s"<>.,;)]/g)].map((l) => l[0])),
    );
    const portal = t.runtime.urls.portal;
    expect([...links]).toEqual(
      expect.arrayContaining([`${portal}/cases/${number}`, `${portal}/cases/${number}/survey`, portal]),
    );
    for (const link of links) {
      const res = await fetch(link);
      expect(res.status, link).toBe(200);
      expect(res.headers.get('content-type'), link).toContain('text/html');
      expect(await res.text(), link).toContain('<title>Support portal</title>');
    }
  });
});
