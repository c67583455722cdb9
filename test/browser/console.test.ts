import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, type TestRuntime } from '../integration/runtime.ts';
import { type BrowserWalk, focusOf, pressUntil, screenshots, seen, startBrowserWalk } from './browser.ts';

/** An engineer works a whole case life in the console, as a person sees it (virtual time from Monday 09:00). */

let walk: BrowserWalk;
let t: TestRuntime;
let page: Page;
let number: string;
const shot = screenshots('console');
const text = (selector: string) => seen(page.locator(selector));

async function sendMail(from: string, subject: string, body: string) {
  await t.receive({ from, subject, text: body });
}

/** A file uploaded to the case as a contact does it through the API: grant, PUT, complete. */
async function uploadAs(email: string, name: string, content: Buffer) {
  const sha256 = createHash('sha256').update(content).digest('hex');
  const [grant] = (
    await t.api('POST', `/v1/cases/${number}/files`, {
      as: email,
      body: { files: [{ name, size: content.length, sha256 }] },
    })
  ).body.files;
  const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: content });
  expect(put.status).toBe(200);
  await t.api('POST', `/v1/cases/${number}/files/${grant.fileId}/complete`, { as: email, body: {} });
}

/** Opens an action form in the case page's action panel and submits it. */
async function act(title: string, fill: (form: ReturnType<Page['locator']>) => Promise<void>) {
  const panel = page.locator('.case-actions details', { has: page.locator('summary', { hasText: title }) });
  await panel.locator('summary').click();
  const form = panel.locator('form');
  await fill(form);
  await form.locator('button[type=submit]').click();
  return form;
}

beforeAll(async () => {
  walk = await startBrowserWalk('2026-03-02T09:00:00Z');
  ({ t, page } = walk);
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  await t.api('POST', '/v1/cases', {
    as: 'gus@globex.example',
    body: { ...acmeHighCase, account: 'globex', severity: 'medium', subject: 'Reports are slow' },
  });
  await sendMail('ops@acme.example', 'Server logs', 'Logs for the login problem.');
  await sendMail('ops@acme.example', 'Thanks!', 'Thank you all, great work.');
});

afterAll(() => walk?.stop());

describe('the engineers’ console: a whole case life (browser)', () => {
  it('shows nothing but the sign-in without a token', async () => {
    await page.goto(t.runtime.urls.console);
    await page.locator('#pool-sign-in').waitFor();
    expect(await page.locator('#nav').isVisible()).toBe(false);
    await shot(page, '0-sign-in');
  });

  it('an engineer signs in and finds the new case in the list with its next due time (4BH response: in 4 h)', async () => {
    await page.locator('#other-sign-in summary').click();
    await page.getByLabel('Access token').fill(await t.token('eve@support.example'));
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    const row = page.locator(`tr.case-row[data-number="${number}"]`);
    await row.waitFor();
    expect(await seen(row)).toContain('Agents cannot log in');
    expect(await seen(row)).toContain('response in 4 h 0 min');
    expect(await text('#page-info')).toMatch(/Page 1: 2 cases shown/);
    // The newest case first, as the API pages them, and the column says so.
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
    expect(await text('th[aria-sort]')).toBe('Case ▼');
    expect(await text('#me')).toBe('eve@support.example');
    await shot(page, '1-cases');
  });

  it('search narrows the list; breaching soon lists the case due within hours', async () => {
    await page.getByLabel('Search').fill('slow');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#page-info', { hasText: '1 case shown matching “slow”' }).waitFor();
    expect(await page.locator('tr.case-row').count()).toBe(1);
    await page.getByRole('link', { name: 'Breaching soon' }).click();
    await page.locator('#page-info', { hasText: /^Page 1: 1 case shown\.$/ }).waitFor();
    expect(await page.locator(`tr.case-row[data-number="${number}"]`).count()).toBe(1);
    await page.getByRole('link', { name: 'All cases' }).click();
    await page.locator('#page-info', { hasText: '2 cases shown' }).waitFor();
  });

  it('the queue of unowned cases of my centre lists the new case; taking it moves it to my cases', async () => {
    await page.getByRole('link', { name: 'Unowned in my centre' }).click();
    const row = page.locator(`tr.case-row[data-number="${number}"]`);
    await row.waitFor();
    expect(await seen(row)).toContain('unowned');
    await shot(page, '1-queue-unowned');
    await row.locator('a').click();
    await page.locator('#owner', { hasText: 'unowned' }).waitFor();
    await page.getByRole('button', { name: 'Take this case' }).click();
    await page.locator('#owner', { hasText: 'eve@support.example' }).waitFor();
    await page.getByRole('link', { name: 'Cases' }).first().click();
    // Each list is read once its own tab is the current page (the rows are drawn with it).
    const current = (tab: string) => page.locator('a.tab[aria-current="page"]', { hasText: tab }).waitFor();
    await page.getByRole('link', { name: 'My cases' }).click();
    await current('My cases');
    await page.locator(`tr.case-row[data-number="${number}"]`, { hasText: 'eve@support.example' }).waitFor();
    await page.getByRole('link', { name: 'Unowned in my centre' }).click();
    await current('Unowned in my centre');
    await page.locator('tr.case-row', { hasText: 'Reports are slow' }).waitFor();
    expect(await page.locator(`tr.case-row[data-number="${number}"]`).count()).toBe(0);
  });

  it('the case page shows every field the customer gave, its SLA clocks and why they are due then, and its files', async () => {
    await page.goto(`${t.runtime.urls.console}/#/cases`);
    await page.locator(`tr.case-row[data-number="${number}"] a`).click();
    await page.locator('#fields').waitFor();
    const fields = await text('#fields');
    for (const value of [
      'acme (business-care, centre emea)',
      'dana@acme.example',
      'Contact Center 12.4',
      'problem',
      'production',
      '40',
    ])
      expect(fields).toContain(value);
    expect(await text('#description')).toBe(acmeHighCase.description);
    expect(await text('#business-impact')).toBe(acmeHighCase.businessImpact);
    expect(await text('#sla')).toMatch(/response\s+4BH\s+2026-03-02 13:00Z\s+4 h 0 min\s+pending/);
    expect(await text('#files')).toBe('No files.');
    const response = page.locator('#sla tbody tr', { hasText: 'response' });
    await response.locator('summary', { hasText: 'why then' }).click();
    expect(await seen(response.locator('details.why'))).toContain('counted 2026-03-02 09:00Z → 13:00Z');
    await shot(page, '2-case');
  });

  it('a form shows the API’s validation message naming the field, and changes nothing', async () => {
    const form = await act('Set sub-status', (f) => f.getByLabel('Sub-status').fill('Banana'));
    await form.locator('.form-error', { hasText: 'Sub-status:' }).waitFor();
    expect(await form.locator('input[name=subStatus]').getAttribute('aria-invalid')).toBe('true');
    expect(await text('#status')).toBe('Open / New');
  });

  it('request info: the case waits for the customer, the request is public in the timeline', async () => {
    await act('Request information', (f) =>
      f.getByLabel('What the customer should send').fill('Please send the login server log.'),
    );
    await page.locator('#status', { hasText: 'Awaiting Info' }).waitFor();
    const note = page.locator('#timeline li', { hasText: 'Please send the login server log.' });
    expect(await seen(note.locator('.mark'))).toMatch(/public/i);
    await shot(page, '3-awaiting-info');
  });

  it('the customer’s mail reply shows in the timeline as internal; the engineer publishes it', async () => {
    await t.advance('PT2H'); // the customer answers two hours later
    await sendMail(
      'dana@acme.example',
      `Re: Case # ${number}: Agents cannot log in`,
      'The log is attached to this mail.',
    );
    await page.reload();
    const mail = page.locator('#timeline li.kind-mail-received', {
      hasText: 'The log is attached to this mail.',
    });
    await mail.waitFor();
    expect(await seen(mail.locator('.mark'))).toMatch(/internal/i);
    expect(await text('#status')).toContain('Open');
    await shot(page, '4-mail-reply');
    await mail.getByRole('button', { name: 'Publish to customer' }).click();
    await page.locator('#status-line', { hasText: 'The mail is now public' }).waitFor();
    const published = page.locator('#timeline li.kind-mail-received', { hasText: 'The log is attached' });
    expect(await seen(published.locator('.mark'))).toMatch(/public/i);
  });

  it('a file the customer uploaded downloads from the case page under its name, with its bytes (presigned GET)', async () => {
    const content = Buffer.from('2026-03-02 10:58 login failed: token expired\n'.repeat(500));
    await uploadAs('dana@acme.example', 'login-server.log', content);
    await page.reload();
    const row = page.locator('#files tbody tr', { hasText: 'login-server.log' });
    expect(await seen(row)).toContain('dana@acme.example');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download login-server.log' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('login-server.log');
    expect(await readFile(await download.path())).toEqual(content);
    expect(page.url()).toBe(`${t.runtime.urls.console}/#/case/${number}`); // the page stays
  });

  it('triage: an engineer reads an unmatched mail, dismisses a thank-you, links the other to the case and finds it in the timeline', async () => {
    await page.getByRole('link', { name: 'Triage' }).click();
    const row = page.locator('#triage tbody tr', { hasText: 'Server logs' });
    await page.locator('#triage').waitFor();
    await row.waitFor();
    expect(await seen(row)).toContain('ops@acme.example');
    expect(await seen(row.locator('pre.mail'))).toBe('Logs for the login problem.');
    const thanks = page.locator('#triage tbody tr', { hasText: 'Thanks!' });
    await thanks.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('#triage-result', { hasText: 'Dismissed: Thanks!' }).waitFor();
    expect(await thanks.count()).toBe(0);
    await shot(page, '8-triage');
    await row.getByLabel('case number').fill(number);
    await row.getByRole('button', { name: 'Link' }).click();
    await page.locator('#triage-result', { hasText: `Linked to case ${number}` }).waitFor();
    await page.goto(`${t.runtime.urls.console}/#/case/${number}`);
    const linked = page.locator('#timeline li.kind-mail-received', {
      hasText: 'Logs for the login problem.',
    });
    await linked.waitFor();
    expect(await seen(linked.locator('.mark'))).toMatch(/internal/i);
  });

  it('propose a solution: the case waits for the customer’s answer', async () => {
    await t.advance('PT1H');
    await page.reload();
    await act('Propose a solution', (f) =>
      f.getByLabel('The solution').fill('Clear the login cache, then restart the agents.'),
    );
    await page.locator('#status', { hasText: 'Solution Proposed' }).waitFor();
    expect(await text('#sla')).toMatch(/response\s+4BH.*met/s);
  });

  it('close: the case is Closed as Resolved', async () => {
    await t.advance('PT3H');
    await page.reload();
    await act('Close', async (f) => {
      await f.getByLabel('Closed as').selectOption('Resolved');
      await f.getByLabel('Closing note').fill('Fixed by clearing the cache.');
    });
    await page.locator('#status', { hasText: 'Closed / Resolved' }).waitFor();
    await page.locator('.case-actions summary', { hasText: 'Reopen' }).waitFor();
    await shot(page, '5-closed');
  });

  it('the execution view highlights the path taken with entry times, the workflow steps secondary', async () => {
    await page.getByRole('link', { name: 'Execution view' }).click();
    await page.locator('#current-state').waitFor();
    expect(await text('#current-state')).toBe('Closed');
    expect(await page.locator('svg.graph g.state.current').getAttribute('data-state')).toBe('Closed');
    const path = await page.locator('#path tbody tr td:nth-child(2)').allInnerTexts();
    expect(path).toEqual(['Open', 'AwaitingInfo', 'Open', 'SolutionProposed', 'Closed']);
    const entered = await page.locator('#path tbody tr td:nth-child(3)').allInnerTexts();
    expect(entered[0]).toMatch(/^2026-03-02 09:00:00\.\d{3}$/);
    expect(entered[2]).toMatch(/^2026-03-02 11:00:00\.\d{3}$/); // the customer's reply, two hours later
    const durations = await page.locator('#path tbody tr td:nth-child(4)').allInnerTexts();
    expect(durations).toEqual(['0 s', '2 h 0 min', '1 h 0 min', '3 h 0 min', 'current']);
    expect(await page.locator('svg.graph g.state.internal[data-state="Route"]').count()).toBe(1);
    expect(await page.locator('svg.graph g.state.case[data-state="Open"]').count()).toBe(1);
    expect(await page.locator('svg.graph path.edge.taken').count()).toBeGreaterThanOrEqual(4);
    await shot(page, '6-execution');
  });

  it('the graph’s lines never cross a box', async () => {
    const boxes = await page
      .locator('svg.graph g.state rect')
      .evaluateAll((rects) =>
        rects
          .map((r) =>
            (
              r as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }
            ).getBBox(),
          )
          .map((b) => ({ x: b.x, y: b.y, w: b.width, h: b.height })),
      );
    const lines = await page.locator('svg.graph path.edge').evaluateAll((paths) =>
      paths.map((p) => {
        const path = p as unknown as {
          getTotalLength(): number;
          getPointAtLength(at: number): { x: number; y: number };
        };
        const points = [];
        for (let i = 0; i <= 40; i++) {
          const at = path.getPointAtLength((path.getTotalLength() * i) / 40);
          points.push({ x: at.x, y: at.y });
        }
        return points;
      }),
    );
    expect(lines.length).toBeGreaterThan(10);
    for (const points of lines)
      for (const p of points)
        for (const b of boxes) {
          const inside = p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1;
          expect(inside, `a line passes through the box at ${b.x},${b.y}`).toBe(false);
        }
  });

  it('the event table filters, and shows an event’s input and output on demand', async () => {
    const all = await page.locator('#history tbody tr').count();
    await page.getByLabel('Filter events').fill('AwaitingInfo');
    await page.getByRole('button', { name: 'Apply' }).click();
    const filtered = (count: number) => new RegExp(`^(?!${count} of)\\d+ of ${count} events$`);
    await page.locator('#event-count', { hasText: filtered(all) }).waitFor();
    const rows = page.locator('#history tbody tr');
    expect(await rows.count()).toBeLessThan(all);
    const entered = rows.filter({ hasText: 'TaskStateEntered' }).first();
    await entered.locator('summary').click();
    expect(await seen(entered.locator('pre').first())).toContain('"caseId"');
    await page.getByLabel('Filter events').fill('');
    await page.getByLabel('Show events').selectOption('states');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/events=states/);
    await page
      .locator('#event-filter select[name=events] option[value=states][selected]')
      .waitFor({ state: 'attached' });
    for (const type of await page.locator('#history tbody tr td:nth-child(4)').allInnerTexts())
      expect(type).toMatch(/State(Entered|Exited)$/);
    await shot(page, '7-execution-filtered');
  });

  it('the SLA report has date controls and draws a bar only where it has a figure', async () => {
    await page.getByRole('link', { name: 'SLA report' }).click();
    await page.locator('#report').waitFor();
    await page.getByLabel('From').fill('2026-03-01');
    await page.getByLabel('To').fill('2026-03-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('text=Cases closed from 2026-03-01 00:00Z to 2026-03-31 23:59Z').waitFor();
    const high = page.locator('#report tbody tr', { hasText: 'business-care' }).filter({ hasText: 'high' });
    expect(await high.locator('td').allInnerTexts()).toEqual(
      expect.arrayContaining(['business-care', 'high', '1', '100% ', 'no figure', '80%']),
    );
    expect(await high.locator('td.response svg').count()).toBe(1);
    expect(await high.locator('td.restoration svg').count()).toBe(0); // business-care high has no restoration target
    await shot(page, '9-report');
    await page.getByLabel('From').fill('2026-01-01');
    await page.getByLabel('To').fill('2026-01-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('text=No case was closed in this period').waitFor();
    expect(await page.locator('#report svg').count()).toBe(0);
  });

  it('the virtual clock says why it did not move, and what fired when it did', async () => {
    await page.locator('#advance').fill('soon');
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.locator('#clock-message', { hasText: 'not moved' }).waitFor();
    await page.locator('#advance').fill('PT5H');
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.locator('#clock-message', { hasText: /timers fired/ }).waitFor();
    expect(await text('#now')).toBe('2026-03-02 20:00Z'); // 09:00 + 2 h + 1 h + 3 h in the walk, + 5 h
  });

  it('no page raised a script error', () => {
    expect(walk.errors).toEqual([]);
  });
});

describe('the engineers’ console with the keyboard only: queue, case, take, request info (browser)', () => {
  let kb: Page;
  let caseNumber: string;
  const subject = 'Wallboard stays blank';

  beforeAll(async () => {
    caseNumber = (
      await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: { ...acmeHighCase, subject } })
    ).body.number;
    kb = await walk.newPage();
  });

  it('signs in with a token: Tab reaches the skip link, the user pool’s e-mail, the other ways to sign in (opened with Enter), the token field and its button, each with a visible focus ring', async () => {
    await kb.goto(t.runtime.urls.console);
    // The sign-in form is drawn by the page's script: the keys go to it once it shows.
    await kb.locator('#pool-sign-in').waitFor();
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'a', name: 'Skip to content', ring: true });
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'input', name: 'E-mail', ring: true });
    expect(await pressUntil(kb, 'Tab', { tag: 'summary' })).toMatchObject({ ring: true });
    await kb.keyboard.press('Enter');
    expect(await pressUntil(kb, 'Tab', { tag: 'textarea' })).toEqual({
      tag: 'textarea',
      name: 'Access token',
      ring: true,
    });
    await kb.keyboard.insertText(await t.token('eve@support.example'));
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'button', name: 'Sign in with the token', ring: true });
    await kb.keyboard.press('Enter');
    // Signed in, the focus is on the page's heading: the next Tab goes through the page.
    await expect.poll(() => focusOf(kb)).toEqual({ tag: 'h2', name: 'Cases', ring: true });
  });

  it('reaches the queue of unowned cases and opens the case: the focus lands on each new page’s heading', async () => {
    await pressUntil(kb, 'Tab', { name: 'Unowned in my centre' });
    await kb.keyboard.press('Enter');
    await kb.waitForURL(/queue=unowned/);
    await expect.poll(() => focusOf(kb)).toEqual({ tag: 'h2', name: 'Cases', ring: true });
    expect(await pressUntil(kb, 'Tab', { tag: 'a', name: caseNumber })).toMatchObject({ ring: true });
    await kb.keyboard.press('Enter');
    await expect
      .poll(() => focusOf(kb))
      .toEqual({ tag: 'h2', name: `Case # ${caseNumber}: ${subject}`, ring: true });
  });

  it('takes the case with Enter: the focus lands on the result, which says the case is taken', async () => {
    expect(await pressUntil(kb, 'Tab', { tag: 'button', name: 'Take this case' })).toMatchObject({
      ring: true,
    });
    await kb.keyboard.press('Enter');
    await expect
      .poll(() => focusOf(kb))
      .toEqual({
        tag: 'p',
        name: `Case # ${caseNumber}: Taken — now Open / New`,
        ring: true,
      });
    expect(await seen(kb.locator('#owner'))).toBe('eve@support.example');
  });

  it('requests information: Space opens the form with the focus in its first field; Enter sends it; the focus lands on the new status', async () => {
    await pressUntil(kb, 'Tab', { tag: 'summary', name: 'Request information' });
    await kb.keyboard.press('Space');
    await expect
      .poll(() => focusOf(kb))
      .toEqual({ tag: 'textarea', name: 'What the customer should send', ring: true });
    await shot(kb, '10-keyboard-action-form');
    await kb.keyboard.type('Please send the wallboard server log.');
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'button', name: 'Request information', ring: true });
    await kb.keyboard.press('Enter');
    await expect
      .poll(() => focusOf(kb))
      .toEqual({
        tag: 'p',
        name: `Case # ${caseNumber}: Request information — now Awaiting Info / Info Required from Customer`,
        ring: true,
      });
    expect(await seen(kb.locator('#status'))).toBe('Awaiting Info / Info Required from Customer');
    expect(await seen(kb.locator('#fields'))).toMatch(
      /Follow-up\s+provide-information since 2026-03-02 20:00Z · 0 reminders sent/,
    );
    expect(await seen(kb.locator('#timeline'))).toContain('Please send the wallboard server log.');
    await shot(kb, '11-keyboard-result');
  });

  it('Shift+Tab from the result goes back up the page, to the header’s last control', async () => {
    expect(await pressUntil(kb, 'Shift+Tab', { tag: 'button' }, 1)).toEqual({
      tag: 'button',
      name: 'Sign out',
      ring: true,
    });
  });

  it('every control on every screen has a name a screen reader says (a label, or its text)', () => {
    expect(shot.unlabelled).toEqual([]);
  });

  it('no page raised a script error', () => {
    expect(walk.errors).toEqual([]);
  });
});
