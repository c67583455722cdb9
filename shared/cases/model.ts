import { z } from 'zod';

export const STATUSES = ['Open', 'Awaiting Info', 'Solution Proposed', 'Closed'] as const;
export type Status = (typeof STATUSES)[number];

/** The workflow state that mirrors each status (state names cannot carry spaces readably). */
export const WORKFLOW_STATE: Record<Status, string> = {
  Open: 'Open',
  'Awaiting Info': 'AwaitingInfo',
  'Solution Proposed': 'SolutionProposed',
  Closed: 'Closed',
};

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
    contactPhone: z
      .string()
      .regex(/^\+?[0-9 ()./-]{6,30}$/, 'a telephone number')
      .optional(),
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
}

export interface FollowUp {
  /** When the case entered the waiting status; offsets count from here (SPEC §5). */
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
  kind: 'created' | 'status' | 'note' | 'mail-sent';
  visibility: 'public' | 'internal';
  actor: string;
  text?: string;
  status?: Status;
  subStatus?: string;
}

export type MailKind =
  | 'confirmation'
  | 'info-requested'
  | 'solution-proposed'
  | 'reminder'
  | 'closed-no-response';

export interface MailIntent {
  /** Unique per case: a retried send with the same id is sent once. */
  id: string;
  kind: MailKind;
  to: string;
  reminder?: number;
  note?: string;
}
