import { createHash, randomBytes, randomInt, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { GROUPS } from '#shared/identity.ts';
import { close, listen, type Service, urlOf } from './http.ts';
import type { Iam } from './services/iam.ts';
import { refuse } from './services/signed-front.ts';
import { verifySignature } from './services/sigv4.ts';
import type { LocalUserPoolSettings } from './stack.ts';

/**
 * The part of a Cognito user pool casework uses, behind the Cognito Identity Provider JSON API,
 * kept in one file of the data folder:
 * - what the admin function provisions through the real SDK client (`AdminCreateUser`, which
 *   mails the invitation with a temporary password as the stack's template words it, groups,
 *   enable/disable);
 * - the sign-in people do from the console and the portal (`InitiateAuth` with USER_PASSWORD_AUTH,
 *   the new-password, TOTP set-up and TOTP challenges, as the stack's pool requires MFA), answered
 *   with tokens the local issuer signs with the claims Cognito puts in them, and a refresh token
 *   (`REFRESH_TOKEN_AUTH`, `RevokeToken`) lasting as long as the stack's app client says;
 * - the ways back in: a forgotten password reset with a code mailed to the address
 *   (`ForgotPassword`, `ConfirmForgotPassword`), an expired invitation sent again by an
 *   administrator (`AdminCreateUser` with `MessageAction: RESEND`).
 * As the stack invites the administrator named at deployment, the pool starts with one
 * administrator.
 */
export const LOCAL_ADMINISTRATOR = 'admin@support.example';
export const LOCAL_USER_POOL_ID = 'us-east-1_local';
/** Cognito mails its invitations from its own address unless the pool is told to send through SES. */
export const COGNITO_SENDER = 'no-reply@verificationemail.com';
/** The app client the sites sign in with (on AWS the stack's `UserPoolClientId` output). */
export const LOCAL_CLIENT_ID = 'casework-local-client';

/**
 * The calls Cognito takes without IAM: a person's own, authorized by their password, a session, a
 * code or a token. Every other one (`Admin…`, listings) must be signed and allowed by the caller's
 * policy.
 */
const PUBLIC_ACTIONS = new Set([
  'InitiateAuth',
  'RespondToAuthChallenge',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'RevokeToken',
  'GetUser',
  'ChangePassword',
  'GlobalSignOut',
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
]);

/** How long a sign-in's session lasts between its steps (Cognito's default, 3 minutes). */
const SESSION_MS = 3 * 60_000;
/** Cognito's tokens last an hour by default. */
const TOKEN_SECONDS = 3600;
/** A forgotten password's code lasts an hour (Cognito's). */
const RESET_CODE_MS = 3_600_000;
/**
 * Tries an hour, per username, to ask for or enter a reset code: Cognito allows between 5 and 20
 * by the requests' risk, so locally the fewest (a 6-digit code is not guessed in 4 tries an hour,
 * and nobody's mailbox is filled with codes).
 */
const RESET_TRIES_PER_HOUR = 5;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface PoolUser {
  sub: string;
  email: string;
  name?: string;
  enabled: boolean;
  groups: string[];
  /** Invited users change their temporary password at their first sign-in. */
  status?: 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';
  /** `salt:scrypt` of the password (or the temporary one). */
  password?: string;
  /** The verified authenticator's secret (base32). */
  totp?: string;
  /** When the temporary password was issued (ms): it lasts the policy's days. */
  invited?: number;
  /** A forgotten password's code (`salt:scrypt`) and until when it holds. */
  reset?: { code: string; expires: number };
  /** The refresh tokens issued (by their SHA-256): until when each lasts, and whether revoked. */
  refreshTokens?: Record<string, { expires: number; revoked?: boolean }>;
}

interface SignInSession {
  email: string;
  challenge: 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA';
  expires: number;
  /** The authenticator secret being set up, then whether its first code was right. */
  secret?: string;
  verified?: boolean;
}

/** What the pool needs from the rest of the local system. */
export interface PoolServices {
  /** Delivers a mail (locally into the SES emulator's store, seen in the mail viewer); its body is HTML, as Cognito's. */
  mail: (to: string, subject: string, html: string) => void;
  /** An ID or access token for a user, signed by the local issuer. */
  token?: (email: string, use: 'id' | 'access', ttlSeconds: number) => Promise<string>;
  /**
   * The pool's time in milliseconds: the wall clock (sign-in, codes and password expiry are not
   * business time), unless a test gives its own to see a week pass.
   */
  now?: () => number;
}

class CognitoError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A session or refresh token: random, in hex. Never base64url, whose `-` may begin it: the AWS CLI
 * reads `--session -…` as an option (Cognito's own tokens begin with a letter).
 */
const opaque = (bytes: number) => randomBytes(bytes).toString('hex');

const hash = (password: string, salt = randomBytes(16).toString('hex')) =>
  `${salt}:${scryptSync(password, salt, 32).toString('hex')}`;

function matches(password: unknown, stored: string | undefined): boolean {
  if (typeof password !== 'string' || !stored) return false;
  const [salt = ''] = stored.split(':');
  const a = Buffer.from(hash(password, salt));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

const totpOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });

/** A refresh token is kept by its digest only: the pool's file holds nothing that signs anyone in. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Where a code went, as Cognito shows it (`d***@a***`), the same for an address it does not know. */
const masked = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};

export class LocalUserPool {
  private readonly file: string;
  private users: Record<string, PoolUser>;
  private readonly sessions = new Map<string, SignInSession>();
  /** The tries to ask for or enter a reset code in the last hour, by username. */
  private readonly resetTries = new Map<string, number[]>();
  private readonly settings: LocalUserPoolSettings;
  readonly services: PoolServices;

  constructor(file: string, settings: LocalUserPoolSettings, services: PoolServices) {
    this.file = file;
    this.settings = settings;
    this.services = services;
    this.users = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    if (!this.users[LOCAL_ADMINISTRATOR]) {
      this.users[LOCAL_ADMINISTRATOR] = {
        sub: randomUUID(),
        email: LOCAL_ADMINISTRATOR,
        name: 'Administrator',
        enabled: true,
        groups: [GROUPS.administrator],
      };
      this.invite(this.users[LOCAL_ADMINISTRATOR]);
      this.save();
    }
  }

  private save() {
    writeFileSync(this.file, JSON.stringify(this.users, null, 2));
  }

  private now(): number {
    return (this.services.now ?? Date.now)();
  }

  /** The user signing in with this e-mail, if enabled: what the local issuer puts in a token. */
  signIn(email: string): PoolUser | undefined {
    const user = this.find(email);
    return user?.enabled ? user : undefined;
  }

  /**
   * The name a person signs in with as the pool looks it up: users are kept by their address in
   * lower case (as provisioned), so in a case-sensitive pool other capitals find no one, as on AWS.
   */
  private nameOf(username: unknown): string {
    const name = typeof username === 'string' ? username : '';
    return this.settings.caseSensitive ? name : name.toLowerCase();
  }

  /** The user a name finds, if any (only the pool's own entries: `constructor` is no one). */
  private find(username: unknown): PoolUser | undefined {
    const name = this.nameOf(username);
    return Object.hasOwn(this.users, name) ? this.users[name] : undefined;
  }

  private user(username: unknown): PoolUser {
    const user = this.find(username);
    if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private view(user: PoolUser) {
    return [
      { Name: 'sub', Value: user.sub },
      { Name: 'email', Value: user.email },
      { Name: 'email_verified', Value: 'true' },
      ...(user.name ? [{ Name: 'name', Value: user.name }] : []),
    ];
  }

  private group(name: unknown): string {
    if (name !== GROUPS.engineer && name !== GROUPS.administrator)
      throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    return name;
  }

  /** A temporary password that meets the pool's policy, mailed as the template's invitation words it. */
  private invite(user: PoolUser) {
    const pick = (chars: string, n: number) =>
      Array.from({ length: n }, () => chars[randomInt(chars.length)]).join('');
    const temporary = `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ', 4)}${pick('abcdefghijkmnopqrstuvwxyz', 6)}${pick('23456789', 3)}${pick('!#%+=?', 1)}`;
    user.status = 'FORCE_CHANGE_PASSWORD';
    user.password = hash(temporary);
    user.invited = this.now();
    user.totp = undefined;
    const { subject, message } = this.settings.invitation;
    this.services.mail(
      user.email,
      subject,
      message.replaceAll('{username}', user.email).replaceAll('{####}', temporary),
    );
  }

  /** The pool's password policy, in Cognito's words when a password breaks it. */
  private checkPassword(password: unknown): string {
    const p = this.settings.passwordPolicy;
    const text = typeof password === 'string' ? password : '';
    const broken = [
      text.length < p.minimumLength
        ? `Password not long enough (at least ${p.minimumLength} characters)`
        : '',
      p.requireLowercase && !/[a-z]/.test(text) ? 'Password must have lowercase characters' : '',
      p.requireUppercase && !/[A-Z]/.test(text) ? 'Password must have uppercase characters' : '',
      p.requireNumbers && !/[0-9]/.test(text) ? 'Password must have numeric characters' : '',
      p.requireSymbols && !/[^A-Za-z0-9]/.test(text) ? 'Password must have symbol characters' : '',
    ].filter(Boolean);
    if (broken.length)
      throw new CognitoError(
        'InvalidPasswordException',
        `Password does not conform to policy: ${broken.join('; ')}`,
      );
    return text;
  }

  private client(clientId: unknown) {
    if (clientId !== LOCAL_CLIENT_ID)
      throw new CognitoError(
        'ResourceNotFoundException',
        `User pool client ${String(clientId)} does not exist.`,
      );
  }

  private challenge(email: string, challenge: SignInSession['challenge']) {
    const id = opaque(32);
    this.sessions.set(id, { email, challenge, expires: this.now() + SESSION_MS });
    return {
      ChallengeName: challenge,
      Session: id,
      ChallengeParameters:
        challenge === 'NEW_PASSWORD_REQUIRED'
          ? { USER_ID_FOR_SRP: email, requiredAttributes: '[]', userAttributes: JSON.stringify({ email }) }
          : challenge === 'MFA_SETUP'
            ? { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }
            : { USER_ID_FOR_SRP: email },
    };
  }

  /** A session still in time (sign-in sessions use real time, as an authenticator app does). */
  private session(id: unknown, challenge?: SignInSession['challenge']): SignInSession {
    const found = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!found || found.expires < this.now() || (challenge && found.challenge !== challenge))
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    return found;
  }

  /** After the password (and its change): set up an authenticator, or give its code (MFA is required). */
  private afterPassword(user: PoolUser) {
    if (this.settings.mfa === 'ON')
      return this.challenge(user.email, user.totp ? 'SOFTWARE_TOKEN_MFA' : 'MFA_SETUP');
    return this.authenticated(user);
  }

  /**
   * The tokens of a sign-in: an ID and an access token, and, at the end of a sign-in (not when
   * refreshing, as Cognito), a refresh token.
   */
  private async authenticated(user: PoolUser, { refresh = true } = {}) {
    const token = this.services.token;
    if (!token) throw new CognitoError('InternalErrorException', 'The local issuer is not ready.');
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        IdToken: await token(user.email, 'id', TOKEN_SECONDS),
        AccessToken: await token(user.email, 'access', TOKEN_SECONDS),
        ...(refresh ? { RefreshToken: this.issueRefreshToken(user) } : {}),
        ExpiresIn: TOKEN_SECONDS,
        TokenType: 'Bearer',
      },
    };
  }

  private issueRefreshToken(user: PoolUser): string {
    const token = opaque(48);
    const now = this.now();
    // Expired ones are forgotten as new ones are issued, so the file does not grow without end.
    const kept = Object.entries(user.refreshTokens ?? {}).filter(([, t]) => t.expires > now);
    user.refreshTokens = {
      ...Object.fromEntries(kept),
      [digest(token)]: { expires: now + this.settings.refreshTokenSeconds * 1000 },
    };
    this.save();
    return token;
  }

  /** The user a refresh token signs in, if it holds: issued here, not expired, not revoked. */
  private refreshed(token: unknown): PoolUser {
    const key = typeof token === 'string' ? digest(token) : '';
    const user = Object.values(this.users).find((u) => u.refreshTokens?.[key]);
    const issued = user?.refreshTokens?.[key];
    if (!user || !issued) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
    if (issued.revoked || !user.enabled)
      throw new CognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
    if (issued.expires <= this.now())
      throw new CognitoError('NotAuthorizedException', 'Refresh Token has expired');
    return user;
  }

  private revokeAll(user: PoolUser) {
    for (const issued of Object.values(user.refreshTokens ?? {})) issued.revoked = true;
  }

  private codeIsRight(secret: string | undefined, code: unknown): boolean {
    return (
      !!secret &&
      typeof code === 'string' &&
      totpOf(secret).validate({ token: code, window: 1, timestamp: this.now() }) !== null
    );
  }

  /**
   * Counts a try to ask for or enter a reset code, refused beyond the hour's (by the name given,
   * known or not, so that the answer tells nothing of who has an account).
   */
  private resetTry(username: unknown) {
    const name = this.nameOf(username);
    const now = this.now();
    const recent = (at: number) => at > now - HOUR_MS;
    const tries = (this.resetTries.get(name) ?? []).filter(recent);
    if (tries.length >= RESET_TRIES_PER_HOUR)
      throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    // Kept in the order last tried, so names tried over an hour ago (made-up ones too) are at the
    // front, and forgotten.
    for (const [known, at] of this.resetTries) {
      if (at.some(recent)) break;
      this.resetTries.delete(known);
    }
    this.resetTries.delete(name);
    this.resetTries.set(name, [...tries, now]);
  }

  /** Mails a forgotten password's code, in the words of the stack's verification message. */
  private sendResetCode(user: PoolUser) {
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    user.reset = { code: hash(code), expires: this.now() + RESET_CODE_MS };
    this.save();
    const { subject, message } = this.settings.verification;
    this.services.mail(
      user.email,
      subject,
      message.replaceAll('{username}', user.email).replaceAll('{####}', code),
    );
  }

  /** A forgotten password's new one, if the mailed code is right and in time. */
  private confirmReset(body: Record<string, unknown>) {
    const user = this.find(body.Username);
    const reset = user?.enabled ? user.reset : undefined;
    // An address the pool does not know is told the same as a wrong code.
    if (!user || !reset || !matches(body.ConfirmationCode, reset.code))
      throw new CognitoError(
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
      );
    if (reset.expires <= this.now())
      throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    const password = this.checkPassword(body.Password);
    user.password = hash(password);
    user.status = 'CONFIRMED';
    user.reset = undefined;
    this.save();
    return {};
  }

  /** One API call (`X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`). */
  async handle(action: string, body: Record<string, unknown>): Promise<unknown> {
    switch (action) {
      case 'AdminCreateUser': {
        if (body.MessageAction === 'RESEND') {
          // A new temporary password, for someone who has not chosen a password yet.
          const user = this.user(body.Username);
          if (user.status === 'CONFIRMED')
            throw new CognitoError(
              'UnsupportedUserStateException',
              'Resend not possible. User status is CONFIRMED, not FORCE_CHANGE_PASSWORD.',
            );
          this.invite(user);
          this.save();
          return {
            User: {
              Username: user.sub,
              Attributes: this.view(user),
              Enabled: user.enabled,
              UserStatus: 'FORCE_CHANGE_PASSWORD',
            },
          };
        }
        const attributes = Object.fromEntries(
          ((body.UserAttributes ?? []) as { Name: string; Value: string }[]).map((a) => [a.Name, a.Value]),
        );
        const email = String(attributes.email ?? body.Username).toLowerCase();
        if (Object.hasOwn(this.users, email))
          throw new CognitoError('UsernameExistsException', 'User account already exists.');
        const user: PoolUser = { sub: randomUUID(), email, name: attributes.name, enabled: true, groups: [] };
        this.users[email] = user;
        if (body.MessageAction !== 'SUPPRESS') this.invite(user);
        else user.status = 'FORCE_CHANGE_PASSWORD';
        this.save();
        return {
          User: {
            Username: user.sub,
            Attributes: this.view(user),
            Enabled: true,
            UserStatus: 'FORCE_CHANGE_PASSWORD',
          },
        };
      }
      case 'AdminGetUser': {
        const user = this.user(body.Username);
        return {
          Username: user.sub,
          UserAttributes: this.view(user),
          Enabled: user.enabled,
          UserStatus: user.status ?? 'FORCE_CHANGE_PASSWORD',
        };
      }
      case 'AdminListGroupsForUser':
        return { Groups: this.user(body.Username).groups.map((GroupName) => ({ GroupName })) };
      case 'AdminAddUserToGroup': {
        const user = this.user(body.Username);
        const group = this.group(body.GroupName);
        if (!user.groups.includes(group)) user.groups.push(group);
        this.save();
        return {};
      }
      case 'AdminRemoveUserFromGroup': {
        const user = this.user(body.Username);
        const group = this.group(body.GroupName);
        user.groups = user.groups.filter((g) => g !== group);
        this.save();
        return {};
      }
      case 'AdminEnableUser':
      case 'AdminDisableUser': {
        const user = this.user(body.Username);
        user.enabled = action === 'AdminEnableUser';
        // Disabling a user revokes their tokens, as Cognito does.
        if (!user.enabled) this.revokeAll(user);
        this.save();
        return {};
      }
      case 'InitiateAuth': {
        this.client(body.ClientId);
        const params = (body.AuthParameters ?? {}) as Record<string, unknown>;
        if (body.AuthFlow === 'REFRESH_TOKEN_AUTH' || body.AuthFlow === 'REFRESH_TOKEN')
          return this.authenticated(this.refreshed(params.REFRESH_TOKEN), { refresh: false });
        if (body.AuthFlow !== 'USER_PASSWORD_AUTH')
          throw new CognitoError(
            'InvalidParameterException',
            `${String(body.AuthFlow)} is not a supported flow here: use USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH.`,
          );
        const user = this.find(params.USERNAME);
        // Cognito does not say whether the address exists (user-existence errors are prevented).
        if (!user || !matches(params.PASSWORD, user.password))
          throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
        if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
        if (user.status !== 'CONFIRMED') {
          const days = this.settings.passwordPolicy.temporaryPasswordDays;
          if (this.now() > (user.invited ?? this.now()) + days * DAY_MS)
            throw new CognitoError(
              'NotAuthorizedException',
              'Temporary password has expired and must be reset by an administrator.',
            );
          return this.challenge(user.email, 'NEW_PASSWORD_REQUIRED');
        }
        return this.afterPassword(user);
      }
      case 'RevokeToken': {
        this.client(body.ClientId);
        const key = typeof body.Token === 'string' ? digest(body.Token) : '';
        const issued = Object.values(this.users).find((u) => u.refreshTokens?.[key])?.refreshTokens?.[key];
        // Revoking an unknown or revoked token again succeeds, as Cognito's does.
        if (issued) {
          issued.revoked = true;
          this.save();
        }
        return {};
      }
      case 'ForgotPassword': {
        this.client(body.ClientId);
        this.resetTry(body.Username);
        const user = this.find(body.Username);
        if (user?.enabled && user.status !== 'CONFIRMED')
          throw new CognitoError(
            'NotAuthorizedException',
            'User password cannot be reset in the current state.',
          );
        // An unknown (or disabled) address gets the same answer and no mail: nothing tells it apart.
        if (user?.enabled) this.sendResetCode(user);
        const address = user?.email ?? String(body.Username ?? '');
        return {
          CodeDeliveryDetails: {
            Destination: masked(address),
            DeliveryMedium: 'EMAIL',
            AttributeName: 'email',
          },
        };
      }
      case 'ConfirmForgotPassword':
        this.client(body.ClientId);
        this.resetTry(body.Username);
        return this.confirmReset(body);
      case 'RespondToAuthChallenge': {
        this.client(body.ClientId);
        const name = body.ChallengeName as SignInSession['challenge'];
        const session = this.session(body.Session, name);
        const answers = (body.ChallengeResponses ?? {}) as Record<string, unknown>;
        const user = this.user(session.email);
        if (this.nameOf(answers.USERNAME) !== user.email)
          throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
        if (name === 'NEW_PASSWORD_REQUIRED') {
          const password = this.checkPassword(answers.NEW_PASSWORD);
          this.sessions.delete(body.Session as string);
          user.password = hash(password);
          user.status = 'CONFIRMED';
          this.save();
          return this.afterPassword(user);
        }
        if (name === 'MFA_SETUP') {
          if (!session.verified || !session.secret)
            throw new CognitoError(
              'InvalidParameterException',
              'Software token MFA has not been set up: call VerifySoftwareToken first.',
            );
          this.sessions.delete(body.Session as string);
          user.totp = session.secret;
          this.save();
          return this.authenticated(user);
        }
        // A wrong code may be tried again within the same session.
        if (!this.codeIsRight(user.totp, answers.SOFTWARE_TOKEN_MFA_CODE))
          throw new CognitoError('CodeMismatchException', 'Invalid code received for user');
        this.sessions.delete(body.Session as string);
        return this.authenticated(user);
      }
      case 'AssociateSoftwareToken': {
        const session = this.session(body.Session, 'MFA_SETUP');
        session.secret = new Secret({ size: 20 }).base32;
        session.verified = false;
        return { SecretCode: session.secret, Session: body.Session };
      }
      case 'VerifySoftwareToken': {
        const session = this.session(body.Session, 'MFA_SETUP');
        if (!session.secret)
          throw new CognitoError(
            'InvalidParameterException',
            'Call AssociateSoftwareToken before VerifySoftwareToken.',
          );
        if (!this.codeIsRight(session.secret, body.UserCode))
          throw new CognitoError('CodeMismatchException', 'Code mismatch and fail enable Software Token MFA');
        session.verified = true;
        return { Status: 'SUCCESS', Session: body.Session };
      }
      default:
        throw new CognitoError('InvalidAction', `${action} is not emulated`);
    }
  }

  /**
   * Serves the JSON 1.1 protocol the SDK speaks, and the browser's: the sign-in actions are open
   * to any origin, as Cognito's endpoint is.
   */
  async serve(req: IncomingMessage, res: ServerResponse, iam?: Iam) {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent, authorization',
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '600',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    // The administrative calls are signed and authorized by IAM, as on AWS; a person's own
    // (signing in, resetting a password) are not, so that a page may make them.
    if (!PUBLIC_ACTIONS.has(action)) {
      const refusal =
        (await verifySignature(req, raw, 'cognito-idp')) ?? (await iam?.refusal('cognito-idp', req, raw));
      if (refusal) return refuse(res, refusal, 'json');
    }
    const type = { ...cors, 'content-type': 'application/x-amz-json-1.1' };
    try {
      const result = await this.handle(action, JSON.parse(raw.toString() || '{}'));
      res.writeHead(200, type).end(JSON.stringify(result));
    } catch (error) {
      const err = error as Error;
      const status = err instanceof CognitoError ? 400 : 500;
      res.writeHead(status, type).end(JSON.stringify({ __type: err.name, message: err.message }));
    }
  }
}

/** The local user pool behind its API port (the SDK's `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`). */
export async function startCognito(
  port: number,
  dataDir: string,
  settings: LocalUserPoolSettings,
  services: PoolServices,
  iam?: Iam,
): Promise<Service & { pool: LocalUserPool }> {
  const pool = new LocalUserPool(path.join(dataDir, 'cognito.json'), settings, services);
  const server = http.createServer((req, res) => void pool.serve(req, res, iam));
  const bound = await listen(server, port);
  return { url: urlOf(bound), pool, stop: () => close(server) };
}
