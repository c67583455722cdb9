import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '#shared/cases/model.ts';
import { decide } from '#shared/cases/transitions.ts';
import { aCase, at, CONTACT, DAY, ENGINEER, MONDAY, OTHER_ENGINEER } from './fixtures.ts';

describe('case owners (SPEC §2)', () => {
  it('an engineer takes an unowned case; the owner is on the case and in the public timeline', () => {
    const d = decide(aCase(), { kind: 'take' }, ENGINEER, MONDAY);
    expect(d.next.owner).toBe(ENGINEER.email);
    expect(d.timeline).toEqual([expect.objectContaining({ kind: 'owner', visibility: 'public' })]);
  });

  it('a case owned by another engineer is not taken (409 naming the owner), it is assigned', () => {
    const owned = aCase({ owner: OTHER_ENGINEER.email });
    expect(() => decide(owned, { kind: 'take' }, ENGINEER, MONDAY)).toThrow(
      expect.objectContaining({
        status: 409,
        message: expect.stringContaining(OTHER_ENGINEER.email as string),
      }),
    );
    const d = decide(owned, { kind: 'assign', engineer: ENGINEER.email as string }, OTHER_ENGINEER, MONDAY);
    expect(d.next.owner).toBe(ENGINEER.email);
  });

  it('customers neither take nor assign cases (403)', () => {
    expect(() => decide(aCase(), { kind: 'take' }, CONTACT, MONDAY)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});

describe('escalation path per centre (SPEC §8)', () => {
  // High cases escalate once support has not updated them for 24 h.
  const ask = (c: CaseRecord, when = at(MONDAY, 2 * DAY)) =>
    decide(c, { kind: 'escalate', reason: 'No news.', businessImpact: 'Sales are stopped.' }, CONTACT, when);
  const climb = (c: CaseRecord, times: number) => {
    const to: string[] = [];
    let current = c;
    for (let i = 0; i < times; i++) {
      const d = ask(current);
      to.push(d.mails[0]?.to as string);
      current = d.next;
    }
    return { to, last: current };
  };

  it('emea: the owner first, then on-call manager → director → vice president → executive vice president', () => {
    const { to, last } = climb(aCase({ owner: ENGINEER.email }), 5);
    expect(to).toEqual([
      ENGINEER.email,
      'oncall-emea@support.example',
      'director-emea@support.example',
      'vp-support@support.example',
      'executive@support.example',
    ]);
    expect(() => ask(last)).toThrow(
      expect.objectContaining({ status: 422, message: expect.stringContaining('final') }),
    );
  });

  it('apac: named manager → vice president → executive vice president', () => {
    const { to } = climb(aCase({ centre: 'apac' }), 3);
    expect(to).toEqual([
      'manager-apac@support.example',
      'vp-support@support.example',
      'executive@support.example',
    ]);
  });

  it('an owner taking the case after a first escalation does not send the next request down again', () => {
    const first = ask(aCase()).next; // to the on-call manager: nobody owned the case
    const owned = decide(first, { kind: 'take' }, ENGINEER, at(MONDAY, 2 * DAY)).next;
    expect(ask({ ...owned, lastSupportUpdateAt: null }).mails[0]?.to).toBe('director-emea@support.example');
  });

  it('high severity needs the business impact stated in the request (400 naming businessImpact)', () => {
    expect(() =>
      decide(aCase(), { kind: 'escalate', reason: 'No news.' }, CONTACT, at(MONDAY, 2 * DAY)),
    ).toThrow(expect.objectContaining({ status: 400, field: 'businessImpact' }));
  });
});
