import type { webcrypto } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/**
 * The local token issuer and the verification the HTTP API's JWT authorizer does in AWS: RS256
 * signature against the issuer's JWKS, issuer, audience and expiry. The key pair is kept in the data
 * folder so tokens survive a restart.
 */
export const AUDIENCE = 'casework';

/** Who signs in with an e-mail address: the directory's `sub` and groups, if it knows the address. */
export type SignIn = (email: string) => { sub: string; groups: string[] } | undefined;

export class LocalIssuer {
  readonly issuer: string;
  private readonly privateKey: webcrypto.CryptoKey;
  readonly jwks: { keys: JWK[] };
  private readonly kid: string;
  private readonly signIn: SignIn;

  private constructor(issuer: string, privateKey: webcrypto.CryptoKey, publicJwk: JWK, signIn: SignIn) {
    this.issuer = issuer;
    this.privateKey = privateKey;
    this.kid = publicJwk.kid as string;
    this.jwks = { keys: [publicJwk] };
    this.signIn = signIn;
  }

  static async open(file: string, issuer: string, signIn: SignIn = () => undefined): Promise<LocalIssuer> {
    if (!existsSync(file)) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const kid = `local-${Date.now().toString(36)}`;
      const stored = {
        private: { ...(await exportJWK(privateKey)), kid },
        public: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
      };
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    }
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { private: JWK; public: JWK };
    const privateKey = (await importJWK(stored.private, 'RS256')) as webcrypto.CryptoKey;
    return new LocalIssuer(issuer, privateKey, stored.public, signIn);
  }

  /** Whether the directory knows this address (someone who can sign in). */
  knows(email: string): boolean {
    return !!this.signIn(email.toLowerCase());
  }

  /**
   * A bearer token for a user, valid for `ttlSeconds` of real time (token expiry is not virtual),
   * with the claims of a Cognito ID token: `sub`, `email`, `email_verified`, `cognito:groups`; or,
   * as `access`, those of its access token (no e-mail, the client instead of the audience). An
   * address the directory does not know gets a `sub` no user is linked to.
   */
  sign(email: string, ttlSeconds = 12 * 3600, use: 'id' | 'access' = 'id'): Promise<string> {
    const address = email.toLowerCase();
    const user = this.signIn(address);
    const sub = user?.sub ?? `unknown-${Buffer.from(address).toString('hex').slice(0, 32)}`;
    const groups = user?.groups.length ? { 'cognito:groups': user.groups } : {};
    const claims =
      use === 'id'
        ? { email: address, email_verified: true, ...groups, 'cognito:username': sub, token_use: 'id' }
        : {
            ...groups,
            username: sub,
            client_id: AUDIENCE,
            scope: 'aws.cognito.signin.user.admin',
            token_use: 'access',
          };
    const token = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
    return (use === 'id' ? token.setAudience(AUDIENCE) : token).sign(this.privateKey);
  }
}

export class TokenRejected extends Error {}

/** Verifies `Authorization: Bearer <jwt>` like the HTTP API JWT authorizer; answers the claims. */
export async function verifyBearer(
  authorization: string | undefined,
  trust: { jwks: { keys: JWK[] }; issuer: string; audience: string },
): Promise<JWTPayload> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new TokenRejected('missing bearer token');
  try {
    const { payload } = await jwtVerify(match[1], createLocalJWKSet(trust.jwks), {
      issuer: trust.issuer,
      audience: trust.audience,
      algorithms: ['RS256'],
      // The HTTP API JWT authorizer refuses a token without an expiry.
      requiredClaims: ['exp'],
    });
    return payload;
  } catch (error) {
    throw new TokenRejected(`invalid token: ${(error as Error).message}`);
  }
}
