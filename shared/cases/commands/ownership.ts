import { DateTime } from 'luxon';
import { centreNamed, planNamed, policy } from '../../catalogue/index.ts';
import { refused } from '../../errors.ts';
import { calendarOf } from '../../sla/calendars.ts';
import { addSpan } from '../../sla/targets.ts';
import { ACTIVE, type Rules } from '../decision.ts';
import { type CaseRecord, isCritical } from '../model.ts';

/** Who has the case, and who hears of it when the customer asks for more attention (SPEC §8). */
export const ownershipRules: Rules<'escalate'> = {
  escalate: (ch, command) => {
    const { c, next } = ch;
    ch.requireCustomer();
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.reason, 'reason');
    escalationEligibility(c, ch.now, command.rootCause === true);
    const level = (c.escalationLevel ?? 0) + 1;
    const managers = centreNamed(c.centre).escalation ?? [];
    if (level > managers.length) throw refused('the case is already escalated to the final level');
    next.escalationLevel = level;
    ch.timeline({
      kind: 'escalation',
      visibility: 'public',
      text: `Escalated to level ${level}: ${command.reason}`,
    });
    ch.mail({ kind: 'escalation', to: managers[level - 1] as string, level, note: command.reason });
  },
};

/** SPEC §8: who may escalate when, by severity; a root-cause request only after its waiting time. */
function escalationEligibility(c: CaseRecord, now: Date, rootCause: boolean): void {
  const calendar = calendarOf(c.centre);
  const plan = planNamed(c.plan);
  // A plan setting, defaulting to the handbooks' rules.
  const rules = plan.escalation ?? policy.escalation;
  if (rootCause) {
    const span = rules.rootCauseAfter[plan.cloud ? 'cloud' : 'premises'];
    const since = c.restoredAt ?? c.resolvedAt;
    if (!since) throw refused('a root-cause analysis can be requested once service is restored');
    if (span && addSpan(calendar, new Date(since), span).due > now) {
      throw refused(`a root-cause analysis can be requested ${span} after restoration`);
    }
    return;
  }
  if (isCritical(c.severity)) return;
  const rule = rules[c.severity as 'high' | 'medium' | 'low'];
  if (!rule?.notUpdatedFor)
    throw refused(`${c.severity} cases are not escalated: request a priority change instead`);
  const last = new Date(c.lastSupportUpdateAt ?? c.completedAt ?? c.createdAt);
  const eligibleAt = addSpan(calendar, last, rule.notUpdatedFor).due;
  if (eligibleAt > now) {
    throw refused(
      `a ${c.severity} case can be escalated when support has not updated it for ${rule.notUpdatedFor} (from ${DateTime.fromJSDate(eligibleAt).toUTC().toISO()})`,
    );
  }
}
