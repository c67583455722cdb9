import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
let number: string;
const CASEWORK = path.resolve('bin/casework.js');
/** Runs the command as a user would, from a folder outside the project. */
const caseworkWith = (env: Record<string, string>, ...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CASEWORK, ...args],
      { env: { ...process.env, ...env }, cwd: tmpdir() },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
const casework = (...args: string[]) =>
  caseworkWith(
    {
      CASEWORK_URL: t.runtime.urls.api.replace(/\/v1$/, ''),
      CASEWORK_SMTP_PORT: new URL(t.runtime.urls.smtp).port,
    },
    ...args,
  );

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

  it("CASEWORK_URL is the base URL with or without /v1 (as the README's API variable)", async () => {
    const base = t.runtime.urls.api.replace(/\/v1$/, '');
    for (const url of [base, `${base}/`, `${base}/v1`, `${base}/v1/`]) {
      const r = await caseworkWith({ CASEWORK_URL: url }, 'cases', 'list', '--json');
      expect(r.code, url).toBe(0);
      expect(JSON.parse(r.stdout).map((c: { number: string }) => c.number)).toContain(number);
    }
  });

  it('bad input exits 2 naming the field: an unknown option, a missing value, an unknown command', async () => {
    const unknown = await casework('cases', 'list', '--colour', 'red');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--colour: unknown option; known: --status/);
    const missing = await casework('case', 'show', '1', '--as');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--as/);
    const command = await casework('cases', 'lst');
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/cases: usage/);
    const top = await casework('frobnicate');
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('command: unknown command "frobnicate"');
    const duration = await casework('clock', 'advance', 'soon');
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('duration: not an ISO-8601 duration');
  });

  it('clock advance prints the new time, the timers fired and the mails sent (4BH response due 13:00)', async () => {
    const r = await casework('clock', 'advance', 'PT5H');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('2026-03-02T14:00:00.000Z');
    expect(r.stdout).toMatch(/timers fired: [1-9]/);
    expect(r.stdout).toContain(`2026-03-02T13:00:00.000Z  ${number}: Open timed out`);
    expect(r.stdout).toMatch(/mails sent: [1-9]/);
    const sent = await t.mails();
    expect(r.stdout).toContain(sent.at(-1)?.subject);
  });

  it('clock advance over days reports every timer on the way (2 BD resolution due Wednesday 09:00)', async () => {
    const r = await casework('clock', 'advance', 'P2DT1H');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('2026-03-04T15:00:00.000Z');
    expect(r.stdout).toContain(`2026-03-04T09:00:00.000Z  ${number}: Open timed out`);
    expect(r.stdout).toContain(`SLA breach: Case # ${number} resolution target`);
  });

  it('cases list says when it shows only the first page (50 cases) and --all lists every one', async () => {
    for (let i = 0; i < 50; i++)
      await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase });
    const first = await casework('cases', 'list', '--json');
    expect(JSON.parse(first.stdout)).toHaveLength(50);
    expect(first.stderr).toContain('the first 50 cases; --all lists every one');
    const all = await casework('cases', 'list', '--json', '--all');
    expect(JSON.parse(all.stdout)).toHaveLength(51);
    expect(all.stderr).not.toContain('the first');
  });
});

describe('npx casework sla, offline (SPEC §4)', () => {
  it('sla add --human prints the due instant and the open time counted (4 business hours from Friday 17:00 in emea)', async () => {
    const r = await casework(
      'sla',
      'add',
      '--centre',
      'emea',
      '--from',
      '2026-03-06T17:00:00Z',
      '--hours',
      '4',
      '--human',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^due 2026-03-09T\d\d:00:00.000Z\n/);
    expect(r.stdout).toContain('counted 2026-03-09T');
  });

  it('sla due --human prints a table of targets', async () => {
    const r = await casework(
      'sla',
      'due',
      '--plan',
      'business-care',
      '--severity',
      'high',
      '--centre',
      'emea',
      '--from',
      '2026-03-02T09:00:00Z',
      '--human',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/response\s+4BH\s+2026-03-02T13:00:00.000Z/);
  });

  it("a calendar file's holidays need no name", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'casework-cli-')), 'calendar.json');
    const nine = [['09:00', '17:00']];
    writeFileSync(
      file,
      JSON.stringify({
        timeZone: 'UTC',
        week: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine, sat: [], sun: [] },
        holidays: [{ date: '2026-03-09' }],
      }),
    );
    const r = await casework(
      'sla',
      'add',
      '--calendar',
      file,
      '--from',
      '2026-03-06T16:00:00Z',
      '--hours',
      '2',
      '--human',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('due 2026-03-10T10:00:00.000Z');
    expect(r.stdout).toContain('skipped holiday 2026-03-09');
  });

  it('sla add refuses an unknown option with exit 2', async () => {
    const r = await casework(
      'sla',
      'add',
      '--centre',
      'emea',
      '--from',
      '2026-03-06T17:00:00Z',
      '--weeks',
      '1',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--weeks: unknown option');
  });
});
