import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID } from '#local/cognito.ts';
import { awsCli } from './aws-cli.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';
import {
  temporaryPassword as invitedPassword,
  signInWithPassword as passwordStep,
  poolClient,
  refusal,
  totpCode,
} from './user-pool.ts';

/**
 * People sign in with the user pool, as on a deployed stack (infra/identity.ts): invited with a
 * temporary password by mail, a new password meeting the pool's policy at the first sign-in, then
 * an authenticator (TOTP) since the pool requires MFA; the ID token is what the API takes. Driven
 * through the real SDK client against the local pool. TOTP codes are computed from the wall clock,
 * as an authenticator app does (sign-in is not business time).
 */

const DANA = 'dana@acme.example';
const NEW_PASSWORD = 'Quiet-Harbour-2026';

let t: TestRuntime;
let cognito: CognitoIdentityProviderClient;
let secret: string;
const codeNow = (base32: string) => totpCode(base32);
const wrongCode = (base32: string) =>
  String((Number(codeNow(base32)) + 500_000) % 1_000_000).padStart(6, '0');

const temporaryPassword = (email: string) => invitedPassword(t, email);

const signInWithPassword = (email: string, password: string) => passwordStep(cognito, email, password);

const casesWith = (idToken: string) =>
  fetch(`${t.runtime.urls.api}/cases`, { headers: { authorization: `Bearer ${idToken}` } });

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  cognito = poolClient(t);
  await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase });
});
afterAll(async () => {
  cognito?.destroy();
  await t?.stop();
});

describe('signing in with the user pool (Cognito: invitation, new password, TOTP MFA)', () => {
  it('every provisioned contact is mailed an invitation with a temporary password, in the words of the stack’s template', async () => {
    const invitation = (await t.cognitoMails()).find((m) => m.destination.to.includes(DANA));
    expect(invitation?.subject).toBe('Your casework account');
    expect(invitation?.body.text).toContain(`Sign in with your e-mail address ${DANA}.`);
    expect(invitation?.body.text).toMatch(/Your temporary password is \S{12,}/);
  });

  it('a wrong password is refused without saying whether the address exists', async () => {
    expect(await refusal(signInWithPassword(DANA, 'not-the-password'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect((await refusal(signInWithPassword('nobody@acme.example', 'x'))).message).toBe(
      'Incorrect username or password.',
    );
  });

  it('the first sign-in: the temporary password, a new one meeting the policy (12 characters, digit, cases, symbol), then an authenticator; the ID token opens the API', async () => {
    const first = await signInWithPassword(DANA, await temporaryPassword(DANA));
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');

    const respond = (Session: string | undefined, ChallengeName: string, answers: Record<string, string>) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: LOCAL_CLIENT_ID,
          ChallengeName: ChallengeName as 'NEW_PASSWORD_REQUIRED',
          Session,
          ChallengeResponses: { USERNAME: DANA, ...answers },
        }),
      );
    const weak = await refusal(respond(first.Session, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: 'short1A!' }));
    expect(weak.name).toBe('InvalidPasswordException');
    expect(weak.message).toContain('at least 12 characters');
    const noSymbol = await refusal(
      respond(first.Session, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: 'QuietHarbour2026' }),
    );
    expect(noSymbol.message).toContain('Password must have symbol characters');

    const setUp = await respond(first.Session, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD });
    expect(setUp.ChallengeName).toBe('MFA_SETUP');
    const associated = await cognito.send(new AssociateSoftwareTokenCommand({ Session: setUp.Session }));
    secret = associated.SecretCode as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(
      (
        await refusal(
          cognito.send(
            new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: wrongCode(secret) }),
          ),
        )
      ).name,
    ).toBe('CodeMismatchException');
    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: codeNow(secret) }),
    );
    expect(verified.Status).toBe('SUCCESS');
    const done = await respond(verified.Session, 'MFA_SETUP', {});
    const idToken = done.AuthenticationResult?.IdToken as string;
    expect(done.AuthenticationResult?.TokenType).toBe('Bearer');

    const res = await casesWith(idToken);
    expect(res.status).toBe(200);
    const { items: cases } = (await res.json()) as { items: { account: string }[] };
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.every((c) => c.account === 'acme')).toBe(true);
    // The access token is not what the API takes: its audience is no client.
    expect((await casesWith(done.AuthenticationResult?.AccessToken as string)).status).toBe(401);
  });

  it('later sign-ins: the new password, then the authenticator’s code (a wrong code refused, tried again in the same session)', async () => {
    expect((await refusal(signInWithPassword(DANA, await temporaryPassword(DANA)))).name).toBe(
      'NotAuthorizedException',
    );
    const started = await signInWithPassword(DANA, NEW_PASSWORD);
    expect(started.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answer = (code: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: LOCAL_CLIENT_ID,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: started.Session,
          ChallengeResponses: { USERNAME: DANA, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    expect(await refusal(answer(wrongCode(secret)))).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid code received for user',
    });
    const done = await answer(codeNow(secret));
    expect((await casesWith(done.AuthenticationResult?.IdToken as string)).status).toBe(200);
  });

  it('another app client is refused, and a contact removed from the catalogue cannot sign in', async () => {
    const other = await refusal(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: 'some-other-client',
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: DANA, PASSWORD: NEW_PASSWORD },
        }),
      ),
    );
    expect(other.name).toBe('ResourceNotFoundException');

    const { [DANA]: _, ...others } = (await import('#local/demo.ts')).demoCatalogue.contacts;
    const res = await t.api('POST', '/v1/admin/catalogue', {
      as: 'admin@support.example',
      body: { ...(await import('#local/demo.ts')).demoCatalogue, contacts: others },
    });
    expect(res.status).toBe(200);
    expect(await refusal(signInWithPassword(DANA, NEW_PASSWORD))).toEqual({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
  });
});

/**
 * The administrator's first sign-in as README's "Deploying to AWS" step 5 gives it, with the AWS
 * CLI (`.ci/run` installs Debian's `awscli`): the ID token it ends with administers the desk.
 */
describe('the administrator signs in with the AWS CLI as the README says', () => {
  const cognitoIdp = awsCli('cognito-idp', () => t.runtime.urls.cognito);

  it('initiate-auth, then the NEW_PASSWORD_REQUIRED, MFA_SETUP and TOTP answers; the IdToken reads the catalogue', async () => {
    const ADMIN = 'admin@support.example';
    const client = ['--client-id', LOCAL_CLIENT_ID];
    const first = await cognitoIdp(
      'initiate-auth',
      ...client,
      '--auth-flow',
      'USER_PASSWORD_AUTH',
      '--auth-parameters',
      `USERNAME=${ADMIN},PASSWORD=${await temporaryPassword(ADMIN)}`,
    );
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const setUp = await cognitoIdp(
      'respond-to-auth-challenge',
      ...client,
      '--challenge-name',
      'NEW_PASSWORD_REQUIRED',
      '--session',
      first.Session,
      '--challenge-responses',
      `USERNAME=${ADMIN},NEW_PASSWORD=Admin-Console-2026`,
    );
    expect(setUp.ChallengeName).toBe('MFA_SETUP');
    const { SecretCode, Session } = await cognitoIdp('associate-software-token', '--session', setUp.Session);
    const verified = await cognitoIdp(
      'verify-software-token',
      '--session',
      Session,
      '--user-code',
      codeNow(SecretCode),
    );
    expect(verified.Status).toBe('SUCCESS');
    const done = await cognitoIdp(
      'respond-to-auth-challenge',
      ...client,
      '--challenge-name',
      'MFA_SETUP',
      '--session',
      verified.Session,
      '--challenge-responses',
      `USERNAME=${ADMIN}`,
    );
    const res = await fetch(`${t.runtime.urls.api}/admin/catalogue`, {
      headers: { authorization: `Bearer ${done.AuthenticationResult.IdToken}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('the local pool takes its case rule from the template, as Cognito fixes it at creation', () => {
  let strict: TestRuntime | undefined;
  afterAll(async () => {
    await strict?.stop();
  });

  it('a pool without signInCaseSensitive: false (Cognito’s default) refuses the address in other capitals, as a wrong password, and takes it as provisioned', async () => {
    strict = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      template: (template) => {
        const copy = structuredClone(template);
        for (const resource of Object.values(copy.Resources))
          if (resource.Type === 'AWS::Cognito::UserPool') delete resource.Properties?.UsernameConfiguration;
        return copy;
      },
    });
    const pool = poolClient(strict);
    try {
      const password = await invitedPassword(strict, DANA);
      expect(await refusal(passwordStep(pool, 'Dana@Acme.example', password))).toEqual({
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
      expect((await passwordStep(pool, DANA, password)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    } finally {
      pool.destroy();
    }
  });
});

describe('the local pool mails as the template says it sends', () => {
  let throughSes: TestRuntime | undefined;
  afterAll(async () => {
    await throughSes?.stop();
  });

  it('a pool that sends through SES (casework:userMailThroughSes) mails invitations from the desk’s address, not Cognito’s', async () => {
    const from = 'casework <no-reply@support.example>';
    throughSes = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      template: (template) => {
        const copy = structuredClone(template);
        for (const resource of Object.values(copy.Resources))
          if (resource.Type === 'AWS::Cognito::UserPool' && resource.Properties)
            resource.Properties.EmailConfiguration = { EmailSendingAccount: 'DEVELOPER', From: from };
        return copy;
      },
    });
    const invitation = (await throughSes.mails()).find(
      (m) => m.destination.to.includes(DANA) && m.subject === 'Your casework account',
    );
    expect(invitation?.from).toBe(from);
    expect(await throughSes.cognitoMails()).toEqual([]);
  });
});
