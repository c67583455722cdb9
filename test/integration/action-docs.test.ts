import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ACTIONS } from '#functions/api/handler.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Every action's body is documented where a user looks: openapi.yaml and the README's table. */

const spec = YAML.parse(readFileSync('openapi.yaml', 'utf8'));
const actionPath = spec.paths['/v1/cases/{caseNumber}/actions/{action}'];
const actions: string[] = actionPath.parameters.find((p: { name?: string }) => p.name === 'action').schema
  .enum;
const bodies = (
  actionPath.post.requestBody.content['application/json'].schema.oneOf as { $ref: string }[]
).map((ref) => spec.components.schemas[ref.$ref.split('/').at(-1) as string] as { title: string });
const readme = readFileSync('README.md', 'utf8');

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase });
});
afterAll(async () => {
  await t?.stop();
});

describe('action bodies are documented', () => {
  it.each(actions)('%s: one body schema in openapi.yaml and a row in the README', (action) => {
    const titled = bodies.filter((b) => b.title.split(', ').includes(action));
    expect(titled, action).toHaveLength(1);
    expect(readme).toMatch(new RegExp(`^\\| [^|]*\`${action}\`[^|]* \\| \`\\{`, 'm'));
  });

  it('the API registers exactly the documented actions', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...actions].sort());
  });

  it('the API takes exactly the documented actions: each refuses a wrong body naming a field, an unknown action is 404', async () => {
    for (const action of actions) {
      const res = await t.api('POST', `/v1/cases/1/actions/${action}`, {
        as: 'eve@support.example',
        body: { unexpected: 1 },
      });
      expect(res.status, action).toBe(400); // the body refused: the action exists
      expect(res.body.error.field, action).toBeTruthy();
    }
    const unknown = await t.api('POST', '/v1/cases/1/actions/frobnicate', {
      as: 'eve@support.example',
      body: {},
    });
    expect(unknown.status).toBe(404);
  });
});
