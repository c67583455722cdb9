import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTriageLink } from '#shared/store/inbound.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** SPEC §6: mail no case takes waits in triage, with its text, until an engineer links or dismisses it. */

let t: TestRuntime;
let number: string;
const triage = async () => (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items;
async function sendMail(subject: string, text: string) {
  await t.receive({ from: 'ops@acme.example', subject, text });
}

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  await sendMail('Thanks!', 'Thank you all, great work.');
  await sendMail('Server logs', 'Logs for the login problem.');
});
afterAll(async () => {
  await t?.stop();
});

describe('the triage queue', () => {
  it('shows each mail with the start of its text', async () => {
    const items = await triage();
    expect(items.map((m: { subject: string; text: string }) => [m.subject, m.text.trim()])).toEqual(
      expect.arrayContaining([
        ['Thanks!', 'Thank you all, great work.'],
        ['Server logs', 'Logs for the login problem.'],
      ]),
    );
  });

  it('only an engineer dismisses; a dismissed mail leaves the queue, once, whatever the retries', async () => {
    const thanks = (await triage()).find((m: { subject: string }) => m.subject === 'Thanks!');
    const path = `/v1/triage/${thanks.id}/dismiss`;
    expect((await t.api('POST', path, { as: 'dana@acme.example', body: {} })).status).toBe(403);
    expect(
      (await t.api('POST', path, { as: 'eve@support.example', body: { note: 'x' } })).body.error.field,
    ).toBe('note');
    const first = await t.api('POST', path, { as: 'eve@support.example', body: {} });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: thanks.id, dismissed: true });
    expect((await t.api('POST', path, { as: 'eve@support.example', body: {} })).status).toBe(200);
    expect((await triage()).map((m: { subject: string }) => m.subject)).toEqual(['Server logs']);
  });

  it('a linked mail cannot be dismissed (409); an unknown one is 404', async () => {
    const logs = (await triage())[0];
    const linked = await t.api('POST', `/v1/triage/${logs.id}/link`, {
      as: 'eve@support.example',
      body: { caseNumber: number },
    });
    expect(linked.status).toBe(200);
    const refused = await t.api('POST', `/v1/triage/${logs.id}/dismiss`, {
      as: 'eve@support.example',
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`linked to case ${number}`);
    expect(
      (await t.api('POST', '/v1/triage/nothing/dismiss', { as: 'eve@support.example', body: {} })).status,
    ).toBe(404);
  });
});

describe('a link is claimed, then finished: nothing is lost between the two (SPEC §6)', () => {
  const subjects = async () => (await triage()).map((m: { subject: string }) => m.subject);
  const eve = { as: 'eve@support.example' };

  it('a link cut off after its claim stays in the queue, marked with its case; linking it again to that case finishes it, once', async () => {
    await sendMail('Crash logs', 'Logs from the night of the crash.');
    const item = (await triage()).find((m: { subject: string }) => m.subject === 'Crash logs');
    // The first request claimed the mail for the case and was cut off before applying it.
    expect(await claimTriageLink(item.id, number, 'eve@support.example', '2026-03-02T09:00:00.000Z')).toBe(
      true,
    );
    const shown = (await triage()).find((m: { id: string }) => m.id === item.id);
    expect(shown.linkedTo).toBe(number);
    expect((await t.api('POST', `/v1/triage/${item.id}/dismiss`, { ...eve, body: {} })).status).toBe(409);
    const other = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body
      .number;
    expect(
      (await t.api('POST', `/v1/triage/${item.id}/link`, { ...eve, body: { caseNumber: other } })).status,
    ).toBe(409);

    const again = await t.api('POST', `/v1/triage/${item.id}/link`, { ...eve, body: { caseNumber: number } });
    expect(again.status).toBe(200);
    expect(await subjects()).not.toContain('Crash logs');
    const timeline = (await t.api('GET', `/v1/cases/${number}/timeline`, eve)).body.items;
    expect(
      timeline.filter((e: { text?: string }) => e.text?.includes('Logs from the night of the crash.')),
    ).toHaveLength(1);
  });

  it('a link the case refuses (a closed case) gives up its claim: the mail can go to another case', async () => {
    await sendMail('Late logs', 'More logs.');
    const item = (await triage()).find((m: { subject: string }) => m.subject === 'Late logs');
    const closed = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body
      .number;
    const close = await t.api('POST', `/v1/cases/${closed}/actions/close`, {
      ...eve,
      body: { subStatus: 'Duplicate Request', note: 'Same as the other case.' },
    });
    expect(close.status).toBe(200);
    const refused = await t.api('POST', `/v1/triage/${item.id}/link`, {
      ...eve,
      body: { caseNumber: closed },
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect((await triage()).find((m: { id: string }) => m.id === item.id).linkedTo).toBeUndefined();
    const linked = await t.api('POST', `/v1/triage/${item.id}/link`, {
      ...eve,
      body: { caseNumber: number },
    });
    expect(linked.status).toBe(200);
    expect(await subjects()).not.toContain('Late logs');
  });
});
