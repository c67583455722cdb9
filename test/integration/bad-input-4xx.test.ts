import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Bad input answers 4xx naming the field, never 500 or a reset (SPEC §13). */
let t: TestRuntime;
let n: string;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  n = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
});
afterAll(async () => {
  await t?.stop();
});

/** A token signed by the local issuer's own key, with the claims given. */
async function tokenWith(claims: JWTPayload, expires = true) {
  const stored = JSON.parse(readFileSync(path.join(t.dataDir, 'issuer-key.json'), 'utf8')) as {
    private: JWK;
  };
  // Dana's own claims (sub, groups, email_verified), then those given.
  const { exp: _e, iat: _i, iss: _s, aud: _a, ...dana } = decodeJwt(await t.token('dana@acme.example'));
  const jwt = new SignJWT({ ...dana, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: stored.private.kid as string })
    .setIssuer(`${t.runtime.urls.api.replace(/\/v1$/, '')}/_local`)
    .setAudience('casework')
    .setIssuedAt();
  if (expires) jwt.setExpirationTime('1h');
  return jwt.sign(await importJWK(stored.private, 'RS256'));
}

describe('4xx instead of 500', () => {
  it.each([
    ['garbled', 'zzz'],
    ['not an object', Buffer.from('[1,2]').toString('base64url')],
    [
      "another account's partition",
      Buffer.from(
        JSON.stringify({ pk: 'CASE#1', sk: 'CASE', gsi1pk: 'ACCOUNT#globex', gsi1sk: 'x' }),
      ).toString('base64url'),
    ],
    ['keys of another index', Buffer.from(JSON.stringify({ pk: 'a', sk: 'b' })).toString('base64url')],
  ])('a %s cursor answers 400 naming the cursor', async (_what, cursor) => {
    for (const [url, as] of [
      [`/v1/cases?cursor=${cursor}`, 'dana@acme.example'],
      [`/v1/cases?cursor=${cursor}`, 'eve@support.example'],
      [`/v1/triage?cursor=${cursor}`, 'eve@support.example'],
    ] as const) {
      const res = await t.api('GET', url, { as });
      expect(res.status, url).toBe(400);
      expect(res.body.error.field).toBe('cursor');
    }
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'action "%s" (an inherited property name) answers 404',
    async (name) => {
      const res = await t.api('POST', `/v1/cases/${n}/actions/${name}`, {
        as: 'eve@support.example',
        body: { note: 'x' },
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NotFound');
    },
  );

  it.each([
    ['an object', { toString: 1 }],
    ['an array', ['dana@acme.example']],
    ['a number', 42],
    ['two addresses', 'dana@acme.example eve@support.example'],
  ])('an e-mail claim that is %s answers 401', async (_what, email) => {
    const token = await tokenWith({ email });
    const res = await t.api('GET', '/v1/cases', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('a token without exp is refused (401), as the HTTP API JWT authorizer refuses it', async () => {
    // Dana's own claims (sub, e-mail, groups), signed once without and once with an expiry.
    const {
      sub,
      email,
      email_verified,
      'cognito:groups': groups,
    } = decodeJwt(await t.token('dana@acme.example'));
    const claims = { sub, email, email_verified, 'cognito:groups': groups };
    const token = await tokenWith(claims, false);
    const res = await t.api('GET', '/v1/cases', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    const good = await tokenWith(claims);
    expect((await t.api('GET', '/v1/cases', { headers: { authorization: `Bearer ${good}` } })).status).toBe(
      200,
    );
  });

  it('a body over 10 MB answers 413, not a connection reset', async () => {
    const res = await t.api('POST', `/v1/cases/${n}/updates`, {
      as: 'dana@acme.example',
      raw: `{"note":"${'x'.repeat(10 * 1024 * 1024)}"}`,
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PayloadTooLarge');
  });
});

describe('API fuzz from openapi.yaml (bounded: a fixed number of runs): query values and headers never answer 5xx', () => {
  it('every documented query parameter and the Idempotency-Key header, given hostile values', async () => {
    const fc = (await import('fast-check')).default;
    const { readFileSync: read } = await import('node:fs');
    const YAML = (await import('yaml')).default;
    const spec = YAML.parse(read('openapi.yaml', 'utf8'));
    type Param = { name?: string; in?: string; $ref?: string };
    const ops = Object.entries(
      spec.paths as Record<string, Record<string, { parameters?: Param[] }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => method === 'get' || method === 'post')
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path: path
            .replace('{caseNumber}', n)
            .replace('{action}', 'request-info')
            .replace(/\{\w+\}/g, 'x'),
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name as string),
        })),
    );
    const hostile = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('zzz', '%00', '__proto__', 'constructor', 'x'.repeat(5_000), '[]', '{}', '-1', '1e309'),
      fc.string({ maxLength: 30 }).map((s) => Buffer.from(s).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        fc.constantFrom('dana@acme.example', 'eve@support.example', 'rita@acme.example'),
        hostile,
        hostile,
        async (op, as, value, key) => {
          const query = op.query.map((q) => `${q}=${encodeURIComponent(value)}`).join('&');
          const url = `${op.path}${query ? `?${query}` : ''}`;
          const headers: Record<string, string> =
            op.method === 'POST' ? { 'Idempotency-Key': encodeURIComponent(key).slice(0, 200) } : {};
          const res = await t.api(op.method, url, {
            as,
            headers,
            ...(op.method === 'POST' ? { raw: '{}' } : {}),
          });
          expect(res.status, `${op.method} ${url}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150, seed: 18 },
    );
  }, 300_000);
});
