import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMINISTRATOR, LOCAL_CLIENT_ID } from '#local/cognito.ts';
import { demoCatalogue } from '#local/demo.ts';
import { caseworkEnv, runCasework } from '../casework-cli.ts';
import { startTestRuntime, type TestRuntime } from './runtime.ts';
import {
  temporaryPassword as invitedPassword,
  signInWithPassword as passwordStep,
  poolClient,
  refusal,
  totpCode,
} from './user-pool.ts';

/**
 * A sign-in that lasts a working day, and the ways back in, through the real SDK client against
 * the local pool: the refresh token (`REFRESH_TOKEN_AUTH`, `RevokeToken`), a forgotten password
 * reset with a mailed code, and an expired invitation sent again by an administrator. The pool's
 * time is the wall clock moved on by the test (`signInTime`): a week or an hour passes without
 * waiting, and TOTP codes are computed at the pool's time, as an authenticator app would then.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let ahead = 0;
const poolNow = () => Date.now() + ahead;

let t: TestRuntime;
let cognito: CognitoIdentityProviderClient;

const codeNow = (base32: string) => totpCode(base32, poolNow());

/** Contacts of acme added for these tests, each a fresh invitation. */
const contact = (name: string) => ({ name, access: { acme: 'designated' } });
const NEWCOMERS = {
  'fay@acme.example': contact('Fay'),
  'gil@acme.example': contact('Gil'),
  'hal@acme.example': contact('Hal'),
  'ivy@acme.example': contact('Ivy'),
  'jon@acme.example': contact('Jon'),
};

/** The pool's mails to a person (invitations, reset codes), newest last. */
const mailsTo = async (email: string) =>
  (await t.cognitoMails()).filter((m) => m.destination.to.includes(email));

const temporaryPassword = (email: string) => invitedPassword(t, email);

const signInWithPassword = (email: string, password: string) => passwordStep(cognito, email, password);

const refresh = (token: string | undefined) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: LOCAL_CLIENT_ID,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: token as string },
    }),
  );

const respond = (
  email: string,
  Session: string | undefined,
  ChallengeName: 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA',
  answers: Record<string, string>,
) =>
  cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: LOCAL_CLIENT_ID,
      ChallengeName,
      Session,
      ChallengeResponses: { USERNAME: email, ...answers },
    }),
  );

/** An invited person's first sign-in to the end: their password, their authenticator's key, the tokens. */
async function firstSignIn(email: string, password: string) {
  const first = await signInWithPassword(email, await temporaryPassword(email));
  const setUp = await respond(email, first.Session, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password });
  const { SecretCode, Session } = await cognito.send(
    new AssociateSoftwareTokenCommand({ Session: setUp.Session }),
  );
  const secret = SecretCode as string;
  const verified = await cognito.send(new VerifySoftwareTokenCommand({ Session, UserCode: codeNow(secret) }));
  const done = await respond(email, verified.Session, 'MFA_SETUP', {});
  return { secret, tokens: done.AuthenticationResult ?? {} };
}

/** A later sign-in: the password, then the authenticator's code. */
async function signIn(email: string, password: string, secret: string) {
  const started = await signInWithPassword(email, password);
  expect(started.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  const done = await respond(email, started.Session, 'SOFTWARE_TOKEN_MFA', {
    SOFTWARE_TOKEN_MFA_CODE: codeNow(secret),
  });
  return done.AuthenticationResult ?? {};
}

const casesWith = (idToken: string | undefined) =>
  fetch(`${t.runtime.urls.api}/cases`, { headers: { authorization: `Bearer ${idToken}` } });

const casework = (...args: string[]) => runCasework(args, { env: caseworkEnv(t.runtime) });

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, { signInTime: poolNow });
  // Each answer as the pool gave it: the SDK retries LimitExceededException as throttling.
  cognito = poolClient(t, { maxAttempts: 1 });
  await t.provision({ contacts: NEWCOMERS });
});
afterEach(() => {
  ahead = 0;
});
afterAll(async () => {
  cognito?.destroy();
  await t?.stop();
});

describe('staying signed in: the refresh token (the app client’s RefreshTokenValidity, 12 hours)', () => {
  const FAY = 'fay@acme.example';
  const PASSWORD = 'Long-Working-Day-1';
  let secret = '';
  let refreshToken: string | undefined;

  it('a sign-in answers a refresh token; with it, REFRESH_TOKEN_AUTH gives a new ID and access token (no new refresh token) without the password or the code, and the API takes the new ID token', async () => {
    const first = await firstSignIn(FAY, PASSWORD);
    secret = first.secret;
    refreshToken = first.tokens.RefreshToken;
    expect(refreshToken).toEqual(expect.any(String));

    const renewed = await refresh(refreshToken);
    expect(renewed.ChallengeName).toBeUndefined();
    expect(renewed.AuthenticationResult?.RefreshToken).toBeUndefined();
    expect(renewed.AuthenticationResult?.ExpiresIn).toBe(3600);
    const claims = decodeJwt(renewed.AuthenticationResult?.IdToken as string);
    expect(claims.email).toBe(FAY);
    expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    expect((await casesWith(renewed.AuthenticationResult?.IdToken)).status).toBe(200);
  });

  it('she may type her address with capitals, as the stack’s pool ignores them (signInCaseSensitive: false): the same person, the same token claims', async () => {
    const tokens = await signIn('Fay@Acme.Example', PASSWORD, secret);
    expect(decodeJwt(tokens.IdToken as string).email).toBe(FAY);
  });

  it('the refresh token holds through a working day and is refused once its 12 hours are over', async () => {
    ahead = 11 * HOUR;
    expect((await refresh(refreshToken)).AuthenticationResult?.IdToken).toEqual(expect.any(String));
    ahead = 12 * HOUR + 1000;
    expect(await refusal(refresh(refreshToken))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has expired',
    });
  });

  it('signing out revokes the refresh token: refused afterwards (“Refresh Token has been revoked”), and revoking it again succeeds', async () => {
    const tokens = await signIn(FAY, PASSWORD, secret);
    const revoke = () =>
      cognito.send(new RevokeTokenCommand({ ClientId: LOCAL_CLIENT_ID, Token: tokens.RefreshToken }));
    await revoke();
    expect(await refusal(refresh(tokens.RefreshToken))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
    await expect(revoke()).resolves.toBeDefined();
    // Another sign-in's refresh token is untouched.
    expect((await refresh(refreshToken)).AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('a token the pool never issued is refused, and another app client may not use or revoke one', async () => {
    expect(await refusal(refresh('not-a-refresh-token'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
    expect(
      (
        await refusal(
          cognito.send(new RevokeTokenCommand({ ClientId: 'some-other-client', Token: refreshToken })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect((await refresh(refreshToken)).AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('a contact removed from the catalogue (disabled) can no longer refresh: “Refresh Token has been revoked”', async () => {
    const { [FAY]: _, ...others } = NEWCOMERS;
    // The demo catalogue with the other newcomers: Fay is removed, so disabled.
    const res = await t.api('POST', '/v1/admin/catalogue', {
      as: LOCAL_ADMINISTRATOR,
      body: { ...demoCatalogue, contacts: { ...demoCatalogue.contacts, ...others } },
    });
    expect(res.status).toBe(200);
    expect(await refusal(refresh(refreshToken))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
  });
});

describe('a forgotten password: a 6-digit code mailed from Cognito’s sender, then a new password', () => {
  const GIL = 'gil@acme.example';
  const PASSWORD = 'First-Password-22';
  const NEW_PASSWORD = 'Second-Password-33';
  let secret = '';

  const forgot = (Username: string) =>
    cognito.send(new ForgotPasswordCommand({ ClientId: LOCAL_CLIENT_ID, Username }));
  const confirm = (Username: string, ConfirmationCode: string, Password: string) =>
    cognito.send(
      new ConfirmForgotPasswordCommand({ ClientId: LOCAL_CLIENT_ID, Username, ConfirmationCode, Password }),
    );
  const mailedCode = async (email: string) => {
    const mail = (await mailsTo(email)).findLast((m) => m.subject === 'Your casework verification code');
    const code = /verification code is (\d{6})/.exec(mail?.body.text ?? '')?.[1];
    if (!code) throw new Error(`no verification code mailed to ${email}`);
    return code;
  };
  const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  beforeAll(async () => {
    ({ secret } = await firstSignIn(GIL, PASSWORD));
  });

  it('ForgotPassword mails a code in the words of the stack’s verification message, and says where without the address', async () => {
    const answer = await forgot(GIL);
    expect(answer.CodeDeliveryDetails).toEqual({
      Destination: 'g***@a***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const mail = (await mailsTo(GIL)).at(-1);
    expect(mail?.subject).toBe('Your casework verification code');
    expect(mail?.body.text).toMatch(/Your casework verification code is \d{6}/);
  });

  it('a wrong code is refused (CodeMismatchException), a weak password too (InvalidPasswordException), and neither changes the password', async () => {
    const code = await mailedCode(GIL);
    expect(await refusal(confirm(GIL, otherThan(code), NEW_PASSWORD))).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    const weak = await refusal(confirm(GIL, code, 'weakpassword'));
    expect(weak.name).toBe('InvalidPasswordException');
    expect(weak.message).toContain('Password must have numeric characters');
    expect((await signInWithPassword(GIL, PASSWORD)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('the mailed code and a good password set the new password; the old one is refused, and the next sign-in still asks for the authenticator’s code', async () => {
    await confirm(GIL, await mailedCode(GIL), NEW_PASSWORD);
    expect((await refusal(signInWithPassword(GIL, PASSWORD))).message).toBe(
      'Incorrect username or password.',
    );
    const tokens = await signIn(GIL, NEW_PASSWORD, secret);
    expect((await casesWith(tokens.IdToken)).status).toBe(200);
    // A code serves once.
    expect((await refusal(confirm(GIL, await mailedCode(GIL), 'Third-Password-44'))).name).toBe(
      'CodeMismatchException',
    );
  });

  // The tests above made Gil's 5 tries of this hour; each test below starts hours later, on the
  // pool's clock, so that its tries are the hour's only ones.
  it('a code is refused after its hour (ExpiredCodeException): the person asks for another', async () => {
    ahead = 2 * HOUR;
    await forgot(GIL);
    const code = await mailedCode(GIL);
    ahead = 3 * HOUR + 1000;
    expect(await refusal(confirm(GIL, code, 'Third-Password-44'))).toEqual({
      name: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    await forgot(GIL);
    await confirm(GIL, await mailedCode(GIL), 'Third-Password-44');
    expect((await signInWithPassword(GIL, 'Third-Password-44')).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('5 tries an hour to ask for or enter a code, the fewest Cognito allows (LimitExceededException): a 6-digit code is not guessed, a mailbox not filled with codes', async () => {
    ahead = 5 * HOUR;
    await forgot(GIL);
    const code = await mailedCode(GIL);
    for (let i = 1; i < 5; i++)
      expect((await refusal(confirm(GIL, otherThan(code), NEW_PASSWORD))).name).toBe('CodeMismatchException');
    const limit = {
      name: 'LimitExceededException',
      message: 'Attempt limit exceeded, please try after some time.',
    };
    expect(await refusal(confirm(GIL, otherThan(code), NEW_PASSWORD))).toEqual(limit);
    expect(await refusal(confirm(GIL, code, NEW_PASSWORD))).toEqual(limit);
    const mailed = (await mailsTo(GIL)).length;
    expect(await refusal(forgot(GIL))).toEqual(limit);
    expect((await mailsTo(GIL)).length).toBe(mailed);
    // An hour after the first try, she may ask again.
    ahead = 6 * HOUR + 60_000;
    await forgot(GIL);
    await confirm(GIL, await mailedCode(GIL), NEW_PASSWORD);
    expect((await signInWithPassword(GIL, NEW_PASSWORD)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('an unknown address gets the same answer and no mail; a code for it is refused as a wrong one', async () => {
    const before = (await t.cognitoMails()).length;
    const answer = await forgot('gus@acme.example');
    expect(answer.CodeDeliveryDetails).toEqual({
      Destination: 'g***@a***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    expect((await t.cognitoMails()).length).toBe(before);
    expect((await refusal(confirm('gus@acme.example', '123456', NEW_PASSWORD))).name).toBe(
      'CodeMismatchException',
    );
  });

  it('someone still to use their invitation cannot reset a password they never chose', async () => {
    expect(await refusal(forgot('ivy@acme.example'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'User password cannot be reset in the current state.',
    });
  });
});

describe('an invitation that expired: the temporary password lasts 7 days, an administrator sends a new one', () => {
  const HAL = 'hal@acme.example';
  const JON = 'jon@acme.example';

  it('the temporary password is refused after the template’s 7 days, with Cognito’s message', async () => {
    const temporary = await temporaryPassword(HAL);
    ahead = 7 * DAY - HOUR;
    expect((await signInWithPassword(HAL, temporary)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    ahead = 7 * DAY + HOUR;
    expect(await refusal(signInWithPassword(HAL, temporary))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Temporary password has expired and must be reset by an administrator.',
    });
    // A wrong password still says nothing more.
    expect((await refusal(signInWithPassword(HAL, 'Not-the-password-1'))).message).toBe(
      'Incorrect username or password.',
    );
  });

  it('casework admin reinvite mails a new temporary password (the old one void), good for 7 more days; the first sign-in goes on as usual', async () => {
    ahead = 7 * DAY + HOUR;
    const expired = await temporaryPassword(HAL);
    const r = await casework('admin', 'reinvite', 'Hal@acme.example');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('hal@acme.example: a new invitation was mailed');
    const fresh = await temporaryPassword(HAL);
    expect(fresh).not.toBe(expired);
    expect((await refusal(signInWithPassword(HAL, expired))).message).toBe('Incorrect username or password.');
    ahead = 13 * DAY;
    const started = await signInWithPassword(HAL, fresh);
    expect(started.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const setUp = await respond(HAL, started.Session, 'NEW_PASSWORD_REQUIRED', {
      NEW_PASSWORD: 'Back-In-Again-55',
    });
    expect(setUp.ChallengeName).toBe('MFA_SETUP');
  });

  it('the admin API refuses someone who already chose a password (409), an unknown address (404) and a malformed one (400), sending nothing', async () => {
    const before = (await t.cognitoMails()).length;
    const reinvite = (email: unknown, as = LOCAL_ADMINISTRATOR) =>
      t.api('POST', '/v1/admin/invitations', { as, body: { email } });
    const chosen = await reinvite(HAL);
    expect(chosen.status).toBe(409);
    expect(chosen.body.error.message).toBe(
      'hal@acme.example has already chosen a password: they can reset it with “Forgot your password?”',
    );
    const unknown = await reinvite('nobody@acme.example');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('nobody@acme.example has no account');
    const malformed = await reinvite('not an address');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe('email');
    expect((await reinvite(JON, 'eve@support.example')).status).toBe(403);
    expect((await t.cognitoMails()).length).toBe(before);

    const cli = await casework('admin', 'reinvite', HAL);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('has already chosen a password');
    expect((await casework('admin', 'reinvite')).stderr).toContain('usage: casework admin reinvite <email>');
  });

  it('through the admin API, an invited contact gets a new invitation at once', async () => {
    const old = await temporaryPassword(JON);
    const res = await t.api('POST', '/v1/admin/invitations', {
      as: LOCAL_ADMINISTRATOR,
      body: { email: JON },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: JON, invited: true });
    expect(await temporaryPassword(JON)).not.toBe(old);
  });
});
