import { DateTime } from 'luxon';
import { centreNamed, planNamed, policy } from '../../catalogue/index.ts';
import { conflict, invalid, refused } from '../../errors.ts';
import { calendarOf } from '../../sla/calendars.ts';
import { addSpan } from '../../sla/targets.ts';
import { ACTIVE, type Change, type Rules } from '../decision.ts';
import { type CaseRecord, isCritical } from '../model.ts';

/**
 * Who has the case (SPEC §2) and who hears of it when the customer asks for more attention
 * (SPEC §8): the owner first, then the centre's managers, level by level.
 */
export const ownershipRules: Rules<'take' | 'assign' | 'escalate'> = {
  take: (ch) => {
    const { c } = ch;
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (c.owner === ch.who) throw conflict(`case ${c.number} is already yours`);
    if (c.owner) throw conflict(`case ${c.number} is owned by ${c.owner}: ask them, or have it assigned`);
    setOwner(ch, ch.who, `Case taken by ${ch.who}`);
  },

  assign: (ch, command) => {
    const { c } = ch;
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (command.engineer === c.owner) throw conflict(`case ${c.number} is already owned by ${c.owner}`);
    setOwner(
      ch,
      command.engineer,
      `Case assigned to ${command.engineer}${command.note ? `: ${command.note}` : ''}`,
    );
  },

  escalate: (ch, command) => {
    const { c, next } = ch;
    ch.requireCustomer();
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.reason, 'reason');
    escalationEligibility(c, ch.now, command.rootCause === true);
    // High severity: the request states the significant business impact (SPEC §8).
    if (c.severity === 'high' && !command.rootCause && !command.businessImpact?.trim())
      throw invalid(
        'businessImpact',
        'required to escalate a high case: state the significant business impact',
      );
    const path = escalationPath(c);
    const last = c.escalatedTo ? path.indexOf(c.escalatedTo) : -1;
    const to = path[last + 1];
    if (!to) throw refused('the case is already escalated to the final level');
    const level = (c.escalationLevel ?? 0) + 1;
    next.escalationLevel = level;
    next.escalatedTo = to;
    const reason = command.businessImpact
      ? `${command.reason}\nBusiness impact: ${command.businessImpact}`
      : command.reason;
    ch.timeline({ kind: 'escalation', visibility: 'public', text: `Escalated to level ${level}: ${reason}` });
    ch.mail({ kind: 'escalation', to, level, note: reason });
  },
};

/** The owner first (when the case has one), then the centre's levels, up to the final contact (SPEC §8). */
export function escalationPath(c: CaseRecord): string[] {
  const managers = centreNamed(c.centre).escalation ?? [];
  return c.owner ? [c.owner, ...managers.filter((m) => m !== c.owner)] : managers;
}

function setOwner(ch: Change, owner: string, text: string): void {
  ch.next.owner = owner;
  ch.timeline({ kind: 'owner', visibility: 'public', text });
}

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
