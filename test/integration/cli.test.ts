import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
let number: string;
const casework = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = {
      ...process.env,
      CASEWORK_URL: t.runtime.urls.api.replace(/\/v1$/, ''),
      CASEWORK_SMTP_PORT: new URL(t.runtime.urls.smtp).port,
    };
    execFile('node', ['bin/casework.js', ...args], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
});
afterAll(async () => {
  await t?.stop();
});

describe('npx casework against the local runtime (SPEC §12)', () => {
  it('cases list prints a table, or JSON with --json', async () => {
    const text = await casework('cases', 'list');
    expect(text.stdout).toMatch(new RegExp(`${number}\\s+acme\\s+high\\s+Open/New\\s+Agents cannot log in`));
    const json = JSON.parse((await casework('cases', 'list', '--json', '--status', 'Open')).stdout);
    expect(json.map((c: { number: string }) => c.number)).toEqual([number]);
  });

  it('case show prints the case, its SLA clocks and its timeline', async () => {
    const r = await casework('case', 'show', String(Number(number)));
    expect(r.stdout).toContain(`Case # ${number}: Agents cannot log in`);
    expect(r.stdout).toMatch(/response\s+4BH\s+2026-03-02T13:00:00.000Z\s+pending/);
    expect((await casework('case', 'show', '99', '--as', 'dana@acme.example')).code).toBe(2);
  });

  it('mail send feeds a raw mail to the inbound path', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'casework-cli-')), 'reply.eml');
    writeFileSync(
      file,
      `From: dana@acme.example\r\nTo: cases@support.example\r\nSubject: Re: Case # ${number}\r\nMessage-ID: <cli-1@acme.example>\r\n\r\nSent from the command line.\r\n`,
    );
    const r = await casework('mail', 'send', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('250');
    const timeline = (await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'eve@support.example' })).body
      .items;
    expect(timeline.some((e: { text?: string }) => e.text === 'Sent from the command line.')).toBe(true);
  });

  it('clock advance moves the virtual clock', async () => {
    const r = await casework('clock', 'advance', 'PT1H');
    expect(r.stdout.trim()).toBe('2026-03-02T10:00:00.000Z');
    expect((await casework('clock', 'advance', 'soon')).code).toBe(2);
  });
});
