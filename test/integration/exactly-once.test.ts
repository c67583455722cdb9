import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCase } from '#shared/store/repository.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** Exactly one mail per intended mail (SPEC §13), counted in the SES emulator's store. */
let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
});
afterAll(async () => {
  await t?.stop();
});

const mailsAbout = async (n: string, what: string) =>
  (await t.mails()).filter((m) => m.subject.includes(`Case # ${n}`) && m.subject.includes(what));
const open = async (subject: string) =>
  (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: { ...acmeHighCase, subject } })).body
    .number as string;

describe('exactly one mail per intended mail under concurrent writers', () => {
  it('50 concurrent request-info on one case: one 200, 49 × 409, one "information requested" mail', async () => {
    const n = await open('fifty request-info');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/actions/request-info`, {
          as: 'eve@support.example',
          body: { note: `Logs please (${i}).` },
        }),
      ),
    );
    await t.runtime.settled();
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(await mailsAbout(n, 'information requested')).toHaveLength(1);
    expect((await getCase(n))?.outbox).toEqual({});
  });

  it('50 concurrent public notes: 50 mails, one each', async () => {
    const n = await open('fifty notes');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/updates`, {
          as: 'eve@support.example',
          body: { note: `Note ${i}.`, visibility: 'public' },
        }),
      ),
    );
    await t.runtime.settled();
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const mails = await mailsAbout(n, 'update from support');
    expect(mails).toHaveLength(50);
    const notes = mails.map((m) => /Note (\d+)\./.exec(m.body.text)?.[1]);
    expect(new Set(notes).size).toBe(50);
  });

  it('30 identical case creations with one Idempotency-Key: one case, one confirmation', async () => {
    const subject = 'thirty creations';
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.api('POST', '/v1/cases', {
          as: 'dana@acme.example',
          body: { ...acmeHighCase, subject },
          headers: { 'Idempotency-Key': 'thirty-creations' },
        }),
      ),
    );
    await t.runtime.settled();
    const numbers = new Set(results.map((r) => r.body.number));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(29);
    expect((await t.mails()).filter((m) => m.subject.includes(`: ${subject} (opened)`))).toHaveLength(1);
  });
});
