import { describe, expect, it } from 'vitest';
import { decide } from '#shared/cases/transitions.ts';
import { aCase, at, CONTACT, DAY, ENGINEER, HOUR, MONDAY, SYSTEM } from './fixtures.ts';

describe('the reducer is pure: state + command → decision or refusal', () => {
  it('request-info moves Open → Awaiting Info, starts the follow-up timer and mails the contact', () => {
    const d = decide(aCase(), { kind: 'request-info', note: 'Logs, please.' }, ENGINEER, at(MONDAY, HOUR));
    expect(d.next).toMatchObject({
      status: 'Awaiting Info',
      subStatus: 'Info Required from Customer',
      revision: 2,
      followUp: { remindersSent: 0, action: 'provide-information' },
      respondedAt: at(MONDAY, HOUR).toISOString(),
    });
    expect(d.mails).toEqual([expect.objectContaining({ kind: 'info-requested', to: CONTACT.email })]);
  });

  it('refuses a customer asking for information with 403, and changes nothing', () => {
    const c = aCase();
    expect(() => decide(c, { kind: 'request-info', note: 'x' }, CONTACT, MONDAY)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(c.status).toBe('Open');
  });

  it('refuses an illegal transition with 409 naming the current status', () => {
    const closed = aCase({ status: 'Closed', subStatus: 'Resolved', closedAt: MONDAY.toISOString() });
    expect(() => decide(closed, { kind: 'respond', note: 'x' }, ENGINEER, MONDAY)).toThrow(
      /Closed\/Resolved/,
    );
  });

  it('a deadline with nothing due writes nothing', () => {
    expect(decide(aCase(), { kind: 'deadline' }, SYSTEM, at(MONDAY, HOUR)).unchanged).toBe(true);
  });

  it('business-care: the third follow-up (21 days) closes the case as No Response', () => {
    let c = decide(aCase(), { kind: 'request-info', note: 'Logs?' }, ENGINEER, MONDAY).next;
    for (const days of [7, 14]) {
      const d = decide(c, { kind: 'deadline' }, SYSTEM, at(MONDAY, days * DAY));
      expect(d.mails.map((m) => m.kind)).toContain('reminder');
      c = d.next;
    }
    const last = decide(c, { kind: 'deadline' }, SYSTEM, at(MONDAY, 21 * DAY));
    expect(last.next).toMatchObject({ status: 'Closed', subStatus: 'No Response' });
  });
});
