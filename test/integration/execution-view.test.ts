import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sfn } from '#shared/store/clients.ts';
import { executionHistory } from '#shared/store/executions.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** The operators' view of a case's execution reads the end of its history, where its state is. */
let t: TestRuntime;
let number: string;
let executionArn: string;
const EVE = 'eve@support.example';

beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  number = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
  await t.api('POST', `/v1/cases/${number}/actions/take`, { as: EVE, body: {} });
  await t.api('POST', `/v1/cases/${number}/actions/request-info`, {
    as: EVE,
    body: { note: 'Which agent?' },
  });
  await t.runtime.settled();
  const view = (await t.api('GET', `/v1/cases/${number}/execution`, { as: EVE })).body;
  executionArn = view.executions.at(-1).executionArn;
});
afterAll(async () => {
  await t?.stop();
});

/** The whole history, oldest first, as GetExecutionHistory pages it. */
async function wholeHistory() {
  const events = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

describe('the execution view (SPEC §12: operators watch every case’s execution)', () => {
  it('reads the newest events, oldest first, and says when earlier ones were left out', async () => {
    const all = await wholeHistory();
    expect(all.length).toBeGreaterThan(10);
    const latest = await executionHistory(executionArn, 10);
    expect(latest.earlierLeftOut).toBe(true);
    expect(latest.events.map((e) => e.id)).toEqual(all.slice(-10).map((e) => e.id));
    const whole = await executionHistory(executionArn);
    expect(whole.earlierLeftOut).toBe(false);
    expect(whole.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('reads several pages newest first: the same events, none repeated, none skipped', async () => {
    const all = await wholeHistory();
    const latest = await executionHistory(executionArn, 12, 5);
    expect(latest.events.map((e) => e.id)).toEqual(all.slice(-12).map((e) => e.id));
  });

  it('a page of history newest first, then events appended, then the next page: it goes on from the last event answered', async () => {
    const first = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }),
    );
    const before = (await wholeHistory()).length;
    await t.api('POST', `/v1/cases/${number}/updates`, { as: EVE, body: { note: 'Still looking.' } });
    await t.runtime.settled();
    expect((await wholeHistory()).length).toBeGreaterThan(before);
    const second = await sfn().send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 3,
        nextToken: first.nextToken,
      }),
    );
    const ids = [...(first.events ?? []), ...(second.events ?? [])].map((e) => e.id as number);
    expect(ids).toHaveLength(6);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(6);
    expect((second.events?.[0]?.id as number) + 1).toBe(first.events?.at(-1)?.id);
  });

  it('the API’s current state is the last state entered, from the end of the history', async () => {
    const view = (await t.api('GET', `/v1/cases/${number}/execution`, { as: EVE })).body;
    const entered = (await wholeHistory())
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name);
    expect(view.currentState).toBe(entered.at(-1));
    expect(view.currentState).toBe('AwaitingInfo');
    expect(view.earlierEventsLeftOut).toBe(false);
  });
});
