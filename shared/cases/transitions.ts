import { centreNamed } from '../catalogue/index.ts';
import type { TargetKind } from '../sla/targets.ts';
import { deadlineRules } from './commands/deadlines.ts';
import { incidentRules } from './commands/incidents.ts';
import { ownershipRules } from './commands/ownership.ts';
import { requestRules } from './commands/requests.ts';
import { severityRules } from './commands/severity.ts';
import { statusRules } from './commands/status.ts';
import { Change, type Command, type CommandKind, type Decision, type Rule, type Rules } from './decision.ts';
import type { Actor, CaseRecord } from './model.ts';
import { obligationsOf, slaStatus, type TargetStatus } from './sla.ts';

export { purgeDueAt, reopenPending, reopenWindowEnd } from './commands/status.ts';
export type { Command, Decision } from './decision.ts';

/** Every command's rule, one per kind, by family: a kind without a rule does not compile. */
const RULES: Rules<CommandKind> = {
  ...statusRules,
  ...severityRules,
  ...ownershipRules,
  ...requestRules,
  ...incidentRules,
  ...deadlineRules,
};

/**
 * The case reducer: state + command -> the next state, its timeline entries and its mails, or a
 * refusal (a DomainError). Pure: the caller persists the decision and signals the workflow.
 */
export function decide(c: CaseRecord, command: Command, actor: Actor, now: Date): Decision {
  const change = new Change(c, command.kind, actor, now);
  const rule = RULES[command.kind] as Rule<CommandKind>;
  rule(change, command);
  const out = change.out;
  if (change.nothingToDo) return { next: c, timeline: [], mails: [], unchanged: true };
  recordTargets(change.next, now, out, change.who);
  // A deadline with nothing due (delivered twice, or woken early) writes nothing.
  if (command.kind === 'deadline' && out.timeline.length === 0 && out.mails.length === 0)
    return { next: c, timeline: [], mails: [], unchanged: true };
  return out;
}

/**
 * Records each target met or breached once it is decided, and each obligation (change request,
 * incident report) once breached, and notifies the centre's on-call manager of a breach: in the
 * same write as the record, so exactly once.
 */
function recordTargets(next: CaseRecord, now: Date, out: Decision, who: string): void {
  const manager = centreNamed(next.centre).escalation?.[0];
  const breach = (target: string, text: string) => {
    out.breaches = [...(out.breaches ?? []), target];
    out.timeline.push({ at: now.toISOString(), kind: 'sla', visibility: 'internal', actor: who, text });
    if (manager) out.mails.push({ id: '', kind: 'sla-breach', to: manager, target });
  };
  const status = slaStatus(next, now);
  for (const [kind, s] of Object.entries(status ?? {}) as [TargetKind, TargetStatus][]) {
    if (next.slaOutcomes?.[kind] || (s.outcome.state !== 'met' && s.outcome.state !== 'breached')) continue;
    next.slaOutcomes = { ...next.slaOutcomes, [kind]: s.outcome };
    if (s.outcome.state === 'breached')
      breach(kind, `${kind} target (${s.target}) breached at ${s.outcome.at}`);
  }
  for (const [name, o] of Object.entries(obligationsOf(next, now))) {
    if (o.state !== 'breached' || next.obligationBreaches?.[name]) continue;
    next.obligationBreaches = { ...next.obligationBreaches, [name]: o.due };
    breach(name, `${name} due ${o.due} breached`);
  }
}
