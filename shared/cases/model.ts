import * as z from 'zod';
import type { TargetKind } from '../sla/targets.ts';

export const STATUSES = ['Open', 'Awaiting Info', 'Solution Proposed', 'Closed'] as const;
export type Status = (typeof STATUSES)[number];

/** The workflow state that mirrors each status (state names cannot carry spaces readably). */
export const WORKFLOW_STATE: Record<Status, string> = {
  Open: 'Open',
  'Awaiting Info': 'AwaitingInfo',
  'Solution Proposed': 'SolutionProposed',
  Closed: 'Closed',
};

/** Sub-statuses per status (SPEC §3). */
export const SUB_STATUSES: Record<Status, readonly string[]> = {
  Open: [
    'New',
    'Tier 1',
    'Tier 2',
    'Tier 3',
    'Investigation',
    'Customer Responded',
    'Engineering Request',
    'Maintenance Review',
    'Third Party Pending',
    'Order Pending',
    'PM Review',
  ],
  'Awaiting Info': ['Info Required from Customer'],
  'Solution Proposed': ['Replied', 'Fixed-Software Provided'],
  Closed: [
    'Resolved',
    'Cancelled',
    'No Response',
    'Customer requested to re-open',
    'No Maintenance',
    'Customer Resolved Issue',
    'Duplicate Request',
    'General Question Answered',
    'Working as Designed',
    'Feature Request',
    'Problem External',
    'Referred to Other Department',
    'License File Provided',
    'Software Request Fulfilled',
    'Logged for Future Fix',
    'Redirected',
    'Problem Resolved',
  ],
};
/** What a customer may close a case as (SPEC §3); engineers choose any Closed sub-status. */
export const CUSTOMER_CLOSURES = ['Resolved', 'Cancelled'] as const;
/** Closures that count as the problem resolved, for the resolution target. */
export const RESOLVING_CLOSURES = [
  'Resolved',
  'Problem Resolved',
  'Customer Resolved Issue',
  'Software Request Fulfilled',
  'License File Provided',
];

export const CASE_TYPES = ['problem', 'question', 'admin', 'feature-request', 'change-request'] as const;
export const ENVIRONMENTS = ['production', 'pre-production', 'test-lab', 'development'] as const;
export const SEVERITIES = ['critical-production-down', 'critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const isCritical = (severity: Severity) =>
  severity === 'critical' || severity === 'critical-production-down';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

/** What a customer sends to open a case (SPEC §2); unknown fields are refused. */
export const NewCaseInput = z
  .strictObject({
    account: text(64),
    product: text(200),
    version: text(100).optional(),
    type: z.enum(CASE_TYPES),
    environment: z.enum(ENVIRONMENTS),
    severity: z.enum(SEVERITIES),
    subject: text(200),
    description: text(20_000),
    businessImpact: text(5_000).optional(),
    usersAffected: z.number().int().nonnegative().optional(),
    circumstances: text(20_000).optional(),
    /** A case opened after the reopen window of an earlier one names it (SPEC §3). */
    relatedCase: z
      .string()
      .regex(/^\d{1,10}$/, 'a case number')
      .optional(),
    contactPhone: z
      .string()
      .regex(/^\+?[0-9 ()./-]{6,30}$/, 'a telephone number')
      .optional(),
    /** Cloud cases, optionally (SPEC §2): how often it occurs, first observed, the users' hours and place. */
    frequency: text(200).optional(),
    firstObservedAt: z.iso.datetime({ offset: true }).optional(),
    usersWorkingHours: text(200).optional(),
    usersLocation: text(200).optional(),
  })
  .superRefine((input, ctx) => {
    if ((isCritical(input.severity) || input.severity === 'high') && !input.businessImpact) {
      ctx.addIssue({
        code: 'custom',
        path: ['businessImpact'],
        message: `required for ${input.severity} severity`,
      });
    }
    if (isCritical(input.severity) && !input.contactPhone) {
      ctx.addIssue({
        code: 'custom',
        path: ['contactPhone'],
        message: 'required for critical severities: someone must be reachable 24x7',
      });
    }
    const allowed =
      input.severity === 'critical-production-down'
        ? ['production']
        : input.severity === 'critical'
          ? ['production', 'pre-production']
          : ENVIRONMENTS;
    if (!allowed.includes(input.environment)) {
      ctx.addIssue({
        code: 'custom',
        path: ['environment'],
        message: `${input.severity} applies to ${allowed.join(' or ')} only`,
      });
    }
  });
export type NewCaseInput = z.infer<typeof NewCaseInput>;

export type FollowUpAction = 'provide-information' | 'accept-or-reject-solution';

export interface CaseRecord {
  caseId: string;
  /** The 10-digit number customers quote (`Case # 0000000042`). */
  number: string;
  /** A random secret carried by every outbound mail: a reply quoting it links to this case. */
  ref: string;
  account: string;
  plan: string;
  centre: string;
  contact: string;
  product: string;
  version?: string;
  type: NewCaseInput['type'];
  environment: NewCaseInput['environment'];
  severity: Severity;
  subject: string;
  description: string;
  businessImpact?: string;
  usersAffected?: number;
  circumstances?: string;
  contactPhone?: string;
  frequency?: string;
  firstObservedAt?: string;
  usersWorkingHours?: string;
  usersLocation?: string;
  criticalRequested?: boolean;
  status: Status;
  subStatus: string;
  /** SPEC §2: the SLA clock starts only when the case is complete. */
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every accepted change increments it. */
  revision: number;
  followUp: FollowUp | null;
  closedAt: string | null;
  relatedCase?: string;
  /** When support first responded, restored service, and the customer accepted a correction. */
  respondedAt?: string | null;
  restoredAt?: string | null;
  resolvedAt?: string | null;
  /** The last public action of support (escalation eligibility, SPEC §8). */
  lastSupportUpdateAt?: string | null;
  /** Intervals spent waiting on the customer; the open one has `to: null`. */
  pauses?: { from: string; to: string | null }[];
  /** Targets recorded met or breached, with the instant; a breach is notified once. */
  slaOutcomes?: Partial<
    Record<'response' | 'restoration' | 'resolution' | 'rootCause', { state: 'met' | 'breached'; at: string }>
  >;
  /** Intervals the case spent Closed before a reopening: no clock counts them (SPEC §4). */
  closedPeriods?: { from: string; to: string }[];
  /** The last raise of severity: the current severity's targets count from it (SPEC §4); a lowering clears it. */
  raisedAt?: string | null;
  /** When a grace period brought the case under contract: its clock counts from here. */
  coveredFrom?: string;
  /** The issue needs a defect correction: an on-premise resolution target does not apply (SPEC §4). */
  defectCorrection?: boolean;
  /** pureconnect: all troubleshooting information is in (the RCA clock starts), and the RCA delivered. */
  informationCompleteAt?: string | null;
  rcaDeliveredAt?: string | null;
  /** Opened without an active contract (Open/Maintenance Review): no SLA clock unless support grants the account's one grace period. */
  withoutContract?: boolean;
  /** Obligations (change requests, incident reports) found breached, with the due instant missed. */
  obligationBreaches?: Record<string, string>;
  /** The engineer who has the case (SPEC §2): shown to the customer, the first point of escalation. */
  owner?: string | null;
  escalationLevel?: number;
  /** The last address an escalation was sent to: the next request goes one level above it (SPEC §8). */
  escalatedTo?: string;
  /** Requests (by `Idempotency-Key`) whose change this case recorded, with its revision: made once. */
  requests?: Record<string, number>;
  closure?: { by: string; comment?: string };
  /** A customer's priority-change request, waiting for support's decision (SPEC §2, §4). */
  priorityRequest?: { severity: Severity; note: string; by: string; at: string };
  /** A customer's request to reopen, waiting for support (pureconnect, SPEC §3). */
  reopenRequest?: { at: string; by: string; note: string; closedAs: string };
  survey?: { answeredAt: string; ratings: number[]; comment?: string };
  /** Feature request raised from this case (SPEC §10). */
  featureRequest?: FeatureRequest;
  /** Cloud change request (MAC/D, SPEC §10): acknowledged within 1 BD, decided within 2 BD. */
  changeRequest?: {
    /** A resubmission after a rejection: the 1 BD and 2 BD count again from here. */
    resubmittedAt?: string;
    acknowledgedAt?: string;
    decision?: 'accepted' | 'rejected';
    decidedAt?: string;
    /** Work beyond a standard change: a Services Order / SOW, Order Pending until signed. */
    servicesOrder?: { requiredAt: string; signedAt?: string };
    completedAt?: string;
  };
  /** Product management evaluates a feature request (Open/PM Review) until this date (SPEC §10). */
  featureEvaluation?: { since: string; due: string };
  /** A service interruption of the customer's business as usual (SPEC §11): it gets a post-mortem. */
  serviceInterruption?: boolean;
  /** The customer asked for the written incident report (SPEC §11). */
  incidentReportRequestedAt?: string;
  /** Post-mortem and incident report after a cloud service restoration (SPEC §11). */
  incidentReports?: { stage: 'post-mortem' | 'incident-report'; filedAt: string; report: IncidentReport }[];
}

export const FR_STATUSES = ['Under Review', 'Scheduled', 'Closed'] as const;
export interface FeatureRequest {
  number: string;
  status: (typeof FR_STATUSES)[number];
  nextUpdateDue?: string;
  targetRelease?: string;
  resolution?: 'declined' | 'duplicate' | 'implemented';
  closedAt?: string;
}

/** The fields of a cloud incident report (SPEC §11). */
export const IncidentReport = z.strictObject({
  title: z.string().trim().min(1).max(200),
  clientsAffected: z.string().trim().min(1).max(2_000),
  occurredAt: z.iso.datetime({ offset: true }),
  duration: z.string().trim().min(1).max(100),
  details: z.string().trim().min(1).max(20_000),
  customerDetails: z.string().max(20_000).optional(),
  restoration: z.string().trim().min(1).max(20_000),
  rootCause: z.string().trim().min(1).max(20_000),
  actionPlan: z.string().trim().min(1).max(20_000),
  comments: z.string().max(20_000).optional(),
});
export type IncidentReport = z.infer<typeof IncidentReport>;

export interface FollowUp {
  /** When the case entered the waiting status (or a snooze ends); offsets count from here (SPEC §5). */
  since: string;
  remindersSent: number;
  action: FollowUpAction;
}

export type Actor =
  | { kind: 'contact'; email: string }
  | { kind: 'engineer'; email: string }
  | { kind: 'system'; email?: undefined };

export interface TimelineEntry {
  at: string;
  kind:
    | 'created'
    | 'status'
    | 'note'
    | 'mail-sent'
    | 'mail-received'
    | 'mail-unsent'
    | 'severity'
    | 'sla'
    | 'escalation'
    | 'owner'
    | 'survey';
  visibility: 'public' | 'internal';
  actor: string;
  text?: string;
  status?: Status;
  subStatus?: string;
}

export type MailKind =
  | 'confirmation'
  | 'response'
  | 'info-requested'
  | 'solution-proposed'
  | 'reminder'
  | 'closed-no-response'
  | 'closed'
  | 'reopened'
  | 'escalation'
  | 'sla-breach';

export interface MailIntent {
  /** Unique per case: a retried send with the same id is sent once. */
  id: string;
  kind: MailKind;
  to: string;
  reminder?: number;
  note?: string;
  /** For notices to managers: the escalation level or the breached target. */
  level?: number;
  target?: string;
}

/** The claim on an outbox mail: only its holder sends it, until its lease runs out. */
export interface MailClaim {
  by: string;
  /** The holder's lease: after it anyone may take the claim (every function's timeout is shorter). */
  until: string;
}

/** A mail SES refused (sandbox, suppressed or invalid recipient): retried with backoff, shown to engineers. */
export interface SetAside {
  since: string;
  attempts: number;
  nextAt: string;
  error: string;
}

/**
 * What a closed case counts for in the compliance report (SPEC §4), on the counter of its closing
 * day (UTC), centre, plan and severity: each target it has, with its outcome, and for a
 * root-cause analysis the business days it took.
 */
export interface ComplianceShare {
  day: string;
  centre: string;
  plan: string;
  severity: Severity;
  targets: Partial<Record<TargetKind, { target: string; state: string }>>;
  rcaBusinessDays?: number;
}

/**
 * A side effect written ahead with a change: a timeline item, a mail, the record that an inbound
 * mail was applied (a redelivery then changes nothing, SPEC §6), a compliance counter's change
 * (`sign` -1 takes a share back), or waking the workflow.
 */
export type OutboxEntry =
  | { type: 'timeline'; entry: TimelineEntry }
  | { type: 'mail-received'; messageId: string; at: string }
  | { type: 'count'; share: ComplianceShare; sign: 1 | -1 }
  | { type: 'mail'; mail: MailIntent; claim?: MailClaim; setAside?: SetAside }
  | { type: 'signal' }
  | { type: 'search' };

/** The stored case: the record plus its pending side effects and the workflow's current wait. */
export interface StoredCase extends CaseRecord {
  outbox: Record<string, OutboxEntry>;
  wait?: { token: string; state: string };
  workflowDone?: boolean;
  /** The case's files are hidden behind delete markers (put on closure, removed on reopening). */
  filesClosed?: boolean;
  purged?: { at: string; objects: number };
  /** What the compliance counters hold of this case (set with the change that changes them). */
  counted?: ComplianceShare | null;
}
