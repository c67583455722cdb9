import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { functions } from '#functions/registry.ts';
import { ddb } from '#shared/store/clients.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  maxLength?: number;
  $ref?: string;
  items?: Schema;
  oneOf?: Schema[];
  enum?: unknown[];
};
interface Operation {
  method: string;
  path: string;
  operationId: string;
  body?: Schema;
}

const spec = YAML.parse(readFileSync('openapi.yaml', 'utf8'));
// A body of several shapes (the actions') is fuzzed as its first shape, request-info's (ids.action).
const resolve = (s: Schema | undefined): Schema | undefined =>
  s?.oneOf
    ? resolve(s.oneOf[0])
    : s?.$ref
      ? resolve(
          s.$ref
            .split('/')
            .slice(1)
            .reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, spec) as Schema,
        )
      : s;
const operations: Operation[] = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
  ([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
      .map(([method, op]) => {
        const o = op as {
          operationId: string;
          requestBody?: { content: { 'application/json': { schema: Schema } } };
        };
        return {
          method: method.toUpperCase(),
          path,
          operationId: o.operationId,
          body: resolve(o.requestBody?.content['application/json'].schema),
        };
      }),
);

let t: TestRuntime;
const ids: Record<string, string> = {};

beforeAll(async () => {
  // Thousands of requests in seconds: these tests are about the handlers, so the stage throttle
  // (tested in bad-input) is lifted.
  t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
    throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
  });
  ids.caseNumber = (
    await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })
  ).body.number;
  const content = Buffer.from('secret log');
  const [file] = (
    await t.api('POST', `/v1/cases/${ids.caseNumber}/files`, {
      as: 'dana@acme.example',
      body: {
        files: [
          {
            name: 'secret.log',
            size: content.length,
            sha256: createHash('sha256').update(content).digest('hex'),
          },
        ],
      },
    })
  ).body.files;
  await fetch(file.url, { method: 'PUT', body: content, headers: file.headers });
  ids.fileId = file.fileId;
  ids.action = 'request-info';
  ids.id = 'unknown-triage-item';
});
afterAll(async () => {
  await t?.stop();
});

const itemCount = async () =>
  (await ddb().send(new ScanCommand({ TableName: process.env.CASEWORK_TABLE, Select: 'COUNT' }))).Count ?? 0;
const fill = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? name));

describe('openapi.yaml describes the handlers', () => {
  it('has exactly the routes the functions serve', () => {
    const served = Object.values(functions)
      .flatMap((f): { route: string }[] => ('routes' in f ? f.routes : []))
      .map((r) => r.route)
      .sort();
    const described = operations.map((o) => `${o.method} ${o.path}`).sort();
    expect(described).toEqual(served);
  });
});

describe('hostile input (SPEC §13): generated from openapi.yaml, never a 5xx, never a write', () => {
  const wrongValue = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
    fc.string({ maxLength: 5 }).map((s) => `${s}\u0000`),
  );
  const pathTrick = fc.constantFrom(
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '9'.repeat(40),
    '-1',
    '1.5',
    '0x10',
    'ｃａｓｅ',
    '%2e%2e',
    "1'; DROP TABLE",
    '',
  );
  /** A body the operation's schema refuses: an unknown field, a wrong type, an over-long string, not an object, not JSON. */
  const invalidBody = (schema: Schema | undefined) =>
    fc.oneof(
      fc
        .record({
          key: fc.constantFrom('__proto__', 'constructor', 'unexpected', 'isAdmin'),
          value: wrongValue,
        })
        .map(({ key, value }) => JSON.stringify({ ...validish(schema), [key]: value })),
      ...Object.entries(schema?.properties ?? {}).flatMap(([name, prop]) => [
        wrongValue
          .filter((v) => !hasType(v, resolve(prop)?.type))
          .map((v) => JSON.stringify({ ...validish(schema), [name]: v })),
        ...(resolve(prop)?.maxLength
          ? [
              fc.constant(
                JSON.stringify({
                  ...validish(schema),
                  [name]: 'x'.repeat((resolve(prop)?.maxLength ?? 0) + 1),
                }),
              ),
            ]
          : []),
      ]),
      fc.constantFrom('[]', 'null', '42', '"text"', '{', '{"a":', '\u0000', 'x'.repeat(300 * 1024)),
    );

  it('any operation, any mutated body, any path trick', async () => {
    const before = { items: await itemCount(), mails: (await t.mails()).length };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations.filter((o) => o.method === 'POST')),
        fc.constantFrom('dana@acme.example', 'eve@support.example'),
        fc.option(pathTrick, { nil: undefined }),
        fc.nat(),
        async (op, as, trick, seed) => {
          const body = fc.sample(invalidBody(op.body), { seed, numRuns: 1 })[0] as string;
          const url = fill(
            op.path,
            trick === undefined ? ids : Object.fromEntries(Object.keys(ids).map((k) => [k, trick])),
          );
          const res = await t.api(op.method, url, { as, raw: body });
          expect(res.status, `${op.operationId} ${url} ${body.slice(0, 80)}`).toBeLessThan(500);
          expect(res.status, `${op.operationId} ${url} ${body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 250 },
    );
    expect(await itemCount()).toBe(before.items);
    expect((await t.mails()).length).toBe(before.mails);
  }, 300_000);

  it('path tricks on reads answer 4xx and leak nothing', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.path.includes('{'))) {
      for (const trick of ['..%2F..%2Fetc', '%00', '9'.repeat(40), '-1', '0x10']) {
        const res = await t.api(
          'GET',
          fill(op.path, Object.fromEntries(Object.keys(ids).map((k) => [k, trick]))),
          { as: 'dana@acme.example' },
        );
        expect(res.status, `${op.operationId} ${trick}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
  });
});

/** Whether a value is of a JSON-schema type (so a "wrong value" really is wrong). */
function hasType(value: unknown, type: string | string[] | undefined): boolean {
  if (Array.isArray(type)) return type.some((t) => hasType(value, t));
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (type === 'integer') return Number.isInteger(value);
  return typeof value === type;
}

/** A body with each required field present (so the refusal is for the mutation, not a missing field). */
function validish(schema: Schema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) {
    const prop = resolve(schema?.properties?.[name]);
    out[name] = prop?.enum?.[0] ?? (prop?.type === 'integer' ? 1 : prop?.type === 'array' ? [] : 'x');
  }
  return out;
}

describe('isolation (SPEC §13): every endpoint with every other account’s and role’s token', () => {
  const secret = [acmeHighCase.subject, acmeHighCase.description, 'secret.log'];
  const bodies: Record<string, unknown> = {
    openCase: acmeHighCase,
    addUpdate: { note: 'x' },
    caseAction: { note: 'x' },
    answerSurvey: { ratings: [5, 5, 5, 5, 5, 5] },
    grantUploads: { files: [{ name: 'a', size: 1, sha256: 'a'.repeat(64) }] },
    linkTriagedMail: { caseNumber: '1' },
  };
  const call = (op: Operation, as: string) =>
    t.api(op.method, fill(op.path, ids), {
      as,
      ...(op.method === 'POST' ? { body: bodies[op.operationId] ?? {} } : {}),
    });

  it('another account’s contact gets 403 or 404 everywhere, and never the case’s data', async () => {
    const before = await itemCount();
    for (const op of operations.filter((o) => o.operationId !== 'health' && o.operationId !== 'listCases')) {
      const res = await call(op, 'gus@globex.example');
      expect([403, 404], `${op.operationId} → ${res.status}`).toContain(res.status);
      for (const s of secret) expect(JSON.stringify(res.body), op.operationId).not.toContain(s);
    }
    const list = await t.api('GET', '/v1/cases', { as: 'gus@globex.example' });
    for (const s of secret) expect(JSON.stringify(list.body)).not.toContain(s);
    expect(await itemCount()).toBe(before);
  });

  it('a read-only contact may read but every write is refused', async () => {
    const before = await itemCount();
    for (const op of operations.filter((o) => o.method === 'POST')) {
      const res = await call(op, 'rita@acme.example');
      expect([403, 404], `${op.operationId} → ${res.status}`).toContain(res.status);
    }
    expect(await itemCount()).toBe(before);
  });

  it('engineer-only endpoints refuse customers', async () => {
    for (const id of ['listTriage', 'linkTriagedMail', 'slaCompliance', 'getExecution']) {
      const op = operations.find((o) => o.operationId === id) as Operation;
      expect((await call(op, 'dana@acme.example')).status, id).toBe(403);
    }
  });

  it('a valid token for someone who is not a user gets 401', async () => {
    for (const op of operations.filter((o) => o.operationId !== 'health')) {
      expect((await call(op, 'mallory@elsewhere.example')).status, op.operationId).toBe(401);
    }
  });
});
