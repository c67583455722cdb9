import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID } from '#local/cognito.ts';
import { acmeHighCase, type TestRuntime } from '../integration/runtime.ts';
import { type BrowserWalk, focusOf, screenshots, seen, startBrowserWalk } from './browser.ts';

/**
 * People sign in with the user pool from the pages, as on a deployed desk: an invited contact's
 * first sign-in to the portal (the temporary password from her invitation, a password of her own,
 * an authenticator app), her later sign-ins (password and code), her sign-in lasting past an ID
 * token's hour, her forgotten password, and an engineer's first sign-in to the console with the
 * keyboard alone.
 */

let walk: BrowserWalk;
let t: TestRuntime;
let page: Page;
const shot = screenshots('sign-in');
const DANA = 'dana@acme.example';
const EVE = 'eve@support.example';
const PASSWORD = 'Blue-harbour-42';
const NEW_PASSWORD = 'Green-harbour-43';
let secret = '';
let subject = '';

/** The temporary password of a person's invitation mail, as they read it in the mail viewer. */
async function temporaryPassword(email: string) {
  const invitation = (await t.cognitoMails()).find(
    (m) => m.destination.to.includes(email) && m.subject === 'Your casework account',
  );
  const password = /Your temporary password is (\S+?)(?:<|\s|$)/.exec(invitation?.body.text ?? '')?.[1];
  if (!password) throw new Error(`no invitation mail for ${email}`);
  return password;
}

/** The code an authenticator app shows now for a key (never waiting for the next step). */
const codeNow = (key: string) =>
  new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30 }).generate({ timestamp: Date.now() });
/** A code the app does not show now, nor 30 s before or after. */
function wrongCode(key: string) {
  const totp = new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30 });
  const near = [-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: Date.now() + d }));
  let code = 0;
  while (near.includes(String(code).padStart(6, '0'))) code++;
  return String(code).padStart(6, '0');
}

const form = () => page.locator('#pool-sign-in');
const formError = () => seen(page.locator('#pool-sign-in .form-error'));
/** The field marked invalid and the one with the focus: where the person fixes the refusal. */
const invalidAndFocused = async (on: Page = page) => ({
  invalid: await on.locator('#pool-sign-in [aria-invalid=true]').getAttribute('name'),
  focused: await on.evaluate('document.activeElement.name'),
});

beforeAll(async () => {
  walk = await startBrowserWalk('2026-03-02T09:00:00Z');
  ({ t, page } = walk);
  subject = (await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase })).body.subject;
});

afterAll(() => walk?.stop());

describe('signing in with the user pool from the pages (browser)', () => {
  it('the sign-in page offers the user pool’s sign-in first; the local quick sign-in and the token are behind “Other ways to sign in”', async () => {
    await page.goto(t.runtime.urls.portal);
    await form().waitFor();
    expect(await page.locator('#sign-in form').first().getAttribute('id')).toBe('pool-sign-in');
    expect(await page.locator('#other-sign-in').getAttribute('open')).toBeNull();
    expect(await page.locator('#local-sign-in').isVisible()).toBe(false);
    expect(await seen(page.locator('#other-sign-in summary'))).toBe(
      'Other ways to sign in: the local system, a token',
    );
    await shot(page, '0-portal-sign-in');
  });

  it('a wrong password is refused on the password field, in words', async () => {
    await form().getByLabel('E-mail').fill(DANA);
    await form().getByLabel('Password').fill('Not-her-password-1');
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'Incorrect' }).waitFor();
    expect(await formError()).toBe('Password: Incorrect e-mail or password.');
    expect(await invalidAndFocused()).toEqual({ invalid: 'password', focused: 'password' });
    await shot(page, '1-wrong-password');
  });

  it('an invited contact’s first sign-in with the temporary password of her invitation mail asks for a password of her own, the policy stated, the focus on it', async () => {
    await form()
      .getByLabel('Password')
      .fill(await temporaryPassword(DANA));
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    expect(await seen(page.locator('#password-policy'))).toContain(
      'at least 12 characters, with a digit, a lower-case letter, an upper-case letter and a symbol',
    );
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'New password' });
    await shot(page, '2-new-password');
  });

  it('a weak new password is refused on the new password field, with what it lacks and the policy', async () => {
    await form().getByLabel('New password', { exact: true }).fill('weakpassword');
    await form().getByLabel('New password again').fill('weakpassword');
    await form().getByRole('button', { name: 'Set the password' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'Too weak' }).waitFor();
    expect(await formError()).toBe(
      'New password: Too weak (no digit, no upper-case letter, no symbol). A password needs at least 12 characters, with a digit, a lower-case letter, an upper-case letter and a symbol.',
    );
    expect(await invalidAndFocused()).toEqual({ invalid: 'newPassword', focused: 'newPassword' });
    await shot(page, '3-weak-password');
  });

  it('two different new passwords are refused on the second one, before asking the pool', async () => {
    await form().getByLabel('New password', { exact: true }).fill(PASSWORD);
    await form().getByLabel('New password again').fill(`${PASSWORD}!`);
    await form().getByRole('button', { name: 'Set the password' }).click();
    expect(await formError()).toBe('New password again: The two passwords differ: type the same one twice.');
    expect(await invalidAndFocused()).toEqual({ invalid: 'again', focused: 'again' });
  });

  it('a good password leads to the authenticator set-up: the key and an otpauth link for the app, the focus on the code', async () => {
    await form().getByLabel('New password again').fill(PASSWORD);
    await form().getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    secret = await seen(page.locator('#totp-secret'));
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(
      await page.getByRole('link', { name: 'add casework to your authenticator app' }).getAttribute('href'),
    ).toBe(`otpauth://totp/casework:${DANA}?secret=${secret}&issuer=casework`);
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'Code from the app' });
    await shot(page, '4-authenticator');
  });

  it('a wrong code at the set-up is refused on the code field', async () => {
    await form().getByLabel('Code from the app').fill(wrongCode(secret));
    await form().getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'not the code' }).waitFor();
    expect(await invalidAndFocused()).toEqual({ invalid: 'code', focused: 'code' });
  });

  it('the app’s code signs her in: her cases, her e-mail in the header, the focus on the heading', async () => {
    await form().getByLabel('Code from the app').fill(codeNow(secret));
    await form().getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByRole('heading', { name: 'Your cases' }).waitFor();
    expect(await seen(page.locator('main'))).toContain(subject);
    expect(await seen(page.locator('#me'))).toBe(DANA);
    expect(await focusOf(page)).toMatchObject({ tag: 'h1', name: 'Your cases' });
    await shot(page, '5-signed-in');
  });

  it('signed out, she signs in with her password and her app’s code; a wrong code is refused on the code field first', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await form().getByLabel('E-mail').fill(DANA);
    await form().getByLabel('Password').fill(PASSWORD);
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Code from your authenticator app' }).waitFor();
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'Code' });
    await shot(page, '6-code');
    await form().getByLabel('Code').fill(wrongCode(secret));
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'not the code' }).waitFor();
    expect(await formError()).toBe(
      'Code: This is not the code your authenticator app shows now: type its current 6 digits.',
    );
    expect(await invalidAndFocused()).toEqual({ invalid: 'code', focused: 'code' });
    await shot(page, '7-wrong-code');
    await form().getByLabel('Code').fill(codeNow(secret));
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your cases' }).waitFor();
    expect(await seen(page.locator('#me'))).toBe(DANA);
  });

  it('an ID token past its hour is renewed with the refresh token: the page goes on working without a new sign-in', async () => {
    const stored = () => page.evaluate(() => sessionStorage.getItem('casework-portal-token'));
    const expired = await t.runtime.issuer.sign(DANA, -60);
    await page.evaluate((token) => sessionStorage.setItem('casework-portal-token', token), expired);
    await page.reload();
    await page.getByRole('heading', { name: 'Your cases' }).waitFor();
    expect(await seen(page.locator('main'))).toContain(subject);
    expect(await form().count()).toBe(0);
    const renewed = (await stored()) as string;
    expect(renewed).not.toBe(expired);
    expect(decodeJwt(renewed).exp).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it('an ID token the API refuses (401) is renewed once and the call made again', async () => {
    // Its signature spoilt, the token still looks fresh to the page: only the API can tell.
    await page.evaluate(() => {
      const token = sessionStorage.getItem('casework-portal-token') ?? '';
      sessionStorage.setItem('casework-portal-token', `${token.slice(0, -6)}AAAAAA`);
    });
    await page.locator('#my-cases a').first().click();
    await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    expect(await form().count()).toBe(0);
    expect(await seen(page.locator('#me'))).toBe(DANA);
  });

  it('signing out revokes the refresh token: the pool refuses it afterwards', async () => {
    const refreshToken = await page.evaluate(() => sessionStorage.getItem('casework-portal-token-refresh'));
    expect(refreshToken).toEqual(expect.any(String));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await form().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('casework-portal-token-refresh'))).toBeNull();
    const refresh = async () => {
      const res = await fetch(t.runtime.urls.cognito, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: JSON.stringify({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: LOCAL_CLIENT_ID,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      });
      return ((await res.json()) as { message?: string }).message;
    };
    await expect.poll(refresh).toBe('Refresh Token has been revoked');
  });

  it('“Forgot your password?” mails a code; with it she chooses a new password (a wrong code refused on the code field), then signs in with it and her app’s code', async () => {
    await form().getByLabel('E-mail').fill(DANA);
    await form().getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(await form().getByLabel('E-mail').inputValue()).toBe(DANA);
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'E-mail' });
    await shot(page, '12-forgot-password');
    await form().getByRole('button', { name: 'Mail me a code' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await seen(page.locator('#reset-help'))).toContain(`If ${DANA} has an account here`);
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'Code from the mail' });
    const mail = (await t.cognitoMails()).findLast(
      (m) => m.destination.to.includes(DANA) && m.subject === 'Your casework verification code',
    );
    const code = /verification code is (\d{6})/.exec(mail?.body.text ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    await shot(page, '13-reset-code');

    await form()
      .getByLabel('Code from the mail')
      .fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await form().getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await form().getByLabel('New password again').fill(NEW_PASSWORD);
    await form().getByRole('button', { name: 'Set the password' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'not the code we mailed' }).waitFor();
    expect(await invalidAndFocused()).toEqual({ invalid: 'code', focused: 'code' });

    await form().getByLabel('Code from the mail').fill(code);
    await form().getByRole('button', { name: 'Set the password' }).click();
    await page.locator('#pool-sign-in .notice').waitFor();
    expect(await seen(page.locator('#pool-sign-in .notice'))).toBe(
      'Your new password is set: sign in with it (and your authenticator app’s code).',
    );
    expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'Password' });
    await shot(page, '14-password-reset');
    await form().getByLabel('Password').fill(PASSWORD);
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#pool-sign-in .form-error', { hasText: 'Incorrect' }).waitFor();
    await form().getByLabel('Password').fill(NEW_PASSWORD);
    await form().getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Code from your authenticator app' }).waitFor();
    await form().getByLabel('Code').fill(codeNow(secret));
    await form().getByRole('button', { name: 'Sign in' }).click();
    // Back on the page she was on when she signed out: her case.
    await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    expect(await seen(page.locator('#me'))).toBe(DANA);
  });

  it('an engineer’s first sign-in to the console with the keyboard alone: each step’s first field takes the focus, and the console opens', async () => {
    const kb = await walk.newPage();
    await kb.goto(t.runtime.urls.console);
    await kb.locator('#pool-sign-in').waitFor();
    await shot(kb, '8-console-sign-in');
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'a', name: 'Skip to content', ring: true });
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'input', name: 'E-mail', ring: true });
    await kb.keyboard.type(EVE);
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toEqual({ tag: 'input', name: 'Password', ring: true });
    await kb.keyboard.insertText(await temporaryPassword(EVE));
    await kb.keyboard.press('Enter');
    await expect.poll(() => focusOf(kb)).toMatchObject({ tag: 'input', name: 'New password' });
    await shot(kb, '9-console-new-password');
    await kb.keyboard.insertText(PASSWORD);
    await kb.keyboard.press('Tab');
    expect(await focusOf(kb)).toMatchObject({ tag: 'input', name: 'New password again' });
    await kb.keyboard.insertText(PASSWORD);
    await kb.keyboard.press('Enter');
    await expect.poll(() => focusOf(kb)).toMatchObject({ tag: 'input', name: 'Code from the app' });
    await shot(kb, '10-console-authenticator');
    await kb.keyboard.insertText(codeNow(await seen(kb.locator('#totp-secret'))));
    await kb.keyboard.press('Enter');
    await expect.poll(() => focusOf(kb)).toEqual({ tag: 'h2', name: 'Cases', ring: true });
    expect(await seen(kb.locator('#me'))).toBe(EVE);
    expect(await seen(kb.locator('main'))).toContain(subject);
    await shot(kb, '11-console-signed-in');
  });

  it('every control on every screen has a name a screen reader says (a label, or its text)', () => {
    expect(shot.unlabelled).toEqual([]);
  });

  it('no page raised a script error', () => {
    expect(walk.errors).toEqual([]);
  });
});
