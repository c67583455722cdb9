import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime, umbrellaPureconnect } from './runtime.ts';

// Monday 2 March 2026, 09:00 (London GMT, New York 04:00 EST).
const MONDAY = '2026-03-02T09:00:00Z';
const ENGINEER = 'eve@support.example';
const DANA = 'dana@acme.example';
const GUS = 'gus@globex.example';

let t: TestRuntime;
afterEach(async () => {
  await t?.stop();
});

const globexCase = { ...acmeHighCase, account: 'globex', severity: 'medium', businessImpact: undefined };

async function open(as = DANA, body: object = acmeHighCase) {
  const res = await t.api('POST', '/v1/cases', { as, body });
  expect(res.status).toBe(201);
  return res.body.number as string;
}
const act = (n: string, action: string, as: string, body: object) =>
  t.api('POST', `/v1/cases/${n}/actions/${action}`, { as, body });
const show = async (n: string) => (await t.api('GET', `/v1/cases/${n}`, { as: ENGINEER })).body;
const mailsAbout = async (n: string, word: string) =>
  (await t.mails()).filter((m) => m.subject.includes(`Case # ${n}`) && m.subject.includes(word));
const sfn = () =>
  new SFNClient({
    region: 'us-east-1',
    endpoint: t.runtime.urls.stepfunctions,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('follow-ups (SPEC §5)', () => {
  it('business-care info request unanswered: reminders at 7 and 14 days, Closed/No Response at 21', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'request-info', ENGINEER, { note: 'Please send the logs.' });
    await t.advance('P7D');
    expect(await mailsAbout(n, 'reminder 1')).toHaveLength(1);
    await t.advance('P6DT23H');
    expect(await mailsAbout(n, 'reminder 2')).toHaveLength(0);
    await t.advance('PT1H');
    expect(await mailsAbout(n, 'reminder 2')).toHaveLength(1);
    await t.advance('P7D');
    expect(await show(n)).toMatchObject({ status: 'Closed', subStatus: 'No Response' });
    expect(await mailsAbout(n, 'closed: no response')).toHaveLength(1);
    expect(await mailsAbout(n, 'reminder')).toHaveLength(2);
  });

  it('cloud plan: reminders at 2 and 5 business days, closed at 10', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(GUS, globexCase);
    // Wednesday 4 March 10:00 New York time (15:00 UTC).
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-04T15:00:00Z' } });
    await act(n, 'request-info', ENGINEER, { note: 'Which tenant?' });
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-06T14:59:00Z' } });
    expect(await mailsAbout(n, 'reminder')).toHaveLength(0);
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-06T15:00:00Z' } }); // Friday, 2 BD
    expect(await mailsAbout(n, 'reminder 1')).toHaveLength(1);
    // 5 BD: Wednesday 11 March 10:00 EDT (DST began on the 8th) = 14:00 UTC.
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-11T14:00:00Z' } });
    expect(await mailsAbout(n, 'reminder 2')).toHaveLength(1);
    // 10 BD: Wednesday 18 March 10:00 EDT.
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-18T13:59:00Z' } });
    expect((await show(n)).status).toBe('Awaiting Info');
    await t.api('POST', '/_local/clock', { body: { set: '2026-03-18T14:00:00Z' } });
    expect(await show(n)).toMatchObject({ status: 'Closed', subStatus: 'No Response' });
  });

  it('a portal reply on day 3 stops the reminders', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'request-info', ENGINEER, { note: 'Please send the logs.' });
    await t.advance('P3D');
    const reply = await t.api('POST', `/v1/cases/${n}/updates`, {
      as: DANA,
      body: { note: 'Logs attached.' },
    });
    expect(reply.body).toMatchObject({ status: 'Open', subStatus: 'Customer Responded', followUp: null });
    await t.advance('P30D');
    expect(await mailsAbout(n, 'reminder')).toHaveLength(0);
    expect((await show(n)).status).toBe('Open');
  });

  it('critical-production-down gets no follow-ups', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(ENGINEER, {
      ...acmeHighCase,
      severity: 'critical-production-down',
      contactPhone: '+44 20 7946 0000',
    });
    await act(n, 'request-info', ENGINEER, { note: 'Please call us.' });
    await t.advance('P25D');
    expect(await mailsAbout(n, 'reminder')).toHaveLength(0);
    expect((await show(n)).status).toBe('Awaiting Info');
  });

  it('snooze: follow-ups resume from the date the customer gave, at most 30 days ahead', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'request-info', ENGINEER, { note: 'Please send the logs.' });
    expect(
      (await act(n, 'snooze-follow-ups', ENGINEER, { until: '2026-04-02T09:00:00Z' })).body.error.field,
    ).toBe('until');
    expect((await act(n, 'snooze-follow-ups', ENGINEER, { until: '2026-03-16T09:00:00Z' })).status).toBe(200);
    await t.advance('P20D'); // 22 March: 6 days after the snooze date
    expect(await mailsAbout(n, 'reminder')).toHaveLength(0);
    await t.advance('P1D'); // 23 March: 7 days after it
    expect(await mailsAbout(n, 'reminder 1')).toHaveLength(1);
  });
});

describe('SLA targets (SPEC §4)', () => {
  it('a breach mail is sent and counted once even if the deadline handler runs twice', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(); // high: response due in 4 BH, Monday 13:00
    await t.advance('PT4H1S');
    expect((await show(n)).slaOutcomes.response).toEqual({
      state: 'breached',
      at: '2026-03-02T13:00:00.000Z',
    });
    const { handler } = await import('#functions/workflow/handler.ts');
    await handler({ step: 'deadline', caseId: n }, {} as never);
    await handler({ step: 'deadline', caseId: n }, {} as never);
    const breaches = (await t.mails()).filter((m) => m.subject.startsWith(`SLA breach: Case # ${n}`));
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.destination.to).toEqual(['oncall-emea@support.example']);
    // The SlaBreached metric the stack's alarm watches counted it once too.
    expect(t.runtime.counters.metrics).toEqual({ SlaBreached: 1 });
  });

  it('a response at or before the due instant meets the target, recorded with its instant', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await t.advance('PT4H');
    await act(n, 'respond', ENGINEER, { note: 'Looking into it.' });
    expect((await show(n)).slaOutcomes.response).toEqual({ state: 'met', at: '2026-03-02T13:00:00.000Z' });
  });

  it('an incomplete case has no SLA clock until the circumstances are given', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(DANA, { ...acmeHighCase, circumstances: undefined });
    expect(await show(n)).toMatchObject({ status: 'Open', subStatus: 'New', completedAt: null, sla: null });
    await t.advance('PT2H');
    await t.api('POST', `/v1/cases/${n}/updates`, {
      as: DANA,
      body: { note: 'Here they are.', circumstances: 'Upgraded on Sunday.' },
    });
    const c = await show(n);
    expect(c.completedAt).toBe('2026-03-02T11:00:00.000Z');
    expect(c.sla.response.due).toBe('2026-03-02T15:00:00.000Z');
  });

  it('waiting on the customer pauses resolution, never response', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(GUS, { ...globexCase, severity: 'high', businessImpact: 'Calls drop.' });
    await t.advance('PT1H');
    await act(n, 'request-info', ENGINEER, { note: 'Which tenant?' });
    const waiting = await show(n);
    expect(waiting.sla.restoration.paused).toBe(true);
    expect(waiting.sla.response.outcome.state).toBe('met');
  });

  it('a week waiting on the customer breaches nothing: the 2 BD resolution clock stood still', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(); // business-care high: resolution 2 BD
    await act(n, 'request-info', ENGINEER, { note: 'Please send the login server log.' });
    await t.advance('P7D'); // the first reminder goes out on day 7
    const c = await show(n);
    expect(c.sla.resolution).toMatchObject({ paused: true, outcome: { state: 'pending' } });
    expect(c.slaOutcomes?.resolution).toBeUndefined();
    expect(await mailsAbout(n, 'SLA breach')).toHaveLength(0);
  });
});

describe('transitions and who may make them (SPEC §3)', () => {
  it('solution proposed → accepted closes Resolved with the survey link; rejected goes back to Open', async () => {
    t = await startTestRuntime(MONDAY);
    const a = await open();
    const b = await open();
    await act(a, 'propose-solution', ENGINEER, { note: 'Apply patch 12.4.2.' });
    await act(b, 'propose-solution', ENGINEER, { note: 'Restart the server.' });
    expect((await act(a, 'accept-solution', DANA, {})).body).toMatchObject({
      status: 'Closed',
      subStatus: 'Resolved',
    });
    expect((await act(b, 'reject-solution', DANA, { note: 'Did not help.' })).body).toMatchObject({
      status: 'Open',
      subStatus: 'Customer Responded',
    });
    const closure = await mailsAbout(a, '(closed)');
    expect(closure[0]?.body.text).toContain('/survey');
  });

  it('refuses illegal transitions and stale revisions with 409 naming the current status', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    const illegal = await act(n, 'accept-solution', DANA, {});
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.message).toContain('Open/New');
    const stale = await act(n, 'request-info', ENGINEER, { note: 'x', revision: 99 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('Open/New');
  });

  it('actor rules: read-only contact 403, another account 404, customers cannot request info', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    expect(
      (await t.api('POST', `/v1/cases/${n}/updates`, { as: 'rita@acme.example', body: { note: 'x' } }))
        .status,
    ).toBe(403);
    expect((await t.api('POST', `/v1/cases/${n}/updates`, { as: GUS, body: { note: 'x' } })).status).toBe(
      404,
    );
    expect((await act(n, 'request-info', DANA, { note: 'x' })).status).toBe(403);
    expect((await t.api('GET', `/v1/cases/${n}/timeline`, { as: GUS })).status).toBe(404);
  });

  it('internal notes are never in a customer’s timeline', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await t.api('POST', `/v1/cases/${n}/updates`, {
      as: ENGINEER,
      body: { note: 'Customer is on an old build.', visibility: 'internal' },
    });
    const customer = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: DANA })).body.items;
    const engineer = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: ENGINEER })).body.items;
    expect(JSON.stringify(customer)).not.toContain('old build');
    expect(JSON.stringify(engineer)).toContain('old build');
  });

  it('business-care reopen: the customer calls (403 from the portal), an engineer reopens on day 29, not on day 31', async () => {
    t = await startTestRuntime(MONDAY);
    const a = await open();
    const b = await open();
    await act(a, 'close', DANA, { subStatus: 'Resolved', note: 'Fixed by the patch.' });
    await act(b, 'close', DANA, { subStatus: 'Resolved', note: 'Fixed by the patch.' });
    await t.advance('P29D');
    const byPortal = await act(a, 'reopen', DANA, { note: 'It came back after the restart.' });
    expect(byPortal.status).toBe(403);
    expect(byPortal.body.error.message).toContain('call support');
    expect((await act(a, 'reopen', ENGINEER, { note: '' })).status).toBe(400);
    expect(
      (await act(a, 'reopen', ENGINEER, { note: 'It came back after the restart.' })).body,
    ).toMatchObject({
      status: 'Open',
      subStatus: 'Investigation',
    });
    await t.advance('P2D');
    const late = await act(b, 'reopen', ENGINEER, { note: 'It came back.' });
    expect(late.status).toBe(422);
    expect(late.body.error.message).toContain('open a new case');
  });

  it('after the reopen window the purge step runs and the execution ends', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'close', ENGINEER, { subStatus: 'General Question Answered', note: 'Answered.' });
    await t.advance('P30DT1S');
    const { executions = [] } = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN }),
    );
    const execution = executions.find((e) => e.name === n);
    expect(execution?.status).toBe('SUCCEEDED');
    const { events = [] } = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn: execution?.executionArn }),
    );
    const states = events
      .filter((e) => e.type === 'TaskStateEntered')
      .map((e) => e.stateEnteredEventDetails?.name);
    expect(states).toEqual(expect.arrayContaining(['Open', 'Closed', 'Purge']));
  });

  it('50 concurrent updates of one case: all 50 in the timeline', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.api('POST', `/v1/cases/${n}/updates`, { as: DANA, body: { note: `update ${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const notes = (await t.api('GET', `/v1/cases/${n}/timeline`, { as: DANA })).body.items.filter(
      (e: { text?: string }) => e.text?.startsWith('update '),
    );
    expect(new Set(notes.map((e: { text: string }) => e.text)).size).toBe(50);
    expect((await show(n)).revision).toBe(51);
  });

  it('Idempotency-Key: the same key and body give the same case; another body is refused (422)', async () => {
    t = await startTestRuntime(MONDAY);
    const headers = { 'Idempotency-Key': 'portal-7f3a' };
    const first = await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase, headers });
    const again = await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.number).toBe(first.body.number);
    const other = await t.api('POST', '/v1/cases', {
      as: DANA,
      body: { ...acmeHighCase, subject: 'Other' },
      headers,
    });
    expect(other.status).toBe(422);
    expect((await t.mails()).filter((m) => m.subject.includes('(opened)'))).toHaveLength(1);
  });
});

describe('accounts without an active contract (SPEC §1, §3)', () => {
  it('cases go to Open/Maintenance Review without an SLA clock; one grace period per account covers its cases until a day; No Maintenance closes', async () => {
    t = await startTestRuntime(MONDAY);
    await t.provision({
      accounts: {
        initech: {
          name: 'Initech',
          plan: 'business-care',
          centre: 'emea',
          contract: { start: '2023-01-01', end: '2025-12-31' },
          products: ['Contact Center'],
        },
      },
      contacts: { 'ian@initech.example': { name: 'Ian', access: { initech: 'designated' } } },
    });
    const lapsed = { ...acmeHighCase, account: 'initech' };
    const [a, b] = [await open('ian@initech.example', lapsed), await open('ian@initech.example', lapsed)];
    expect(await show(a)).toMatchObject({ status: 'Open', subStatus: 'Maintenance Review', sla: null });
    await t.advance('P1D'); // no target runs, so nothing is breached
    expect(await mailsAbout(a, 'SLA breach')).toHaveLength(0);

    const grace = (n: string, as: string, body: object) => act(n, 'grant-grace-period', as, body);
    expect((await grace(a, 'ian@initech.example', { note: 'Please.', until: '2026-03-20' })).status).toBe(
      403,
    );
    expect(
      (await grace(a, ENGINEER, { note: 'Payment on its way.', until: '2026-04-30' })).body.error,
    ).toMatchObject({ field: 'until' });
    const granted = await grace(a, ENGINEER, { note: 'Payment on its way.', until: '2026-03-20' });
    expect(granted.body).toMatchObject({ status: 'Open', subStatus: 'New' });
    // The clock starts at the grant (Tuesday 09:00): high, 4 BH → Tuesday 13:00.
    expect(granted.body.sla.response).toMatchObject({ due: '2026-03-03T13:00:00.000Z' });
    expect((await grace(a, ENGINEER, { note: 'Again.', until: '2026-03-20' })).status).toBe(409);
    // Within the grace period the account's new cases are supported as under contract.
    expect(await show(await open('ian@initech.example', lapsed))).toMatchObject({ subStatus: 'New' });
    // There is one grace period per account: b, opened before it, is closed as No Maintenance.
    const second = await grace(b, ENGINEER, { note: 'And this one?', until: '2026-03-25' });
    expect(second.status).toBe(422);
    expect(second.body.error.message).toContain(`from case ${a}`);
    const closed = await act(b, 'close', ENGINEER, {
      subStatus: 'No Maintenance',
      note: 'No active contract.',
    });
    expect(closed.body).toMatchObject({ status: 'Closed', subStatus: 'No Maintenance' });
    await t.advance('P20D'); // past 20 March: the grace period is over
    expect((await show(await open('ian@initech.example', lapsed))).subStatus).toBe('Maintenance Review');
    // A contract covers the demo accounts: their cases start as New.
    expect((await show(await open())).subStatus).toBe('New');
  });
});

describe('escalation, priority change, survey (SPEC §2, §8, §9)', () => {
  it('a high case can be escalated once support has not updated it for 24 h, stating the business impact; first to its owner, then the on-call manager; low never', async () => {
    t = await startTestRuntime(MONDAY);
    const high = await open();
    const low = await open(DANA, { ...acmeHighCase, severity: 'low', businessImpact: undefined });
    const impact = { reason: 'No progress.', businessImpact: 'Half of the agents are idle.' };
    expect((await act(high, 'take', ENGINEER, {})).body.owner).toBe(ENGINEER);
    await t.advance('PT23H');
    expect((await act(high, 'escalate', DANA, impact)).status).toBe(422);
    await t.advance('PT1H');
    expect((await act(high, 'escalate', DANA, { reason: 'No progress.' })).body.error.field).toBe(
      'businessImpact',
    );
    const ok = await act(high, 'escalate', DANA, impact);
    expect(ok.body.escalationLevel).toBe(1);
    expect((await act(high, 'escalate', DANA, impact)).body.escalationLevel).toBe(2);
    const notice = (level: number) =>
      t
        .mails()
        .then((all) => all.find((m) => m.subject.startsWith(`Escalation level ${level}: Case # ${high}`)));
    expect((await notice(1))?.destination.to).toEqual([ENGINEER]);
    expect((await notice(2))?.destination.to).toEqual(['oncall-emea@support.example']);
    expect((await notice(2))?.body.text).toContain('Reason for escalation: No progress.');
    const refusedLow = await act(low, 'escalate', DANA, { reason: 'x' });
    expect(refusedLow.status).toBe(422);
    expect(refusedLow.body.error.message).toContain('priority change');
  });

  it('escalation eligibility is a plan setting: a plan may let low cases escalate after 5 BD', async () => {
    t = await startTestRuntime(MONDAY);
    const { policy } = await import('#shared/catalogue/index.ts');
    const plan = policy.plans['business-care'] as { escalation?: typeof policy.escalation };
    plan.escalation = { ...policy.escalation, low: { notUpdatedFor: '5BD' } };
    try {
      const low = await open(DANA, { ...acmeHighCase, severity: 'low', businessImpact: undefined });
      await t.advance('P4D'); // Friday 09:00: 4 BD
      expect((await act(low, 'escalate', DANA, { reason: 'Still waiting.' })).status).toBe(422);
      await t.advance('P3D'); // Monday 09:00: 5 BD
      expect((await act(low, 'escalate', DANA, { reason: 'Still waiting.' })).body.escalationLevel).toBe(1);
    } finally {
      delete plan.escalation;
    }
  });

  it('priority change: low → medium is a request the engineer decides; to high only by phone', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(DANA, { ...acmeHighCase, severity: 'low', businessImpact: undefined });
    const asked = await act(n, 'request-priority-change', DANA, {
      severity: 'medium',
      note: 'More users now.',
    });
    expect(asked.body).toMatchObject({ severity: 'low', priorityRequest: { severity: 'medium' } });
    const high = await act(n, 'request-priority-change', DANA, { severity: 'high', note: 'Worse.' });
    expect(high.status).toBe(422);
    expect(high.body.error.message).toContain('phone');
    expect((await act(n, 'decide-priority-change', DANA, { decision: 'accepted' })).status).toBe(403);
    const decided = await act(n, 'decide-priority-change', ENGINEER, { decision: 'accepted' });
    expect(decided.body.severity).toBe('medium');
    expect(decided.body.priorityRequest).toBeUndefined();
    expect((await act(n, 'set-severity', ENGINEER, { severity: 'high' })).body.severity).toBe('high');
  });

  it('the survey is answered once, up to 60 days after closure', async () => {
    t = await startTestRuntime(MONDAY);
    const a = await open();
    const b = await open();
    await act(a, 'close', DANA, { subStatus: 'Resolved', note: 'Done.' });
    await act(b, 'close', DANA, { subStatus: 'Cancelled', note: 'Not needed.' });
    const ratings = [5, 4, 5, 5, 3, 4];
    expect(
      (await t.api('POST', `/v1/cases/${a}/survey`, { as: DANA, body: { ratings, comment: 'Quick.' } }))
        .status,
    ).toBe(200);
    expect((await t.api('POST', `/v1/cases/${a}/survey`, { as: DANA, body: { ratings } })).status).toBe(409);
    expect(
      (await t.api('POST', `/v1/cases/${a}/survey`, { as: DANA, body: { ratings: [5] } })).body.error.field,
    ).toBe('ratings');
    await t.advance('P61D');
    expect((await t.api('POST', `/v1/cases/${b}/survey`, { as: DANA, body: { ratings } })).status).toBe(422);
  });
});

describe('the workflow over a long life', () => {
  it('continues as a new execution before the one-year limit, resuming at the case status', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'request-info', ENGINEER, { note: 'Please send the logs.' });
    await act(n, 'snooze-follow-ups', ENGINEER, { until: '2026-03-31T09:00:00Z' });
    // Keep the case waiting: the customer asks for more time, every 20 days, for 320 days.
    for (let step = 0; step < 16; step++) {
      await t.advance('P20D');
      await t.api('POST', `/v1/cases/${n}/updates`, {
        as: DANA,
        body: { note: `Still collecting logs (${step}).` },
      });
      await act(n, 'request-info', ENGINEER, { note: 'Please send the logs.' });
    }
    const { executions = [] } = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN }),
    );
    expect(executions.find((e) => e.name === n)?.status).toBe('SUCCEEDED');
    const next = executions.find((e) => e.name === `${n}-g2`);
    expect(next?.status).toBe('RUNNING');
    const { events = [] } = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn: next?.executionArn }),
    );
    expect(
      events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name),
    ).toContain('AwaitingInfo');
    // The new execution still runs the follow-ups.
    await t.advance('P7D');
    expect(await mailsAbout(n, 'reminder 1')).not.toHaveLength(0);
    // 90 days after it closed the first execution is gone, and a restart does not start it anew.
    await t.api('POST', `/v1/cases/${n}/updates`, { as: DANA, body: { note: 'Logs soon.' } });
    await t.advance('P100D');
    await t.stop(true);
    t = await startTestRuntime(new Date(Date.parse(MONDAY) + 440 * 86_400_000).toISOString(), t.dataDir);
    const after = (
      await sfn().send(new ListExecutionsCommand({ stateMachineArn: process.env.CASEWORK_STATE_MACHINE_ARN }))
    ).executions?.map((e) => [e.name, e.status]);
    expect(after).toEqual([[`${n}-g2`, 'RUNNING']]);
  });
});

describe('feature requests, change requests, incident reports (SPEC §10, §11)', () => {
  const featureRequestCase = {
    ...acmeHighCase,
    type: 'feature-request',
    severity: 'low',
    businessImpact: undefined,
  };

  it('a feature request gets its own number, goes Under Review, and the case closes as Feature Request', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(DANA, featureRequestCase);
    const raised = await act(n, 'raise-feature-request', ENGINEER, {
      note: 'Export of call recordings as FLAC.',
    });
    expect(raised.body).toMatchObject({
      status: 'Closed',
      subStatus: 'Feature Request',
      featureRequest: { status: 'Under Review' },
    });
    expect(raised.body.featureRequest.number).toMatch(/^FR-\d{10}$/);
    const scheduled = await act(n, 'update-feature-request', ENGINEER, {
      status: 'Scheduled',
      targetRelease: '13.0',
    });
    expect(scheduled.body.featureRequest).toMatchObject({ status: 'Scheduled', targetRelease: '13.0' });
    expect((await act(n, 'update-feature-request', ENGINEER, { status: 'Closed' })).body.error.field).toBe(
      'resolution',
    );
  });

  it('a closed feature request stays visible to the customer for one year, to engineers always', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(DANA, featureRequestCase);
    await act(n, 'raise-feature-request', ENGINEER, { note: 'Dark mode for the agent desktop.' });
    await act(n, 'update-feature-request', ENGINEER, { status: 'Closed', resolution: 'declined' });
    const seenBy = async (as: string) => (await t.api('GET', `/v1/cases/${n}`, { as })).body.featureRequest;
    await t.advance('P364D');
    expect(await seenBy(DANA)).toMatchObject({ status: 'Closed', resolution: 'declined' });
    await t.advance('P2D');
    expect(await seenBy(DANA)).toBeUndefined();
    expect(await seenBy(ENGINEER)).toMatchObject({ status: 'Closed', resolution: 'declined' });
  });

  it('a cloud change request is acknowledged within 1 BD and decided within 2 BD (met or breached), complete on the completion notice', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(GUS, { ...globexCase, type: 'change-request', severity: 'low' });
    const c = await show(n);
    // Completed Monday 04:00 New York time: the clock starts at the 08:00 opening (13:00Z).
    expect(c.obligations).toEqual({
      acknowledgeChange: { due: '2026-03-03T13:00:00.000Z', done: null, state: 'pending' },
      decideChange: { due: '2026-03-04T13:00:00.000Z', done: null, state: 'pending' },
    });
    const acknowledged = await act(n, 'acknowledge-change', ENGINEER, { note: 'Received.' });
    expect(acknowledged.body.obligations.acknowledgeChange).toMatchObject({ state: 'met' });
    await t.advance('P3D');
    expect((await show(n)).obligations.decideChange).toMatchObject({ done: null, state: 'breached' });
    // The workflow woke at the missed decision and told the on-call manager, once.
    await t.advance('P1D');
    const notices = (await mailsAbout(n, 'SLA breach')).filter((m) => m.subject.includes('change-request'));
    expect(notices.map((m) => [m.destination.to, m.subject])).toEqual([
      [['oncall-north-america@support.example'], expect.stringContaining('change-request decision (2 BD)')],
    ]);
    const decided = await act(n, 'decide-change', ENGINEER, {
      decision: 'accepted',
      note: 'Scheduled for Thursday.',
    });
    expect(decided.body.obligations.decideChange).toMatchObject({ state: 'breached' });
    const done = await act(n, 'complete-change', ENGINEER, { note: 'Two queues added.' });
    expect(done.body).toMatchObject({ status: 'Closed', changeRequest: { decision: 'accepted' } });
  });

  it('a cloud service interruption: post-mortem within 2 BD of restoration, then the incident report the customer asked for', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open(GUS, { ...globexCase, severity: 'high', businessImpact: 'Calls drop.' });
    const report = {
      title: 'Calls dropped in us-east',
      clientsAffected: 'Globex',
      occurredAt: '2026-03-02T08:00:00Z',
      duration: '2 h',
      details: 'A media server failed.',
      restoration: 'Traffic moved to a standby.',
      rootCause: 'A full disk.',
      actionPlan: 'Disk alarms.',
    };
    expect((await act(n, 'file-incident-report', ENGINEER, { stage: 'post-mortem', report })).status).toBe(
      409,
    );
    await act(n, 'mark-restored', ENGINEER, { note: 'Standby active.' });
    // Not a service interruption yet: no report is due, none is filed.
    expect((await show(n)).obligations).toEqual({});
    expect((await act(n, 'file-incident-report', ENGINEER, { stage: 'post-mortem', report })).status).toBe(
      409,
    );
    await act(n, 'mark-service-interruption', ENGINEER, {});
    expect(Object.keys((await show(n)).obligations)).toEqual(['postMortem']);
    expect(
      (await act(n, 'file-incident-report', ENGINEER, { stage: 'incident-report', report })).status,
    ).toBe(409);
    expect(
      (
        await act(n, 'file-incident-report', ENGINEER, {
          stage: 'post-mortem',
          report: { ...report, rootCause: undefined },
        })
      ).body.error.field,
    ).toBe('report.rootCause');
    await act(n, 'file-incident-report', ENGINEER, { stage: 'post-mortem', report });
    // The written report only for a customer who asks for one.
    expect(
      (await act(n, 'file-incident-report', ENGINEER, { stage: 'incident-report', report })).body.error
        .message,
    ).toContain('request');
    await act(n, 'request-incident-report', GUS, { note: 'Our board wants the written report.' });
    const c = (await act(n, 'file-incident-report', ENGINEER, { stage: 'incident-report', report })).body;
    expect(c.incidentReports.map((r: { stage: string }) => r.stage)).toEqual([
      'post-mortem',
      'incident-report',
    ]);
    expect(c.obligations.postMortem).toMatchObject({ state: 'met' });
    expect(c.obligations.incidentReport).toMatchObject({ state: 'met' });
  });

  it('by plan setting, a critical case from the portal opens as High flagged criticalRequested', async () => {
    t = await startTestRuntime(MONDAY);
    const { policy } = await import('#shared/catalogue/index.ts');
    const plan = policy.plans['business-care'] as { criticalFromCustomer: string };
    plan.criticalFromCustomer = 'open-as-high';
    try {
      const res = await t.api('POST', '/v1/cases', {
        as: DANA,
        body: { ...acmeHighCase, severity: 'critical', contactPhone: '+44 20 7946 0000' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ severity: 'high', criticalRequested: true });
    } finally {
      plan.criticalFromCustomer = 'refuse';
    }
  });
});

describe('SLA compliance report (SPEC §4)', () => {
  it('per plan × severity, the share of closed cases that met each target, against the contractual share', async () => {
    t = await startTestRuntime(MONDAY);
    // Two high cases: one answered and solved in time, one answered late and solved late.
    const fast = await open();
    const slow = await open();
    await act(fast, 'respond', ENGINEER, { note: 'On it.' });
    await act(fast, 'close', ENGINEER, { subStatus: 'Problem Resolved', note: 'Fixed.' });
    await t.advance('P3D');
    await act(slow, 'respond', ENGINEER, { note: 'Sorry for the wait.' });
    await act(slow, 'close', ENGINEER, { subStatus: 'Problem Resolved', note: 'Fixed.' });
    expect((await t.api('GET', '/v1/reports/sla-compliance', { as: DANA })).status).toBe(403);
    expect(
      (await t.api('GET', '/v1/reports/sla-compliance?from=yesterday', { as: ENGINEER })).body.error.field,
    ).toBe('from');
    const report = (
      await t.api('GET', '/v1/reports/sla-compliance?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z', {
        as: ENGINEER,
      })
    ).body;
    expect(report.rows).toEqual([
      {
        plan: 'business-care',
        severity: 'high',
        closedCases: 2,
        targets: {
          response: { target: '4BH', met: 1, breached: 1, shareMet: 0.5 },
          resolution: { target: '2BD', met: 1, breached: 1, shareMet: 0.5, contractualShare: 0.8 },
        },
        contractualShare: 0.8,
        compliant: false,
      },
    ]);
    // The report and the case view agree, target by target.
    const views = await Promise.all([fast, slow].map(show));
    for (const kind of ['response', 'resolution']) {
      const count = (state: string) => views.filter((v) => v.sla[kind].outcome.state === state).length;
      const { met, breached } = report.rows[0].targets[kind];
      expect({ met: count('met'), breached: count('breached') }).toEqual({ met, breached });
    }
    // A reopened case is no longer closed; a period ending before a closing leaves that case out.
    await act(fast, 'reopen', ENGINEER, { note: 'It came back after the upgrade.' });
    const period = async (from: string, to: string) =>
      (await t.api('GET', `/v1/reports/sla-compliance?from=${from}&to=${to}`, { as: ENGINEER })).body.rows;
    expect(await period('2026-03-01T00:00:00Z', '2026-03-31T00:00:00Z')).toMatchObject([
      { closedCases: 1, targets: { response: { met: 0, breached: 1 } } },
    ]);
    expect(await period('2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z')).toEqual([]);
  });

  it('cloud restoration carries a 95% share; pureconnect RCAs are reported as an average of business days', async () => {
    t = await startTestRuntime(MONDAY);
    await t.provision(umbrellaPureconnect);
    const cloud = await open(GUS, { ...globexCase, severity: 'high', businessImpact: 'Calls drop.' });
    await act(cloud, 'mark-restored', ENGINEER, { note: 'Standby active.' });
    await act(cloud, 'close', ENGINEER, { subStatus: 'Problem Resolved', note: 'Fixed.' });
    const rca = await open('uma@umbrella.example', { ...acmeHighCase, account: 'umbrella' }); // high: RCA 9 BD
    await act(rca, 'mark-information-complete', ENGINEER, {});
    await t.advance('P3D'); // Thursday 09:00: 3 business days
    await act(rca, 'deliver-rca', ENGINEER, { note: 'Root cause: a full disk.' });
    await act(rca, 'close', ENGINEER, { subStatus: 'Problem Resolved', note: 'Fixed.' });
    const rows = (
      await t.api('GET', '/v1/reports/sla-compliance?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z', {
        as: ENGINEER,
      })
    ).body.rows;
    expect(
      rows.find((r: { plan: string }) => r.plan === 'business-care-for-cloud').targets.restoration,
    ).toEqual({
      target: '2BD',
      met: 1,
      breached: 0,
      shareMet: 1,
      contractualShare: 0.95,
    });
    expect(rows.find((r: { plan: string }) => r.plan === 'pureconnect').targets).toEqual({
      rootCause: { target: '9BD', met: 1, breached: 0, shareMet: 1, averageBusinessDays: 3 },
    });
  });

  it('a case closed in time as Cancelled stays out of ?breached=true and out of the resolution share a month later', async () => {
    t = await startTestRuntime(MONDAY);
    const n = await open();
    await act(n, 'respond', ENGINEER, { note: 'On it.' });
    await act(n, 'close', DANA, { subStatus: 'Cancelled', note: 'Not needed any more.' });
    await t.advance('P30D');
    const view = await show(n);
    expect(view.sla.resolution.outcome).toEqual({ state: 'n/a' });
    const breached = await t.api('GET', '/v1/cases?breached=true', { as: ENGINEER });
    expect(breached.body.items.map((c: { number: string }) => c.number)).not.toContain(view.number);
    const report = (
      await t.api('GET', '/v1/reports/sla-compliance?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z', {
        as: ENGINEER,
      })
    ).body;
    expect(report.rows[0].targets).toEqual({
      response: expect.objectContaining({ met: 1, breached: 0 }),
      resolution: expect.objectContaining({ met: 0, breached: 0, shareMet: null }),
    });
    expect(await t.mails()).not.toContainEqual(
      expect.objectContaining({ subject: expect.stringContaining('breach') }),
    );
  });
});

describe('owners and queues (SPEC §2)', () => {
  it('unowned cases of my centres and my cases, most urgent first; the owner is shown to the customer', async () => {
    t = await startTestRuntime(MONDAY);
    await t.provision({ engineers: { 'ed@support.example': { name: 'Ed', centres: ['emea'] } } });
    const ED = 'ed@support.example';
    const medium = await open(DANA, { ...acmeHighCase, severity: 'medium', businessImpact: undefined }); // 1 BD
    const high = await open(); // 4 BH: due first
    const cloud = await open(GUS, globexCase); // north-america
    const queue = async (as: string, name: string) =>
      (await t.api('GET', `/v1/cases?queue=${name}`, { as })).body.items.map(
        (c: { number: string }) => c.number,
      );
    expect(await queue(ED, 'unowned')).toEqual([high, medium]);
    // Eve has no centres given: every centre. High 4 BH (13:00), globex 4 BH from 08:00 New York (17:00), medium 1 BD.
    expect(await queue(ENGINEER, 'unowned')).toEqual([high, cloud, medium]);
    expect((await act(high, 'take', ED, {})).body.owner).toBe(ED);
    const assigned = await act(medium, 'assign', ED, { engineer: ENGINEER });
    expect(assigned.body.owner).toBe(ENGINEER);
    expect((await act(medium, 'assign', ED, { engineer: DANA })).body.error.field).toBe('engineer');
    expect(await queue(ED, 'unowned')).toEqual([]);
    expect(await queue(ED, 'mine')).toEqual([high]);
    expect(await queue(ENGINEER, 'mine')).toEqual([medium]);
    expect((await t.api('GET', `/v1/cases/${high}`, { as: DANA })).body.owner).toBe(ED);
    expect((await t.api('GET', '/v1/cases?queue=mine', { as: DANA })).status).toBe(403);
  });
});

describe('cloud case fields and the SLA explanation of a real case (SPEC §2, §12)', () => {
  it('a cloud case carries how often, first observed, the users’ hours and location; an on-premise case refuses them (400)', async () => {
    t = await startTestRuntime(MONDAY);
    const fields = {
      frequency: 'Every few minutes',
      firstObservedAt: '2026-03-01T18:00:00Z',
      usersWorkingHours: '08:00–18:00 Eastern',
      usersLocation: 'Boston',
    };
    const n = await open(GUS, { ...globexCase, ...fields });
    expect(await show(n)).toMatchObject(fields);
    const refused = await t.api('POST', '/v1/cases', {
      as: DANA,
      body: { ...acmeHighCase, frequency: 'Daily' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('frequency');
  });

  it('GET /v1/cases/{n}/sla says why each target is due then: where it counts from, the open time counted, the pauses', async () => {
    t = await startTestRuntime('2026-03-06T17:00:00Z'); // Friday 17:00 London
    const n = await open(); // business-care high: 4 BH response, 2 BD resolution
    const res = await t.api('GET', `/v1/cases/${n}/sla`, { as: DANA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      caseNumber: expect.stringMatching(/^\d{10}$/),
      plan: 'business-care',
      centre: 'emea',
    });
    // Two hours on Friday to 19:00, two on Monday from 08:00: due Monday 10:00.
    expect(res.body.targets.response).toMatchObject({
      target: '4BH',
      due: '2026-03-09T10:00:00.000Z',
      countsFrom: '2026-03-06T17:00:00.000Z',
      explanation: {
        counted: [
          { from: '2026-03-06T17:00:00.000Z', to: '2026-03-06T19:00:00.000Z' },
          { from: '2026-03-09T08:00:00.000Z', to: '2026-03-09T10:00:00.000Z' },
        ],
      },
    });
    expect(res.body.targets.restoration).toMatchObject({ target: null, explanation: null });
    expect((await t.api('GET', `/v1/cases/${n}/sla`, { as: GUS })).status).toBe(404);
  });
});
