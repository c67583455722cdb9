import type { CaseRecord } from '../cases/model.ts';
import { breachRecorded, nextDueAt } from '../cases/sla.ts';
import { instantMs } from '../sla/instants.ts';
import { caseKeysFor } from './keys.ts';

/**
 * A case item's index keys, with what its SLA says: whether a breach is recorded, and its next due
 * instant as of its last change (due instants move only with the case's changes, and the workflow
 * changes the case as one passes). Apart from the case family's store, so that the functions that
 * only read cases do not carry the SLA engine and its calendars.
 */
export function caseIndexKeys(c: CaseRecord): Record<string, string | undefined> {
  const open = c.status !== 'Closed';
  return caseKeysFor(c, {
    breached: breachRecorded(c),
    nextDue: open ? nextDueAt(c, new Date(instantMs(c.updatedAt))) : null,
  });
}

/**
 * The index keys a change moves: only those are written, so an index entry is rewritten only when
 * its key changes (a note or a mail leaves every index as it was).
 */
export function changedIndexKeys(previous: CaseRecord, next: CaseRecord): Record<string, string | undefined> {
  const before = caseIndexKeys(previous);
  return Object.fromEntries(
    Object.entries(caseIndexKeys(next)).filter(([name, value]) => before[name] !== value),
  );
}
