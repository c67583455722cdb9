import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

// Monday 2 March 2026, 09:00 in London (GMT).
const MONDAY = '2026-03-02T09:00:00Z';

/**
 * Each DynamoDB call is a network round trip a customer waits for on AWS: the request path of the
 * common operations keeps to a budget, counted by the local runtime per calling function.
 */
describe('round trips per operation, counted by the runtime', () => {
  let t: TestRuntime;
  let number: string;

  beforeAll(async () => {
    t = await startTestRuntime(MONDAY);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** The calls the function `name` made while `act` ran (and the workflow settled after it). */
  const callsOf = async (name: string, act: () => Promise<unknown>) => {
    const before = { ...t.runtime.counters.calls[name] };
    await act();
    const after = t.runtime.counters.calls[name] ?? { dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0 };
    return {
      dynamodb: after.dynamodb - (before.dynamodb ?? 0),
      s3: after.s3 - (before.s3 ?? 0),
      ses: after.ses - (before.ses ?? 0),
      stepfunctions: after.stepfunctions - (before.stepfunctions ?? 0),
    };
  };

  it('case creation makes at most 5 DynamoDB calls in the request path', async () => {
    const calls = await callsOf('api', async () => {
      const res = await t.api('POST', '/v1/cases', {
        as: 'dana@acme.example',
        body: acmeHighCase,
        headers: { 'Idempotency-Key': 'round-trips-1' },
      });
      expect(res.status).toBe(201);
      number = res.body.number;
    });
    expect(calls.dynamodb).toBeLessThanOrEqual(5);
  });

  it('a transition makes at most 3 DynamoDB calls in the request path', async () => {
    const calls = await callsOf('api', async () => {
      const res = await t.api('POST', `/v1/cases/${number}/actions/request-info`, {
        as: 'eve@support.example',
        body: { note: 'Which version exactly?' },
      });
      expect(res.status).toBe(200);
    });
    expect(calls.dynamodb).toBeLessThanOrEqual(3);
  });

  it('a small inbound mail linked to its case makes at most 5 DynamoDB calls', async () => {
    const calls = await callsOf('inboundMail', async () => {
      await t.receive({ from: 'dana@acme.example', subject: `Re: Case # ${number}`, text: 'It is 12.4.1.' });
    });
    const { body } = await t.api('GET', `/v1/cases/${number}/timeline`, { as: 'eve@support.example' });
    expect(JSON.stringify(body)).toContain('It is 12.4.1.');
    expect(calls.dynamodb).toBeLessThanOrEqual(5);
  });
});
