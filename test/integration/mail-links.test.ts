import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/**
 * Every link in a mail opens a page: in a customer's mail the portal's, in a mail to the desk's
 * managers (an SLA breach) the engineers' console's.
 */

let t: TestRuntime;
let number: string;
let breached: string;

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
  // A high case nobody answers breaches its 4 BH response target at 13:00.
  breached = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  await t.advance('PT4H1S');
});

const linksIn = (text: string) => [...text.matchAll(/https?:\/\/[^\s"<>]+[^\s"<>.,;)]/g)].map((l) => l[0]);

afterAll(async () => {
  await t?.stop();
});

describe('links in mails (the local mail viewer) open the portal, or the console for managers', () => {
  it('the case link of every mail, the survey link of the closure mail and the portal link of an automatic answer', async () => {
    const mails = (await t.mails()).filter((m) => m.destination.to.includes('dana@acme.example'));
    const links = new Set(mails.flatMap((m) => linksIn(m.body.text)));
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

  it('an SLA breach mail to the on-call manager links to the case in the engineers’ console', async () => {
    const [breach] = (await t.mails()).filter((m) => m.subject.startsWith(`SLA breach: Case # ${breached}`));
    expect(breach?.destination.to).toEqual(['oncall-emea@support.example']);
    const links = linksIn(breach?.body.text ?? '');
    expect(links).toEqual([`${t.runtime.urls.console}/#/case/${breached}`]);
    const res = await fetch(links[0] as string);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>casework console</title>');
  });
});
