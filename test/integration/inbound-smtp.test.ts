import type { SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseworkEnv, runCasework } from '../casework-cli.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

describe('the SMTP listener hands raw mail to the inbound-mail handler, as SES → S3 → Lambda', () => {
  let t: TestRuntime;
  let number: string;
  const send = (mail: SendMailOptions) => t.receive(mail);

  beforeAll(async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
    await t.api('POST', `/v1/cases/${number}/actions/request-info`, {
      as: 'eve@support.example',
      body: { note: 'Which version exactly?' },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a reply quoting the reference token moves the case to Open/Customer Responded', async () => {
    const confirmation = (await t.mails()).find((m) => m.subject.includes('information requested'));
    const token = /\[ref:[^\]]+\]/.exec(confirmation?.body.text ?? '')?.[0];
    expect(token).toBeDefined();
    await send({
      from: 'Dana <dana@acme.example>',
      subject: `RE: Case # ${number}: Agents cannot log in`,
      text: `It is 12.4.1.\n\nOn Mon, 2 Mar 2026 support wrote:\n> Which version exactly?\n> ${token}`,
      messageId: '<reply-1@acme.example>',
    });
    const res = await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' });
    expect(res.body).toMatchObject({ status: 'Open', subStatus: 'Customer Responded' });
    const timeline = (await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'eve@support.example' })).body
      .items;
    const mailNote = timeline.find((e: { text?: string }) => e.text === 'It is 12.4.1.');
    expect(mailNote).toMatchObject({ visibility: 'internal', actor: 'dana@acme.example' });
  });

  it('the same Message-ID delivered again changes nothing', async () => {
    const before = (await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.revision;
    await send({
      from: 'dana@acme.example',
      subject: `RE: Case # ${number}`,
      text: 'It is 12.4.1.',
      messageId: '<reply-1@acme.example>',
    });
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.revision).toBe(
      before,
    );
  });

  it('mail from someone who is not a designated contact of the account is not linked', async () => {
    const before = (await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.revision;
    await send({
      from: 'gus@globex.example',
      subject: `RE: Case # ${number}`,
      text: 'Hello',
      messageId: '<other@globex.example>',
    });
    expect((await t.api('GET', `/v1/cases/${number}`, { as: 'dana@acme.example' })).body.revision).toBe(
      before,
    );
  });

  it('triage: engineers see unlinked mail with its reason and link it to a case, once', async () => {
    await send({
      from: 'rita@acme.example',
      subject: 'Logs for the login problem',
      text: 'Sent on behalf of Dana.',
      messageId: '<triage-1@acme.example>',
    });
    expect((await t.api('GET', '/v1/triage', { as: 'dana@acme.example' })).status).toBe(403);
    const queue = (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items;
    const item = queue.find((i: { subject: string }) => i.subject === 'Logs for the login problem');
    expect(item).toMatchObject({
      from: 'rita@acme.example',
      reason: expect.stringContaining('cannot open cases'),
    });
    const linked = await t.api('POST', `/v1/triage/${item.id}/link`, {
      as: 'eve@support.example',
      body: { caseNumber: number },
    });
    expect(linked.body).toEqual({ id: item.id, linkedTo: number });
    const timeline = (await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'eve@support.example' })).body
      .items;
    expect(timeline.some((e: { text?: string }) => e.text?.startsWith('Sent on behalf of Dana.'))).toBe(true);
    expect(
      (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items.map(
        (i: { id: string }) => i.id,
      ),
    ).not.toContain(item.id);
    const again = await t.api('POST', `/v1/triage/${item.id}/link`, {
      as: 'eve@support.example',
      body: { caseNumber: '999' },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
  });

  it('quarantined mail is never linked, not even by an engineer', async () => {
    await send({
      from: 'dana@acme.example',
      subject: `Re: Case # ${number}`,
      text: 'Spoofed?',
      messageId: '<spoof@acme.example>',
      headers: { 'Authentication-Results': 'mx; spf=fail; dkim=fail; dmarc=fail' },
    });
    const item = (await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).body.items.find(
      (i: { subject: string; reason: string }) => i.reason.startsWith('quarantined'),
    );
    expect(item?.quarantined).toBe(true);
    expect(
      (
        await t.api('POST', `/v1/triage/${item.id}/link`, {
          as: 'eve@support.example',
          body: { caseNumber: number },
        })
      ).status,
    ).toBe(403);
  });

  it('mail updates stay internal until an engineer publishes them', async () => {
    const customerView = async () =>
      (await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'dana@acme.example' })).body.items;
    expect((await customerView()).some((e: { text?: string }) => e.text === 'It is 12.4.1.')).toBe(false);
    const entry = (
      await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'eve@support.example' })
    ).body.items.find((e: { text?: string }) => e.text === 'It is 12.4.1.');
    expect(
      (
        await t.api('POST', `/v1/cases/${number}/actions/publish-mail`, {
          as: 'dana@acme.example',
          body: { entryId: entry.id },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.api('POST', `/v1/cases/${number}/actions/publish-mail`, {
          as: 'eve@support.example',
          body: { entryId: entry.id },
        })
      ).status,
    ).toBe(200);
    expect((await customerView()).some((e: { text?: string }) => e.text === 'It is 12.4.1.')).toBe(true);
  });

  it('outbound case mail carries the reference token, Reply-To the inbound address, text and HTML', async () => {
    const mail = (await t.mails()).find((m) => m.subject.includes('information requested')) as unknown as {
      replyTo: string;
      body: { text: string; html: string };
    };
    expect(JSON.stringify(mail.replyTo)).toContain('cases@support.example');
    expect(mail.body.text).toMatch(/\[ref:\d{10}\.[0-9a-f]{12}\]/);
    expect(mail.body.html).toMatch(/<p>Reference: \[ref:\d{10}\.[0-9a-f]{12}\]/);
  });

  it('npx casework token prints a token the API accepts', async () => {
    const { stdout } = await runCasework(['token', 'rita@acme.example'], { env: caseworkEnv(t.runtime) });
    const res = await fetch(`${t.runtime.urls.api}/cases/${number}`, {
      headers: { authorization: `Bearer ${stdout.trim()}` },
    });
    expect(res.status).toBe(200);
  });
});
