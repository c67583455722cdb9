import { conflict, refused } from '../../errors.ts';
import { ACTIVE, type Rules } from '../decision.ts';
import type { Severity } from '../model.ts';

export const SEVERITY_RANK: Record<Severity, number> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
  'critical-production-down': 4,
};

/** Severity (SPEC §2, §4): support has the final authority; a customer asks. */
export const severityRules: Rules<'set-severity' | 'request-priority-change'> = {
  'set-severity': (ch, command) => {
    const { c, next } = ch;
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (command.severity === c.severity) throw conflict(`the severity is already ${c.severity}`);
    // Support has the final say; the targets are recomputed from the complete time.
    next.severity = command.severity;
    ch.timeline({
      kind: 'severity',
      visibility: 'public',
      text: `Severity ${c.severity} → ${command.severity}${command.note ? `: ${command.note}` : ''}`,
    });
    if (command.severity === 'critical-production-down') next.followUp = null;
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
    next.severity = command.severity;
    ch.timeline({
      kind: 'severity',
      visibility: 'public',
      text: `Severity ${c.severity} → ${command.severity}: ${command.note}`,
    });
  },
};
