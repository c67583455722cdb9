import type { StoredCase } from '../cases/model.ts';
import { slaStatus, targetStarts } from '../cases/sla.ts';
import { policy } from '../catalogue/index.ts';
import { businessDaysBetween } from '../sla/business-time.ts';
import { calendarOf } from '../sla/calendars.ts';
import { TARGET_KINDS, type TargetKind } from '../sla/targets.ts';
import { listClosedCases } from '../store/cases.ts';

export interface TargetRow {
  target: string;
  met: number;
  breached: number;
  shareMet: number | null;
  /** The share that must meet it, where the contract names one (resolution; cloud restoration 95%). */
  contractualShare?: number;
  /** pureconnect's root-cause analyses are reported as an average: whole business days taken. */
  averageBusinessDays?: number | null;
}

export interface ComplianceRow {
  plan: string;
  severity: string;
  closedCases: number;
  targets: Partial<Record<TargetKind, TargetRow>>;
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

/** Whole business days of the centre from `from` to `to` (at most a year's worth). */
const businessDaysOf = (c: StoredCase, from: Date, to: Date) =>
  businessDaysBetween(calendarOf(c.centre), from.getTime(), to.getTime(), 260);

/**
 * SPEC §4 compliance report: per plan × severity, of the cases closed from `from` to `to`, the
 * share that met each target, against the contractual share. It reads each case's clocks as the
 * case view does (`slaStatus`), so the two always agree.
 */
export async function slaCompliance(
  from: Date,
  to: Date,
): Promise<{ from: string; to: string; rows: ComplianceRow[] }> {
  const closed = await casesClosed(from, to);
  const rows = new Map<string, ComplianceRow>();
  const rcaDays = new Map<string, number[]>();
  for (const c of closed) {
    const status = slaStatus(c, new Date(c.closedAt as string));
    if (!status) continue;
    const key = `${c.plan}|${c.severity}`;
    const plan = policy.plans[c.plan];
    let row = rows.get(key);
    if (!row) {
      row = {
        plan: c.plan,
        severity: c.severity,
        closedCases: 0,
        targets: {},
        contractualShare: plan?.targets[c.severity]?.share ?? null,
        compliant: null,
      };
      rows.set(key, row);
    }
    row.closedCases++;
    for (const kind of TARGET_KINDS) {
      const s = status[kind];
      if (!s.target) continue;
      const share =
        kind === 'resolution' ? row.contractualShare : kind === 'restoration' ? plan?.restorationShare : null;
      row.targets[kind] ??= {
        target: s.target,
        met: 0,
        breached: 0,
        shareMet: null,
        ...(typeof share === 'number' ? { contractualShare: share } : {}),
      };
      const t = row.targets[kind];
      if (s.outcome.state === 'met') t.met++;
      else if (s.outcome.state === 'breached') t.breached++;
    }
    const rcaFrom = targetStarts(c).rootCause;
    if (status.rootCause.target && rcaFrom && c.rcaDeliveredAt) {
      const days = businessDaysOf(c, rcaFrom, new Date(c.rcaDeliveredAt));
      rcaDays.set(key, [...(rcaDays.get(key) ?? []), days]);
    }
  }
  for (const [key, row] of rows) {
    for (const t of Object.values(row.targets))
      t.shareMet = t.met + t.breached ? t.met / (t.met + t.breached) : null;
    const rca = row.targets.rootCause;
    if (rca) {
      const days = rcaDays.get(key) ?? [];
      rca.averageBusinessDays = days.length ? days.reduce((a, b) => a + b, 0) / days.length : null;
    }
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
