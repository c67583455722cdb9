import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from '../integration/runtime.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts/console';

/** The browser is Debian's Chromium: the test setup installs it when the machine has none. */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    timeout: 600_000,
  });
}

let t: TestRuntime;
let browser: Browser;
let page: Page;
let number: string;
const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

beforeAll(async () => {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  const closed = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body
    .number;
  await t.api('POST', `/v1/cases/${closed}/actions/close`, {
    as: 'dana@acme.example',
    body: { subStatus: 'Resolved', note: 'Done.' },
  });
  const { port } = new URL(t.runtime.urls.smtp);
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true })
    .sendMail({
      from: 'ops@acme.example',
      to: 'cases@support.example',
      subject: 'Server logs',
      text: 'Logs for the login problem.',
    });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the operator console (browser)', () => {
  it('shows nothing without a token', async () => {
    await page.goto(t.runtime.urls.console);
    await expect(page.locator('#sign-in').isVisible()).resolves.toBe(true);
    await expect(page.locator('#nav').isVisible()).resolves.toBe(false);
  });

  it('an engineer signs in with a token and finds the case created through the API', async () => {
    await page.fill('#token', await t.token('eve@support.example'));
    await page.click('#sign-in button[type=submit]');
    const row = page.locator(`tr.case-row[data-number="${number}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(acmeHighCase.subject);
    await shot('1-cases');
  });

  it('the case page highlights the current state in the graph and lists the event history', async () => {
    await page.click(`tr.case-row[data-number="${number}"]`);
    await page.locator('#current-state').waitFor();
    expect(await page.textContent('#current-state')).toBe('Open');
    expect(await page.locator('svg.graph g.state.current').getAttribute('data-state')).toBe('Open');
    expect(await page.locator('#history tbody tr').count()).toBeGreaterThan(3);
    expect(await page.textContent('#sla')).toContain('4BH');
    await shot('2-case');
  });

  it('an engineer links a triaged mail to the case', async () => {
    await page.goto(`${t.runtime.urls.console}#/triage`);
    const row = page.locator('#triage tbody tr', { hasText: 'Server logs' });
    await row.waitFor();
    expect(await row.textContent()).toContain('cannot open cases');
    await row.locator('input[name=caseNumber]').fill(number);
    await row.locator('button').click();
    await page.locator('#triage-result', { hasText: 'Linked to case' }).waitFor();
    await shot('3-triage');
  });

  it('the SLA report and, locally, the virtual clock', async () => {
    await page.goto(`${t.runtime.urls.console}#/report`);
    await page.locator('#report').waitFor();
    expect(await page.textContent('#report tbody')).toContain('business-care');
    await page.locator('#advance').fill('PT5H');
    await page.click('#advance-button');
    await page.locator('#now', { hasText: '2026-03-02 14:00Z' }).waitFor();
    await shot('4-report');
  });
});
