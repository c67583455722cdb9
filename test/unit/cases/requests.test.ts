import { describe, expect, it } from 'vitest';
import { obligationsOf } from '#shared/cases/sla.ts';
import { decide } from '#shared/cases/transitions.ts';
import { aCase, at, CONTACT, DAY, ENGINEER, HOUR, MONDAY, run } from './fixtures.ts';

describe('feature requests (SPEC §10)', () => {
  const fr = aCase({ type: 'feature-request', severity: 'low' });

  it('while product management evaluates, the case stays Open/PM Review, up to 55 BD', () => {
    const d = decide(fr, { kind: 'refer-to-product-management', note: 'Sent to PM.' }, ENGINEER, MONDAY);
    // Monday 2 March 2026 + 55 business days of emea, past Good Friday, Easter Monday and the Early May
    // bank holiday: Thursday 21 May, 09:00 London (BST).
    expect(d.next).toMatchObject({
      status: 'Open',
      subStatus: 'PM Review',
      featureEvaluation: { since: MONDAY.toISOString(), due: '2026-05-21T08:00:00.000Z' },
    });
  });

  it('when the FR goes Under Review the case closes as Feature Request; FR changes are mailed to the contact', () => {
    const { case: c, decisions } = run(fr, [
      [{ kind: 'refer-to-product-management', note: 'Sent to PM.' }, ENGINEER, MONDAY],
      [
        { kind: 'raise-feature-request', frNumber: 'FR-0000000001', note: 'Accepted.' },
        ENGINEER,
        at(MONDAY, DAY),
      ],
      [
        { kind: 'update-feature-request', status: 'Scheduled', targetRelease: '13.0' },
        ENGINEER,
        at(MONDAY, 2 * DAY),
      ],
    ]);
    expect(c).toMatchObject({
      status: 'Closed',
      subStatus: 'Feature Request',
      featureRequest: { status: 'Scheduled' },
    });
    expect(decisions[2]?.mails).toEqual([
      expect.objectContaining({
        kind: 'response',
        to: CONTACT.email,
        note: expect.stringContaining('Scheduled'),
      }),
    ]);
  });
});

describe('cloud change requests (SPEC §10)', () => {
  const cr = aCase({
    type: 'change-request',
    severity: 'low',
    plan: 'business-care-for-cloud',
    centre: 'north-america',
    completedAt: '2026-03-02T14:00:00.000Z',
  });

  it('a rejected request goes back to the customer (the case stays open); the resubmission restarts the 1 BD / 2 BD', () => {
    const { case: rejected } = run(cr, [
      [{ kind: 'decide-change', decision: 'rejected', note: 'Name the queues.' }, ENGINEER, at(MONDAY, HOUR)],
    ]);
    expect(rejected).toMatchObject({
      status: 'Awaiting Info',
      closedAt: null,
      changeRequest: { decision: 'rejected' },
    });
    const resubmitted = decide(
      rejected,
      { kind: 'resubmit-change', note: 'Queues: sales, billing.' },
      CONTACT,
      new Date('2026-03-04T15:00:00Z'),
    ).next;
    expect(resubmitted).toMatchObject({ status: 'Open', subStatus: 'Customer Responded' });
    expect(obligationsOf(resubmitted, new Date('2026-03-04T15:00:00Z'))).toMatchObject({
      acknowledgeChange: { due: '2026-03-05T15:00:00.000Z', state: 'pending' },
      decideChange: { due: '2026-03-06T15:00:00.000Z', state: 'pending' },
    });
  });

  it('work beyond a standard change waits in Order Pending until the Services Order is signed', () => {
    const { case: pending } = run(cr, [
      [{ kind: 'decide-change', decision: 'accepted', note: 'OK.' }, ENGINEER, at(MONDAY, HOUR)],
      [{ kind: 'require-services-order', note: 'Needs a SOW.' }, ENGINEER, at(MONDAY, 2 * HOUR)],
    ]);
    expect(pending.subStatus).toBe('Order Pending');
    expect(() =>
      decide(pending, { kind: 'complete-change', note: 'Done.' }, ENGINEER, at(MONDAY, DAY)),
    ).toThrow(expect.objectContaining({ status: 409 }));
    const signed = decide(
      pending,
      { kind: 'sign-services-order', note: 'SOW signed.' },
      ENGINEER,
      at(MONDAY, DAY),
    );
    expect(
      decide(signed.next, { kind: 'complete-change', note: 'Done.' }, ENGINEER, at(MONDAY, 2 * DAY)).next,
    ).toMatchObject({
      status: 'Closed',
      subStatus: 'Software Request Fulfilled',
    });
  });
});
