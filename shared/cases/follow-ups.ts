import { DateTime } from 'luxon';
import { centreNamed, planNamed, policy } from '../catalogue/index.ts';
import { addBusinessDays } from '../sla/business-time.ts';
import { calendarOf } from '../sla/calendars.ts';
import type { CaseRecord } from './model.ts';

/**
 * When the next automated follow-up of a waiting case falls due (SPEC §5), or null when none is
 * pending: not waiting, critical-production-down, or every follow-up already sent.
 */
export function followUpDueAt(c: CaseRecord): Date | null {
  if (!c.followUp || c.severity === 'critical-production-down') return null;
  const plan = planNamed(c.plan);
  const schedule = policy.followUpPolicies[plan.followUpPolicy];
  const offset = schedule?.offsets[c.followUp.remindersSent];
  if (!schedule || offset === undefined) return null;
  const since = new Date(c.followUp.since);
  if (schedule.unit === 'calendar-days') {
    // Calendar days keep the wall-clock time of the centre across DST changes.
    const zone = centreNamed(c.centre).timeZone;
    return DateTime.fromJSDate(since, { zone }).plus({ days: offset }).toJSDate();
  }
  return addBusinessDays(calendarOf(c.centre), since, offset).due;
}

/** Whether this follow-up is the last one: it closes the case as No Response with the final notice. */
export function isFinalFollowUp(c: CaseRecord): boolean {
  const schedule = policy.followUpPolicies[planNamed(c.plan).followUpPolicy];
  return !!c.followUp && !!schedule && c.followUp.remindersSent === schedule.offsets.length - 1;
}
