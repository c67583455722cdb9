import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseworkEnv, flags, runCasework, tempFile } from '../casework-cli.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
let number: string;
const casework = (...args: string[]) => runCasework(args, { env: caseworkEnv(t.runtime) });

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
    const file = tempFile(
      'reply.eml',
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
      const r = await runCasework(['cases', 'list', '--json'], { env: { CASEWORK_URL: url } });
      expect(r.code, url).toBe(0);
      expect(JSON.parse(r.stdout).map((c: { number: string }) => c.number)).toContain(number);
      const admin = await runCasework(['admin', 'export'], { env: { CASEWORK_URL: url } });
      expect(admin.code, url).toBe(0);
      expect(Object.keys(JSON.parse(admin.stdout).accounts)).toContain('acme');
    }
  });

  it.each([
    ['an unknown option', ['cases', 'list', '--colour', 'red'], '--colour: unknown option; known: --status'],
    ['a missing value', ['case', 'show', '1', '--as'], "--as: Option '--as <value>' argument missing"],
    ['an unexpected argument', ['cases', 'list', 'open'], 'open: unexpected argument'],
    ['an unknown command', ['frobnicate'], 'command: unknown command "frobnicate"'],
    ['an unknown subcommand', ['cases', 'lst'], 'cases: usage'],
    ['a token without its e-mail', ['token'], 'email: usage: casework token <email>'],
    ['a case without its number', ['case', 'show'], 'number: usage: casework case show <number>'],
    ['mail without a file', ['mail', 'send'], 'file: usage: casework mail send <file.eml>'],
    ['a malformed duration', ['clock', 'advance', 'soon'], 'duration: not an ISO-8601 duration'],
    ['a malformed instant', ['sla', 'add', '--centre', 'emea', '--from', 'Monday', '--hours', '1'], '--from'],
    ['a value the API refuses', ['cases', 'list', '--status', 'Pending'], 'status: '],
    ['an unknown admin option', ['admin', 'apply', 'catalogue.yaml', '--dryrun'], '--dryrun: unknown option'],
    ['an admin file missing', ['admin', 'apply'], 'file: usage: casework admin apply'],
    ['an argument admin export does not take', ['admin', 'export', 'all'], 'all: unexpected argument'],
  ])('bad input exits 2 with a message naming the field: %s', async (_what, args, message) => {
    const r = await casework(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`casework: ${message}`);
  });

  it('the local-only commands (clock advance, mail send) refuse a deployed stack with exit 2, changing nothing', async () => {
    const deployed = { ...caseworkEnv(t.runtime), CASEWORK_TOKEN: await t.token('eve@support.example') };
    const before = (await t.api('GET', '/_local/clock')).body;
    const clock = await runCasework(['clock', 'advance', 'P1D'], { env: deployed });
    expect(clock.code).toBe(2);
    expect(clock.stderr).toContain('casework: clock: the virtual clock is the local runtime');
    expect((await t.api('GET', '/_local/clock')).body).toEqual(before);
    const mail = await runCasework(['mail', 'send', tempFile('any.eml', 'Subject: x\r\n\r\nx\r\n')], {
      env: deployed,
    });
    expect(mail.code).toBe(2);
    expect(mail.stderr).toContain('casework: mail: mail send feeds the local runtime');
  });

  it('every command of the README is in the usage text, and prints no runtime warning', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.indexOf('## Command line'));
    const commands = [...block.matchAll(/^npx casework (\w+ \w+|token)/gm)].map((m) => m[1] as string);
    expect(commands.length).toBeGreaterThan(8);
    const usage = (await casework('help')).stdout;
    for (const command of commands) expect(usage, command).toContain(`  ${command}`);
    for (const args of [
      ['token', 'dana@acme.example'],
      ['cases', 'list'],
      ['case', 'show', number],
      ['admin', 'export'],
      [
        'sla',
        'due',
        ...flags({ plan: 'business-care', severity: 'high', centre: 'emea', from: '2026-03-02T09:00:00Z' }),
      ],
    ]) {
      const r = await casework(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
    }
  });

  it("runs from outside the project on a Node without TypeScript, as the project's Node 22 (README)", async () => {
    const older = ['--no-experimental-strip-types']; // what a Node older than 22.18 lacks
    const r = await runCasework(['cases', 'list', '--json'], {
      env: caseworkEnv(t.runtime),
      nodeOptions: older,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((c: { number: string }) => c.number)).toContain(number);
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

  it('a long clock advance shows a progress line on a terminal, a day at a time; none when piped', async () => {
    const onTerminal = ['--import', 'data:text/javascript,process.stderr.isTTY=true'];
    const r = await runCasework(['clock', 'advance', 'P3D'], {
      env: caseworkEnv(t.runtime),
      nodeOptions: onTerminal,
    });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\r').filter((line) => line.startsWith('advancing'));
    expect(lines.map((line) => /\((\d+)%\)/.exec(line)?.[1])).toEqual(['33', '67', '100']);
    expect(lines.at(-1)).toMatch(/^advancing: \S+Z \(100%\), \d+ timers fired, \d+ mails sent/);
    const piped = await casework('clock', 'advance', 'P3D');
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
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
      ...flags({ centre: 'emea', from: '2026-03-06T17:00:00Z', hours: '4', human: true }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^due 2026-03-09T\d\d:00:00.000Z\n/);
    expect(r.stdout).toContain('counted 2026-03-09T');
  });

  it('sla due --human prints a table of targets', async () => {
    const r = await casework(
      'sla',
      'due',
      ...flags({
        plan: 'business-care',
        severity: 'high',
        centre: 'emea',
        from: '2026-03-02T09:00:00Z',
        human: true,
      }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/response\s+4BH\s+2026-03-02T13:00:00.000Z/);
  });

  it("a calendar file's holidays need no name", async () => {
    const nine = [['09:00', '17:00']];
    const calendar = tempFile(
      'calendar.json',
      JSON.stringify({
        timeZone: 'UTC',
        week: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine, sat: [], sun: [] },
        holidays: [{ date: '2026-03-09' }],
      }),
    );
    const r = await casework(
      'sla',
      'add',
      ...flags({ calendar, from: '2026-03-06T16:00:00Z', hours: '2', human: true }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('due 2026-03-10T10:00:00.000Z');
    expect(r.stdout).toContain('skipped holiday 2026-03-09');
  });

  it('sla add refuses an unknown option with exit 2', async () => {
    const r = await casework(
      'sla',
      'add',
      ...flags({ centre: 'emea', from: '2026-03-06T17:00:00Z', weeks: '1' }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--weeks: unknown option');
  });
});
