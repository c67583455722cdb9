import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { LOCAL_CLIENT_ID } from '#local/cognito.ts';
import type { TestRuntime } from './runtime.ts';

/** The real SDK client of the local user pool. */
export const poolClient = (t: TestRuntime, options: { maxAttempts?: number } = {}) =>
  new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: t.runtime.urls.cognito,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...options,
  });

/** The code an authenticator app shows for `secret` (base32) at `timestamp` (now unless given). */
export const totpCode = (secret: string, timestamp = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp,
  });

/** The temporary password of a person's latest invitation mail. */
export async function temporaryPassword(t: TestRuntime, email: string): Promise<string> {
  const invitation = (await t.cognitoMails()).findLast(
    (m) => m.destination.to.includes(email) && m.subject === 'Your casework account',
  );
  const password = /temporary password is (\S+?)(?:<|\s|$)/.exec(invitation?.body.text ?? '')?.[1];
  if (!password) throw new Error(`no invitation mail for ${email}`);
  return password;
}

/** The first step of a sign-in: the e-mail and a password. */
export const signInWithPassword = (cognito: CognitoIdentityProviderClient, email: string, password: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: LOCAL_CLIENT_ID,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

/** An error's name and message, or `none` when the call succeeded. */
export const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ name: 'none', message: '' }),
    (error: Error) => ({ name: error.name, message: error.message }),
  );
