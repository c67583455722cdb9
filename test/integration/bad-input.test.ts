import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

describe('bad input gets a clear error and changes nothing', () => {
  let t: TestRuntime;
  const caseCount = async () =>
    (await t.api('GET', '/v1/cases', { as: 'eve@support.example' })).body.items.length;
  const mailCount = async () => (await t.mails()).length;

  beforeAll(async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('an unknown route answers 404 JSON', async () => {
    const res = await t.api('GET', '/v1/nothing-here', { as: 'dana@acme.example' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
  });

  it('malformed JSON answers 400 naming the problem, and writes nothing', async () => {
    const res = await t.api('POST', '/v1/cases', { as: 'dana@acme.example', raw: '{"account": "acme",' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'InvalidInput', field: 'body' });
    expect(res.body.error.message).toMatch(/malformed JSON/);
    expect(await caseCount()).toBe(0);
  });

  it.each([
    ['an unknown field', { ...acmeHighCase, colour: 'blue' }, 'colour'],
    ['a missing subject', { ...acmeHighCase, subject: undefined }, 'subject'],
    ['an unknown severity', { ...acmeHighCase, severity: 'urgent' }, 'severity'],
    [
      'high severity without business impact',
      { ...acmeHighCase, businessImpact: undefined },
      'businessImpact',
    ],
    ['a product the account is not entitled to', { ...acmeHighCase, product: 'Cloud Voice' }, 'product'],
    [
      'critical on a development system',
      { ...acmeHighCase, severity: 'critical', environment: 'development', contactPhone: '+44 20 7946 0000' },
      'environment',
    ],
  ])('%s answers 400 naming the field, and writes nothing', async (_what, body, field) => {
    const res = await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(await caseCount()).toBe(0);
    expect(await mailCount()).toBe(0);
  });

  it('a critical case from the portal is refused with the guidance (422)', async () => {
    const res = await t.api('POST', '/v1/cases', {
      as: 'dana@acme.example',
      body: { ...acmeHighCase, severity: 'critical-production-down', contactPhone: '+44 20 7946 0000' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/call support/);
    expect(await caseCount()).toBe(0);
  });

  it('a read-only contact cannot open a case (403), another account’s contact neither', async () => {
    expect((await t.api('POST', '/v1/cases', { as: 'rita@acme.example', body: acmeHighCase })).status).toBe(
      403,
    );
    expect((await t.api('POST', '/v1/cases', { as: 'gus@globex.example', body: acmeHighCase })).status).toBe(
      403,
    );
    expect(await caseCount()).toBe(0);
  });

  describe('tokens: 401 like the HTTP API JWT authorizer', () => {
    const post = (authorization?: string) =>
      t.api('POST', '/v1/cases', { body: acmeHighCase, headers: authorization ? { authorization } : {} });
    const forged = async (claims: { iss?: string; exp?: number }) => {
      const signingKey = (await generateKeyPair('RS256')).privateKey;
      return `Bearer ${await new SignJWT({ email: 'dana@acme.example' })
        .setProtectedHeader({ alg: 'RS256', kid: t.runtime.issuer.jwks.keys[0]?.kid })
        .setIssuer(claims.iss ?? t.runtime.issuer.issuer)
        .setAudience('casework')
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(signingKey)}`;
    };

    it('a missing token', async () => {
      expect((await post()).status).toBe(401);
    });
    it('a badly signed token', async () => {
      expect((await post(await forged({}))).status).toBe(401);
    });
    it('a tampered token', async () => {
      const good = await t.token('dana@acme.example');
      const [h, p, s] = good.split('.');
      const payload = JSON.parse(Buffer.from(p as string, 'base64url').toString());
      const tampered = Buffer.from(JSON.stringify({ ...payload, email: 'eve@support.example' })).toString(
        'base64url',
      );
      expect((await post(`Bearer ${h}.${tampered}.${s}`)).status).toBe(401);
    });
    it('an expired token', async () => {
      const expired = `Bearer ${await t.runtime.issuer.sign('dana@acme.example', -60)}`;
      expect((await post(expired)).status).toBe(401);
    });
    it('a token from another issuer', async () => {
      expect((await post(await forged({ iss: 'https://elsewhere.example' }))).status).toBe(401);
    });
    it('nothing was written', async () => {
      expect(await caseCount()).toBe(0);
      expect(await mailCount()).toBe(0);
    });
  });

  it('the local Step Functions refuses an execution name AWS would refuse (it names files too)', async () => {
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: t.runtime.urls.stepfunctions,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const name of ['../../escape', 'a/b', 'x'.repeat(81)]) {
      await expect(
        sfn.send(
          new StartExecutionCommand({
            stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN,
            name,
            input: '{}',
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidName' });
    }
  });

  it('the virtual clock refuses a malformed duration', async () => {
    const res = await t.api('POST', '/_local/clock', { body: { advance: 'seven days' } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('advance');
  });
});

describe('the API stage throttle (API Gateway answers 429 beyond it)', () => {
  it('a burst beyond the limit gets 429 with Retry-After, and the refused requests change nothing', async () => {
    // The bucket counts time from this source: the burst takes no time at all, whatever the machine.
    let now = 0;
    const t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      throttle: { rateLimit: 1, burstLimit: 3 },
      throttleTime: () => now,
    });
    try {
      const open = () => t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await open()).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('TooManyRequests');
      expect(refused.headers.get('retry-after')).toBe('1');
      now += 1000; // one second refills one token
      const cases = await t.api('GET', '/v1/cases', { as: 'eve@support.example' });
      expect(cases.status).toBe(200);
      expect(cases.body.items).toHaveLength(3);
    } finally {
      await t.stop();
    }
  });
});
