import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, LocalIssuer, TokenRejected, verifyBearer } from '#local/jwt.ts';

describe('token verification equals the HTTP API JWT authorizer', () => {
  let issuer: LocalIssuer;
  const trust = () => ({ jwks: issuer.jwks, issuer: issuer.issuer, audience: AUDIENCE });

  beforeAll(async () => {
    issuer = await LocalIssuer.open(
      path.join(mkdtempSync(path.join(tmpdir(), 'casework-jwt-')), 'key.json'),
      'http://127.0.0.1:4000/_local',
    );
  });

  it('accepts a token of the local issuer and answers its claims', async () => {
    const claims = await verifyBearer(`Bearer ${await issuer.sign('dana@acme.example')}`, trust());
    expect(claims).toMatchObject({ email: 'dana@acme.example', iss: issuer.issuer, aud: AUDIENCE });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic ZGFuYTp4'],
    ['garbage', 'Bearer not.a.jwt'],
  ])('rejects %s', async (_what, header) => {
    await expect(verifyBearer(header, trust())).rejects.toBeInstanceOf(TokenRejected);
  });

  it('rejects an expired token', async () => {
    await expect(
      verifyBearer(`Bearer ${await issuer.sign('dana@acme.example', -1)}`, trust()),
    ).rejects.toThrow(/exp/);
  });

  it('rejects the wrong audience and the wrong issuer', async () => {
    const token = `Bearer ${await issuer.sign('dana@acme.example')}`;
    await expect(verifyBearer(token, { ...trust(), audience: 'other' })).rejects.toThrow(/aud/);
    await expect(verifyBearer(token, { ...trust(), issuer: 'https://other' })).rejects.toThrow(/iss/);
  });

  it('rejects a token signed by another key, even with the right key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ email: 'eve@support.example' })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid })
      .setIssuer(issuer.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(verifyBearer(`Bearer ${forged}`, trust())).rejects.toThrow(/signature/);
  });

  it('keeps its key across restarts, so tokens stay valid', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'casework-jwt-'));
    const first = await LocalIssuer.open(path.join(dir, 'key.json'), 'i');
    const second = await LocalIssuer.open(path.join(dir, 'key.json'), 'i');
    await expect(
      verifyBearer(`Bearer ${await first.sign('x@y.example')}`, {
        jwks: second.jwks,
        issuer: 'i',
        audience: AUDIENCE,
      }),
    ).resolves.toBeTruthy();
  });
});
