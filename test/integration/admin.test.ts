import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMINISTRATOR } from '#local/cognito.ts';
import { DEMO_CATALOGUE_FILE, demoCatalogue } from '#local/demo.ts';
import { type ApiEvent, callerOf } from '#shared/http/http.ts';
import { caseworkEnv, runCasework } from '../casework-cli.ts';
import { startTestRuntime, type TestRuntime } from './runtime.ts';

let t: TestRuntime;
const ADMIN = LOCAL_ADMINISTRATOR;

const casework = (...args: string[]) => runCasework(args, { env: caseworkEnv(t.runtime) });

const catalogue = async () => (await t.api('GET', '/v1/admin/catalogue', { as: ADMIN })).body;
const file = (name: string, text: string) => {
  const at = path.join(t.dataDir, name);
  writeFileSync(at, text);
  return at;
};

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
});

describe('provisioning through the admin API (SPEC §1: a deployed desk starts empty)', () => {
  it('the local demo is provisioned through the admin API: the desk holds exactly the demo file', async () => {
    expect(await catalogue()).toEqual(JSON.parse(JSON.stringify(demoCatalogue)));
  });

  it('applying the demo file again with casework admin apply changes nothing', async () => {
    const r = await casework('admin', 'apply', DEMO_CATALOGUE_FILE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('up to date: nothing to change');
  });

  it('only the administrators group may call it: engineers and contacts get 403, no token 401', async () => {
    for (const as of ['eve@support.example', 'dana@acme.example'])
      expect((await t.api('GET', '/v1/admin/catalogue', { as })).status, as).toBe(403);
    expect((await t.api('POST', '/v1/admin/catalogue', { as: 'eve@support.example', body: {} })).status).toBe(
      403,
    );
    expect((await t.api('GET', '/v1/admin/catalogue')).status).toBe(401);
  });

  it('a dry run prints the diff and applies nothing; the apply then makes the change, once', async () => {
    const { 'dev@acme.example': _dev, ...contacts } = demoCatalogue.contacts;
    const changed = file(
      'changed.json',
      JSON.stringify({
        ...demoCatalogue,
        contacts: {
          ...contacts,
          'rita@acme.example': { name: 'Rita', access: { acme: 'designated' } },
          'omar@acme.example': { name: 'Omar', access: { acme: 'read-only' } },
        },
      }),
    );
    const dry = await casework('admin', 'apply', changed, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n').sort()).toEqual(
      [
        '~ contact rita@acme.example (grants)',
        '+ contact omar@acme.example',
        '- contact dev@acme.example',
        '3 changes (dry run: nothing applied)',
      ].sort(),
    );
    expect(await catalogue()).toEqual(JSON.parse(JSON.stringify(demoCatalogue)));

    expect((await casework('admin', 'apply', changed)).stdout).toContain('3 changes applied');
    expect((await casework('admin', 'apply', changed)).stdout).toContain('up to date: nothing to change');
    // Omar was invited to the user pool and signs in; Dev no longer can.
    const bearer = async (email: string) => ({
      authorization: `Bearer ${await t.runtime.issuer.sign(email)}`,
    });
    const cases = `${t.runtime.urls.api}/cases`;
    expect((await fetch(cases, { headers: await bearer('omar@acme.example') })).status).toBe(200);
    expect((await fetch(cases, { headers: await bearer('dev@acme.example') })).status).toBe(401);

    expect((await casework('admin', 'apply', DEMO_CATALOGUE_FILE)).stdout).toContain('3 changes applied');
    expect(await catalogue()).toEqual(JSON.parse(JSON.stringify(demoCatalogue)));
    expect((await fetch(cases, { headers: await bearer('dev@acme.example') })).status).toBe(200);
  });

  it('a malformed catalogue file is refused with its line and field, and nothing is applied', async () => {
    const text = readFileSync(DEMO_CATALOGUE_FILE, 'utf8');
    const bad = file('bad.yaml', text.replace('centre: north-america', 'centre: atlantis'));
    const line = text.split('\n').findIndex((l) => l.includes('centre: north-america')) + 1;
    const r = await casework('admin', 'apply', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`bad.yaml:${line}: accounts.globex.centre: unknown support centre "atlantis"`);

    const typo = file(
      'typo.yaml',
      text.replace('    products: [Contact Center, Cloud Voice]', '    product: [Cloud Voice]'),
    );
    const r2 = await casework('admin', 'apply', typo);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/typo\.yaml:\d+: accounts\.globex\.(products|product): /);

    const cloud = file(
      'cloud.yaml',
      text.replace(
        '{ name: Gina, access: { globex: designated } }',
        '{ name: Gina, access: { globex: read-only } }',
      ),
    );
    const r3 = await casework('admin', 'apply', cloud);
    expect(r3.stderr).toContain(
      'accounts.globex.plan: a cloud plan needs at least two designated contacts, it has 1',
    );

    // The API refuses it too, naming the field, whoever sends it.
    const direct = await t.api('POST', '/v1/admin/catalogue', {
      as: ADMIN,
      body: {
        ...demoCatalogue,
        accounts: { ...demoCatalogue.accounts, acme: { ...demoCatalogue.accounts.acme, plan: 'gold' } },
      },
    });
    expect(direct.status).toBe(400);
    expect(direct.body.error).toMatchObject({ field: 'accounts.acme.plan' });
    expect(await catalogue()).toEqual(JSON.parse(JSON.stringify(demoCatalogue)));
  });

  it('roles come from Cognito groups: an engineer provisioned as a contact loses the engineer routes', async () => {
    const { 'eve@support.example': _eve, ...engineers } = demoCatalogue.engineers;
    const asContact = {
      ...demoCatalogue,
      engineers,
      contacts: {
        ...demoCatalogue.contacts,
        'eve@support.example': { name: 'Eve', access: { acme: 'read-only' } },
      },
    };
    expect((await t.api('POST', '/v1/admin/catalogue', { as: ADMIN, body: asContact })).status).toBe(200);
    const token = await t.runtime.issuer.sign('eve@support.example');
    const triage = await fetch(`${t.runtime.urls.api}/triage`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(triage.status).toBe(403);
    await t.provision({});
    expect((await t.api('GET', '/v1/triage', { as: 'eve@support.example' })).status).toBe(200);
  });
});

describe('identity: the token’s sub, a verified and immutable e-mail, groups for roles', () => {
  const eventWith = (claims: Record<string, string>) =>
    ({ requestContext: { authorizer: { jwt: { claims, scopes: [] } } } }) as unknown as ApiEvent;
  const claimsOf = async (email: string) =>
    decodeJwt(await t.runtime.issuer.sign(email)) as {
      sub: string;
      email: string;
      'cognito:groups'?: string[];
    };

  it('the local issuer issues the claims of a Cognito ID token', async () => {
    expect(await claimsOf('eve@support.example')).toMatchObject({
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'eve@support.example',
      email_verified: true,
      'cognito:groups': ['engineers'],
      token_use: 'id',
    });
    expect(await claimsOf('dana@acme.example')).not.toHaveProperty('cognito:groups');
  });

  it('a user is their sub: another e-mail on the same sub, or an unverified e-mail, is refused (401)', async () => {
    const { sub } = await claimsOf('dana@acme.example');
    const dana = await callerOf(eventWith({ sub, email: 'dana@acme.example', email_verified: 'true' }));
    expect(dana).toMatchObject({ email: 'dana@acme.example', role: 'customer', grants: { acme: 3 } });
    await expect(
      callerOf(eventWith({ sub, email: 'eve@support.example', email_verified: 'true' })),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      callerOf(eventWith({ sub, email: 'dana@acme.example', email_verified: 'false' })),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('the role is the engineers group of the token, whatever the catalogue says', async () => {
    const { sub } = await claimsOf('eve@support.example');
    const claims = { sub, email: 'eve@support.example', email_verified: 'true' };
    expect((await callerOf(eventWith({ ...claims, 'cognito:groups': '[engineers]' }))).role).toBe('engineer');
    expect((await callerOf(eventWith(claims))).role).toBe('customer');
  });
});
