import { policy } from '../catalogue/index.ts';
import { businessDaysBetween } from '../sla/business-time.ts';
import { calendarOf } from '../sla/calendars.ts';
import { TARGET_KINDS, type TargetKind } from '../sla/targets.ts';
import type { CaseRecord, ComplianceShare, Severity } from './model.ts';
import { slaStatus, targetStarts } from './sla.ts';

/**
 * SPEC §4 compliance, counted as cases close: what a closed case adds to the counter of its
 * closing day, centre, plan and severity, and the report's rows from such counters. The case view
 * and the report read the clocks the same way (`slaStatus`), so the two always agree.
 */

/** What a case counts for in the report: null unless it is Closed with SLA targets. */
export function complianceShareOf(c: CaseRecord): ComplianceShare | null {
  if (c.status !== 'Closed' || !c.closedAt) return null;
  const status = slaStatus(c, new Date(c.closedAt));
  if (!status) return null;
  const targets: ComplianceShare['targets'] = {};
  for (const kind of TARGET_KINDS) {
    const { target, outcome } = status[kind];
    if (target) targets[kind] = { target, state: outcome.state };
  }
  const rcaFrom = targetStarts(c).rootCause;
  const rcaDays =
    status.rootCause.target && rcaFrom && c.rcaDeliveredAt
      ? // Whole business days of the centre (at most a year's worth).
        businessDaysBetween(calendarOf(c.centre), rcaFrom.getTime(), Date.parse(c.rcaDeliveredAt), 260)
      : undefined;
  return {
    day: c.closedAt.slice(0, 10),
    centre: c.centre,
    plan: c.plan,
    severity: c.severity,
    targets,
    ...(rcaDays === undefined ? {} : { rcaBusinessDays: rcaDays }),
  };
}

/** A counter's figures: how many cases closed, and per target kind how many had it, met it, breached it. */
export type Tally = Record<string, number>;

/** What a share adds to its counter (`sign` -1: what taking it back removes). */
export function tallyOf(
  share: ComplianceShare,
  sign: 1 | -1,
): { tally: Tally; labels: Record<string, string> } {
  const tally: Tally = { closed: sign };
  const labels: Record<string, string> = {};
  for (const [kind, t] of Object.entries(share.targets)) {
    tally[`${kind}Cases`] = sign;
    if (t.state === 'met') tally[`${kind}Met`] = sign;
    if (t.state === 'breached') tally[`${kind}Breached`] = sign;
    labels[`${kind}Target`] = t.target;
  }
  if (share.rcaBusinessDays !== undefined) {
    tally.rcaDays = sign * share.rcaBusinessDays;
    tally.rcaCount = sign;
  }
  return { tally, labels };
}

/**
 * The counter changes a case change makes: the share counted so far taken back and the new one
 * added, when they differ (a closure adds, a reopening takes back, a re-closure adds again).
 */
export function complianceChanges(
  counted: ComplianceShare | null | undefined,
  now: ComplianceShare | null,
): { share: ComplianceShare; sign: 1 | -1 }[] {
  if (JSON.stringify(counted ?? null) === JSON.stringify(now)) return [];
  return [
    ...(counted ? [{ share: counted, sign: -1 as const }] : []),
    ...(now ? [{ share: now, sign: 1 as const }] : []),
  ];
}

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
  severity: Severity;
  closedCases: number;
  targets: Partial<Record<TargetKind, TargetRow>>;
  /** The share of cases that must meet the resolution target (SPEC §4), and whether it was. */
  contractualShare: number | null;
  compliant: boolean | null;
}

/** A counter as read: its plan and severity, figures and target labels. */
export interface Counter {
  plan: string;
  severity: Severity;
  tally: Tally;
  labels: Record<string, string>;
}

/** The report's rows, per plan × severity, from counters (of any days and centres). */
export function complianceRows(counters: Counter[]): ComplianceRow[] {
  const sums = new Map<string, Counter>();
  for (const counter of counters) {
    const key = `${counter.plan}|${counter.severity}`;
    const sum = sums.get(key) ?? { ...counter, tally: {}, labels: {} };
    for (const [name, n] of Object.entries(counter.tally)) sum.tally[name] = (sum.tally[name] ?? 0) + n;
    sum.labels = { ...counter.labels, ...sum.labels };
    sums.set(key, sum);
  }
  const rows: ComplianceRow[] = [];
  for (const { plan: planName, severity, tally, labels } of sums.values()) {
    if (!tally.closed) continue;
    const plan = policy.plans[planName];
    const contractualShare = plan?.targets[severity]?.share ?? null;
    const row: ComplianceRow = {
      plan: planName,
      severity,
      closedCases: tally.closed,
      targets: {},
      contractualShare,
      compliant: null,
    };
    for (const kind of TARGET_KINDS) {
      const label = labels[`${kind}Target`];
      if (!tally[`${kind}Cases`] || !label) continue;
      const met = tally[`${kind}Met`] ?? 0;
      const breached = tally[`${kind}Breached`] ?? 0;
      const share =
        kind === 'resolution' ? contractualShare : kind === 'restoration' ? plan?.restorationShare : null;
      row.targets[kind] = {
        target: label,
        met,
        breached,
        shareMet: met + breached ? met / (met + breached) : null,
        ...(typeof share === 'number' ? { contractualShare: share } : {}),
        ...(kind === 'rootCause'
          ? { averageBusinessDays: tally.rcaCount ? (tally.rcaDays ?? 0) / tally.rcaCount : null }
          : {}),
      };
    }
    const resolution = row.targets.resolution?.shareMet;
    row.compliant =
      contractualShare === null || resolution === null || resolution === undefined
        ? null
        : resolution >= contractualShare;
    rows.push(row);
  }
  const order = (r: ComplianceRow) => `${r.plan}|${policy.severities.indexOf(r.severity)}`;
  return rows.sort((a, b) => order(a).localeCompare(order(b)));
}
