import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '#shared/cases/model.ts';
import { decide } from '#shared/cases/transitions.ts';
import { aCase, at, CONTACT, DAY, ENGINEER, HOUR, MONDAY, OTHER_CONTACT } from './fixtures.ts';

const closedAs = (subStatus: string, overrides: Partial<CaseRecord> = {}) =>
  aCase({ status: 'Closed', subStatus, closedAt: MONDAY.toISOString(), ...overrides });
const cloud = { plan: 'business-care-for-cloud', centre: 'north-america' };
const reopen = { kind: 'reopen', note: 'It came back.' } as const;
const later = at(MONDAY, DAY);

describe('reopen rules per plan (SPEC §3)', () => {
  it('on-premise: the customer calls; only an engineer reopens (403 from the portal)', () => {
    expect(() => decide(closedAs('Resolved'), reopen, CONTACT, later)).toThrow(
      expect.objectContaining({ status: 403, message: expect.stringContaining('call support') }),
    );
    expect(decide(closedAs('Resolved'), reopen, ENGINEER, later).next).toMatchObject({
      status: 'Open',
      subStatus: 'Investigation',
      closedAt: null,
    });
  });

  it('cloud: the customer reopens a Cancelled case, never one closed as Resolved', () => {
    expect(decide(closedAs('Cancelled', cloud), reopen, CONTACT, later).next).toMatchObject({
      status: 'Open',
      subStatus: 'Customer Responded',
    });
    expect(() => decide(closedAs('Resolved', cloud), reopen, CONTACT, later)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(decide(closedAs('Resolved', cloud), reopen, ENGINEER, later).next.status).toBe('Open');
  });

  it('pureconnect: the portal request makes the case Closed/Customer requested to re-open; an engineer reopens or declines', () => {
    const requested = decide(closedAs('Cancelled', { plan: 'pureconnect' }), reopen, CONTACT, later).next;
    expect(requested).toMatchObject({
      status: 'Closed',
      subStatus: 'Customer requested to re-open',
      reopenRequest: { closedAs: 'Cancelled', note: 'It came back.' },
    });
    expect(() => decide(requested, reopen, CONTACT, later)).toThrow(expect.objectContaining({ status: 409 }));
    expect(decide(requested, reopen, ENGINEER, at(later, HOUR)).next).toMatchObject({
      status: 'Open',
      reopenRequest: undefined,
    });
    const declined = decide(
      requested,
      { kind: 'decline-reopen', note: 'Please open a new case.' },
      ENGINEER,
      later,
    );
    expect(declined.next).toMatchObject({
      status: 'Closed',
      subStatus: 'Cancelled',
      reopenRequest: undefined,
    });
    expect(declined.mails).toEqual([expect.objectContaining({ kind: 'response', to: CONTACT.email })]);
  });

  it('pureconnect: a case closed as No Response reopens only through an engineer', () => {
    const noResponse = closedAs('No Response', { plan: 'pureconnect' });
    expect(() => decide(noResponse, reopen, CONTACT, later)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(decide(noResponse, reopen, ENGINEER, later).next.status).toBe('Open');
  });

  it('the 30-day window: an engineer reopens on day 29, not on day 31', () => {
    expect(decide(closedAs('Resolved'), reopen, ENGINEER, at(MONDAY, 29 * DAY)).next.status).toBe('Open');
    expect(() => decide(closedAs('Resolved'), reopen, ENGINEER, at(MONDAY, 31 * DAY))).toThrow(
      expect.objectContaining({ status: 422 }),
    );
  });
});

describe('priority-change requests are decided by support (SPEC §2, §4)', () => {
  const low = aCase({ severity: 'low' });
  const ask = { kind: 'request-priority-change', severity: 'medium', note: 'More users now.' } as const;

  it("a customer's request to go from low to medium does not change the severity", () => {
    const d = decide(low, ask, CONTACT, MONDAY);
    expect(d.next).toMatchObject({ severity: 'low', priorityRequest: { severity: 'medium' } });
  });

  it('the engineer accepts it (severity changes) or declines it (it stays)', () => {
    const asked = decide(low, ask, CONTACT, MONDAY).next;
    const accepted = decide(
      asked,
      { kind: 'decide-priority-change', decision: 'accepted' },
      ENGINEER,
      MONDAY,
    );
    expect(accepted.next).toMatchObject({ severity: 'medium', priorityRequest: undefined });
    const declined = decide(
      asked,
      { kind: 'decide-priority-change', decision: 'declined' },
      ENGINEER,
      MONDAY,
    );
    expect(declined.next).toMatchObject({ severity: 'low', priorityRequest: undefined });
  });

  it('to high or critical only by phone: 422 with that guidance', () => {
    expect(() => decide(low, { ...ask, severity: 'high' }, CONTACT, MONDAY)).toThrow(
      expect.objectContaining({ status: 422, message: expect.stringContaining('phone') }),
    );
  });
});

describe('Customer Responded only from the case contact (SPEC §3, §6)', () => {
  const waiting = decide(aCase(), { kind: 'request-info', note: 'Logs?' }, ENGINEER, MONDAY).next;

  it("the case contact's reply moves Awaiting Info to Open/Customer Responded", () => {
    const d = decide(waiting, { kind: 'customer-update', note: 'Attached.' }, CONTACT, at(MONDAY, HOUR));
    expect(d.next).toMatchObject({ status: 'Open', subStatus: 'Customer Responded', followUp: null });
  });

  it("another designated contact's note is added, and the case keeps waiting on the case contact", () => {
    const d = decide(waiting, { kind: 'customer-update', note: 'FYI.' }, OTHER_CONTACT, at(MONDAY, HOUR));
    expect(d.next).toMatchObject({ status: 'Awaiting Info', followUp: waiting.followUp });
    expect(d.timeline).toEqual([expect.objectContaining({ kind: 'note', text: 'FYI.' })]);
  });
});
