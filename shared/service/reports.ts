import {
  type ComplianceRow,
  type Counter,
  complianceRows,
  complianceShareOf,
  tallyOf,
} from '../cases/compliance.ts';
import { listClosedCases } from '../store/cases.ts';
import { countersOf } from '../store/compliance.ts';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What the cases closed from `from` to `to` (inclusive) count for, read case by case. */
async function countedFromCases(from: number, to: number): Promise<Counter[]> {
  const counters: Counter[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClosedCases(new Date(from).toISOString(), new Date(to).toISOString(), cursor);
    for (const c of page.items) {
      const share = complianceShareOf(c);
      if (share) counters.push({ plan: share.plan, severity: share.severity, ...tallyOf(share, 1) });
    }
    cursor = page.cursor;
  } while (cursor);
  return counters;
}

/**
 * SPEC §4 compliance report: per plan × severity, of the cases closed from `from` to `to`, the
 * share that met each target, against the contractual share. The whole days of the period are
 * read from the compliance counters (kept as cases close and reopen); only the part-days at its
 * ends are read case by case.
 */
export async function slaCompliance(
  from: Date,
  to: Date,
): Promise<{ from: string; to: string; rows: ComplianceRow[] }> {
  const start = from.getTime();
  const end = to.getTime();
  const firstWhole = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastWholeEnd = Math.floor((end + 1) / DAY_MS) * DAY_MS;
  const counters =
    firstWhole < lastWholeEnd
      ? [
          ...(start < firstWhole ? await countedFromCases(start, firstWhole - 1) : []),
          ...(await countersOf(dayOf(firstWhole), dayOf(lastWholeEnd - 1))),
          ...(lastWholeEnd <= end ? await countedFromCases(lastWholeEnd, end) : []),
        ]
      : await countedFromCases(start, end);
  return { from: from.toISOString(), to: to.toISOString(), rows: complianceRows(counters) };
}
