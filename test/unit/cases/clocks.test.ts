import { describe, expect, it } from 'vitest';
import { slaStatus } from '#shared/cases/sla.ts';
import { decide } from '#shared/cases/transitions.ts';
import { aCase, at, CONTACT, DAY, ENGINEER, HOUR, MONDAY, run, SYSTEM } from './fixtures.ts';

// aCase(): business-care, emea (08:00–19:00 London), high: response 4 BH, resolution 2 BD, complete Monday 09:00.

describe('every clock stops when the case closes (SPEC §4)', () => {
  it('a case closed in time as Cancelled shows resolution not applicable a month later, never breached', () => {
    const { case: c } = run(aCase(), [
      [{ kind: 'respond', note: 'Looking.' }, ENGINEER, at(MONDAY, HOUR)],
      [
        { kind: 'close', subStatus: 'Cancelled', note: 'Not needed any more.' },
        CONTACT,
        at(MONDAY, 2 * HOUR),
      ],
    ]);
    const status = slaStatus(c, at(MONDAY, 30 * DAY));
    expect(status?.response.outcome).toEqual({ state: 'met', at: at(MONDAY, HOUR).toISOString() });
    expect(status?.resolution.outcome).toEqual({ state: 'n/a' });
  });

  it('a deadline after the closure records no breach', () => {
    const closed = run(aCase(), [
      [
        { kind: 'close', subStatus: 'General Question Answered', note: 'Answered.' },
        ENGINEER,
        at(MONDAY, HOUR),
      ],
    ]).case;
    const d = decide(closed, { kind: 'deadline' }, SYSTEM, at(MONDAY, 10 * DAY));
    expect(d.unchanged).toBe(true);
    expect(d.breaches).toBeUndefined();
  });

  it('closed Monday 10:00, reopened Wednesday 10:00: the 2 BD resolution is due Friday 09:00, the closed days never count', () => {
    const { case: c, decisions } = run(aCase(), [
      [{ kind: 'respond', note: 'Looking.' }, ENGINEER, at(MONDAY, HOUR)],
      [{ kind: 'close', subStatus: 'Working as Designed', note: 'As designed.' }, ENGINEER, at(MONDAY, HOUR)],
      [{ kind: 'reopen', note: 'It came back.' }, ENGINEER, at(MONDAY, 2 * DAY + HOUR)],
    ]);
    // Without the stop it would have been due Wednesday 09:00, while the case was closed.
    expect(slaStatus(c, at(MONDAY, 2 * DAY + HOUR))?.resolution).toMatchObject({
      due: new Date('2026-03-06T09:00:00.000Z'),
      outcome: { state: 'pending' },
    });
    expect(decisions.flatMap((d) => d.breaches ?? [])).toEqual([]);
    expect(c.closedPeriods).toEqual([
      { from: at(MONDAY, HOUR).toISOString(), to: at(MONDAY, 2 * DAY + HOUR).toISOString() },
    ]);
  });

  it('a target met before the closure stays met after a reopening', () => {
    const { case: c } = run(aCase(), [
      [{ kind: 'propose-solution', note: 'Try this.' }, ENGINEER, at(MONDAY, HOUR)],
      [{ kind: 'accept-solution' }, CONTACT, at(MONDAY, 2 * HOUR)],
      [{ kind: 'reopen', note: 'It came back.' }, ENGINEER, at(MONDAY, 3 * HOUR)],
    ]);
    expect(c.slaOutcomes).toMatchObject({
      response: { state: 'met', at: at(MONDAY, HOUR).toISOString() },
      resolution: { state: 'met', at: at(MONDAY, 2 * HOUR).toISOString() },
    });
  });
});

describe('severity raise and lowering (SPEC §4)', () => {
  it('high raised to critical three hours after opening: the 60 min response counts from the raise, no breach', () => {
    const raise = at(MONDAY, 3 * HOUR);
    const d = decide(aCase(), { kind: 'set-severity', severity: 'critical' }, ENGINEER, raise);
    expect(d.breaches).toBeUndefined();
    expect(d.mails.map((m) => m.kind)).not.toContain('sla-breach');
    expect(slaStatus(d.next, at(raise, 30 * 60_000))?.response).toMatchObject({
      target: '60min',
      due: at(raise, HOUR),
      outcome: { state: 'pending' },
    });
  });

  it('critical lowered to high counts the 4 BH response from the original start', () => {
    const critical = aCase({ severity: 'critical', contactPhone: '+44 20 7946 0000' });
    const d = decide(critical, { kind: 'set-severity', severity: 'high' }, ENGINEER, at(MONDAY, 30 * 60_000));
    expect(slaStatus(d.next, at(MONDAY, HOUR))?.response.due?.toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  it('a response met before the raise stays met', () => {
    const { case: c } = run(aCase(), [
      [{ kind: 'respond', note: 'Looking.' }, ENGINEER, at(MONDAY, HOUR)],
      [{ kind: 'set-severity', severity: 'critical' }, ENGINEER, at(MONDAY, 5 * HOUR)],
    ]);
    expect(slaStatus(c, at(MONDAY, 10 * HOUR))?.response.outcome).toEqual({
      state: 'met',
      at: at(MONDAY, HOUR).toISOString(),
    });
  });
});

describe('cloud response counts from submission (SPEC §4)', () => {
  // globex: business-care-for-cloud, north-america (08:00–21:00 New York); medium response 4 BH.
  const submitted = new Date('2026-03-02T14:00:00Z'); // Monday 09:00 EST
  const cloud = aCase({
    account: 'globex',
    plan: 'business-care-for-cloud',
    centre: 'north-america',
    contact: 'gus@globex.example',
    severity: 'medium',
    circumstances: undefined,
    completedAt: null,
    createdAt: submitted.toISOString(),
  });

  it('completed two hours after submission: the 4 BH response is due 4 h after submission', () => {
    const d = decide(
      cloud,
      { kind: 'customer-update', note: 'Since Sunday.', circumstances: 'Since Sunday.' },
      { kind: 'contact', email: 'gus@globex.example' },
      at(submitted, 2 * HOUR),
    );
    expect(slaStatus(d.next, at(submitted, 2 * HOUR))?.response.due?.toISOString()).toBe(
      '2026-03-02T18:00:00.000Z',
    );
  });

  it("support's request for the missing information is the response", () => {
    const d = decide(
      cloud,
      { kind: 'request-info', note: 'What happened first?' },
      ENGINEER,
      at(submitted, HOUR),
    );
    expect(d.next.respondedAt).toBe(at(submitted, HOUR).toISOString());
  });

  it('on-premise response still counts from completion', () => {
    const incomplete = aCase({ circumstances: undefined, completedAt: null });
    const d = decide(
      incomplete,
      { kind: 'customer-update', note: 'Upgrade.', circumstances: 'Upgrade.' },
      CONTACT,
      at(MONDAY, 2 * HOUR),
    );
    expect(slaStatus(d.next, at(MONDAY, 2 * HOUR))?.response.due?.toISOString()).toBe(
      '2026-03-02T15:00:00.000Z',
    );
  });
});

describe('defect correction (SPEC §4)', () => {
  it('an on-premise case marked defectCorrection has no resolution target', () => {
    const d = decide(aCase(), { kind: 'set-defect-correction', defectCorrection: true }, ENGINEER, MONDAY);
    expect(slaStatus(d.next, at(MONDAY, 30 * DAY))?.resolution).toMatchObject({
      target: null,
      due: null,
      outcome: { state: 'n/a' },
    });
  });

  it('is refused on a cloud plan and to customers', () => {
    const cloud = aCase({ plan: 'business-care-for-cloud', centre: 'north-america' });
    expect(() =>
      decide(cloud, { kind: 'set-defect-correction', defectCorrection: true }, ENGINEER, MONDAY),
    ).toThrow(expect.objectContaining({ status: 409 }));
    expect(() =>
      decide(aCase(), { kind: 'set-defect-correction', defectCorrection: true }, CONTACT, MONDAY),
    ).toThrow(expect.objectContaining({ status: 403 }));
  });
});

describe('pureconnect root-cause analysis (SPEC §4)', () => {
  const pure = aCase({ plan: 'pureconnect' });

  it('high: RCA 9 BD from the instant all information is in, met when delivered', () => {
    expect(slaStatus(pure, at(MONDAY, 20 * DAY))?.rootCause).toMatchObject({
      target: '9BD',
      due: null,
      outcome: { state: 'pending' },
    });
    const { case: c } = run(pure, [
      [{ kind: 'mark-information-complete' }, ENGINEER, at(MONDAY, DAY)],
      [{ kind: 'deliver-rca', note: 'Root cause: a full disk.' }, ENGINEER, at(MONDAY, 8 * DAY)],
    ]);
    // Tuesday 3 March 09:00 + 9 BD = Monday 16 March 09:00.
    expect(slaStatus(c, at(MONDAY, 8 * DAY))?.rootCause).toMatchObject({
      due: new Date('2026-03-16T09:00:00.000Z'),
      outcome: { state: 'met', at: at(MONDAY, 8 * DAY).toISOString() },
    });
  });

  it('undelivered past its due instant, the RCA target is breached once', () => {
    const started = decide(pure, { kind: 'mark-information-complete' }, ENGINEER, MONDAY).next;
    const d = decide(started, { kind: 'deadline' }, SYSTEM, new Date('2026-03-13T09:00:00.001Z'));
    expect(d.breaches).toEqual(['rootCause']);
  });
});
