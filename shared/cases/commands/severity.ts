import { conflict, refused } from '../../errors.ts';
import { ACTIVE, type Change, type Rules } from '../decision.ts';
import type { Severity } from '../model.ts';

export const SEVERITY_RANK: Record<Severity, number> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
  'critical-production-down': 4,
};

/**
 * Severity (SPEC §2, §4): support has the final authority; a customer asks. A raise counts the
 * new severity's targets from the raise (the handbooks' "log it High, then call to raise it to
 * Critical" must not be a breach in the past); a lowering counts them from the original start.
 */
export const severityRules: Rules<'set-severity' | 'request-priority-change' | 'decide-priority-change'> = {
  'set-severity': (ch, command) => {
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (command.severity === ch.c.severity) throw conflict(`the severity is already ${ch.c.severity}`);
    changeSeverity(ch, command.severity, command.note);
  },

  'request-priority-change': (ch, command) => {
    const { c, next } = ch;
    ch.requireCustomer();
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.note);
    if (command.severity === c.severity) throw conflict(`the severity is already ${c.severity}`);
    // Low → medium by a note; higher only by phone, where support raises it (SPEC §2).
    if (SEVERITY_RANK[command.severity] > SEVERITY_RANK.medium) {
      throw refused(
        `a change to ${command.severity} is made by phone: call support, who will raise the case`,
        'severity',
      );
    }
    // A request: support decides ("Genesys shall have the final authority").
    next.priorityRequest = { severity: command.severity, note: command.note, by: ch.who, at: ch.at };
    ch.timeline({
      kind: 'severity',
      visibility: 'public',
      text: `Priority change requested: ${c.severity} → ${command.severity}: ${command.note}`,
    });
  },

  'decide-priority-change': (ch, command) => {
    const { c, next } = ch;
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    const request = c.priorityRequest;
    if (!request) throw conflict(`case ${c.number} has no priority change request`);
    next.priorityRequest = undefined;
    if (command.decision === 'accepted' && request.severity !== c.severity)
      changeSeverity(ch, request.severity, command.note ?? `as requested: ${request.note}`);
    else
      ch.timeline({
        kind: 'severity',
        visibility: 'public',
        text: `Priority change to ${request.severity} ${command.decision}${command.note ? `: ${command.note}` : ''}`,
      });
    if (command.note) ch.mail({ kind: 'response', to: c.contact, note: command.note });
  },
};

function changeSeverity(ch: Change, severity: Severity, note: string | undefined): void {
  const { c, next } = ch;
  next.severity = severity;
  next.priorityRequest = undefined;
  // Targets already met stay met: they are recorded.
  next.raisedAt = SEVERITY_RANK[severity] > SEVERITY_RANK[c.severity] ? ch.at : null;
  ch.timeline({
    kind: 'severity',
    visibility: 'public',
    text: `Severity ${c.severity} → ${severity}${note ? `: ${note}` : ''}`,
  });
  if (severity === 'critical-production-down') next.followUp = null;
}
