import { slaStatus } from '../cases/sla.ts';
import { policy } from '../catalogue/index.ts';
import { TARGET_KINDS } from '../sla/targets.ts';
import { listClosedCases, type StoredCase } from '../store/repository.ts';

export interface ComplianceRow {
  plan: string;
  severity: string;
  closedCases: number;
  targets: Record<string, { target: string; met: number; breached: number; shareMet: number | null }>;
  /** The share of cases that must meet the resolution target (SPEC §4), and whether it was. */
  contractualShare: number | null;
  compliant: boolean | null;
}

/** The cases closed in the period, page by page from the closed-cases index. */
async function casesClosed(from: Date, to: Date): Promise<StoredCase[]> {
  const out: StoredCase[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClosedCases(from.toISOString(), to.toISOString(), cursor);
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * SPEC §4 compliance report: per plan × severity, of the cases closed from `from` to `to`, the share that
 * met each target, against the contractual share for resolution.
 */
export async function slaCompliance(
  from: Date,
  to: Date,
): Promise<{ from: string; to: string; rows: ComplianceRow[] }> {
  const closed = await casesClosed(from, to);
  const rows = new Map<string, ComplianceRow>();
  for (const c of closed) {
    const status = slaStatus(c, new Date(c.closedAt as string));
    if (!status) continue;
    const key = `${c.plan}|${c.severity}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        plan: c.plan,
        severity: c.severity,
        closedCases: 0,
        targets: {},
        contractualShare: policy.plans[c.plan]?.targets[c.severity]?.share ?? null,
        compliant: null,
      };
      rows.set(key, row);
    }
    row.closedCases++;
    for (const kind of TARGET_KINDS) {
      const s = status[kind];
      if (!s.target) continue;
      row.targets[kind] ??= { target: s.target, met: 0, breached: 0, shareMet: null };
      const t = row.targets[kind];
      if (s.outcome.state === 'met') t.met++;
      else if (s.outcome.state === 'breached') t.breached++;
    }
  }
  for (const row of rows.values()) {
    for (const t of Object.values(row.targets))
      t.shareMet = t.met + t.breached ? t.met / (t.met + t.breached) : null;
    const resolution = row.targets.resolution?.shareMet;
    row.compliant =
      row.contractualShare === null || resolution === null || resolution === undefined
        ? null
        : resolution >= row.contractualShare;
  }
  const order = (r: ComplianceRow) => `${r.plan}|${policy.severities.indexOf(r.severity as never)}`;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    rows: [...rows.values()].sort((a, b) => order(a).localeCompare(order(b))),
  };
}
