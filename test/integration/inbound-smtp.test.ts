import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

describe('the SMTP listener hands raw mail to the inbound-mail handler, as SES → S3 → Lambda', () => {
  let t: TestRuntime;
  let number: string;
  const send = async (mail: SendMailOptions) => {
    const { port } = new URL(t.runtime.urls.smtp);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(port),
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ to: 'cases@support.example', ...mail });
    await t.runtime.settled();
  };

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

  it('npx casework token prints a token the API accepts', async () => {
    const { stdout } = await promisify(execFile)('node', ['bin/casework.js', 'token', 'rita@acme.example'], {
      env: { ...process.env, CASEWORK_URL: t.runtime.urls.api.replace(/\/v1$/, '') },
    });
    const res = await fetch(`${t.runtime.urls.api}/cases/${number}`, {
      headers: { authorization: `Bearer ${stdout.trim()}` },
    });
    expect(res.status).toBe(200);
  });
});
