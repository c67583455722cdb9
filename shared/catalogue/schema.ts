import * as z from 'zod';
import { CalendarSchema } from '../sla/calendar.ts';

/** A target or a span: `60min`, `4h`, `4BH`, `2BD`; `null` means no target (n/a). */
export const Span = z
  .string()
  .regex(/^\d+(\.\d+)?(min|h|BH|BD)$/, 'a span like 60min, 4h, 4BH or 2BD')
  .nullable();

const Severity = z.enum(['critical-production-down', 'critical', 'high', 'medium', 'low']);

const Targets = z.strictObject({
  response: Span,
  restoration: Span,
  resolution: Span,
  rootCause: Span.optional(),
  share: z.number().min(0).max(1).nullable(),
});

/** Who may escalate when (SPEC §8): by severity, and a root-cause analysis after a wait. */
const Escalation = z.strictObject({
  high: z.strictObject({ notUpdatedFor: Span }).nullable(),
  medium: z.strictObject({ notUpdatedFor: Span }).nullable(),
  low: z.strictObject({ notUpdatedFor: Span }).nullable(),
  rootCauseAfter: z.strictObject({ cloud: Span, premises: Span }),
});

const Plan = z.strictObject({
  followUpPolicy: z.string(),
  cloud: z.boolean(),
  /** A critical severity asked for from the portal: refused with guidance (422), or opened as High flagged. */
  criticalFromCustomer: z.enum(['refuse', 'open-as-high']),
  /** Response counts from completion (on-premise, pureconnect) or from submission (cloud) (SPEC §4). */
  responseFrom: z.enum(['complete', 'submission']),
  pauseWhileWaitingOnCustomer: z.boolean(),
  /**
   * Who reopens a closed case (SPEC §3): only support (`never` by the customer), the customer
   * `direct`ly, or the customer by a `request` that support decides; never by the customer after
   * the closures in `notAfter`.
   */
  reopen: z.strictObject({
    byCustomer: z.enum(['never', 'direct', 'request']),
    notAfter: z.array(z.string()),
  }),
  mailRequiresToken: z.boolean(),
  /** The share of cases that must meet the restoration target, in the compliance report (cloud: 95%). */
  restorationShare: z.number().min(0).max(1).optional(),
  /** Escalation eligibility of this plan, when it differs from the policy's default. */
  escalation: Escalation.optional(),
  targets: z.record(Severity, Targets),
});

export const PolicySchema = z
  .strictObject({
    severities: z.array(Severity),
    followUpPolicies: z.record(
      z.string(),
      z.strictObject({
        unit: z.enum(['calendar-days', 'business-days']),
        offsets: z.array(z.number().int().positive()).min(1),
      }),
    ),
    windows: z.strictObject({
      reopenDays: z.number().positive(),
      surveyDays: z.number().positive(),
      uploadGrantHours: z.number().positive(),
      purgeDays: z.number().positive(),
      snoozeMaxDays: z.number().positive(),
      closedFeatureRequestVisibleDays: z.number().positive(),
      gracePeriodMaxDays: z.number().positive(),
      /** Product management's evaluation of a feature request (SPEC §10: up to 55 BD). */
      featureEvaluationBusinessDays: z.number().int().positive(),
    }),
    /** The default escalation eligibility, from the handbooks. */
    escalation: Escalation,
    plans: z.record(z.string(), Plan),
  })
  .superRefine((policy, ctx) => {
    for (const [name, plan] of Object.entries(policy.plans)) {
      if (!(plan.followUpPolicy in policy.followUpPolicies)) {
        ctx.addIssue({
          code: 'custom',
          path: ['plans', name, 'followUpPolicy'],
          message: `unknown follow-up policy "${plan.followUpPolicy}"`,
        });
      }
    }
  });

export const CentreSchema = z.strictObject({
  timeZone: CalendarSchema.shape.timeZone,
  week: CalendarSchema.shape.week,
  /** Where the centre's holidays come from: a region and kinds of the date-holidays library. */
  holidaySource: z
    .strictObject({ country: z.string(), state: z.string().optional(), types: z.array(z.string()).min(1) })
    .nullable(),
  /** Per-centre overrides: these dates replace the library's entry for the same date. */
  holidays: CalendarSchema.shape.holidays.optional(),
  /** Library holidays this centre works through. */
  workingDates: z.array(z.iso.date()).optional(),
  /** Who hears of an SLA breach and of escalations, level by level (SPEC §8). */
  escalation: z.array(z.email()).min(1).optional(),
});

export const CentresSchema = z.record(z.string(), CentreSchema);

export type Policy = z.infer<typeof PolicySchema>;
export type Plan = z.infer<typeof Plan>;
export type Centre = z.infer<typeof CentreSchema>;
export type SeverityName = z.infer<typeof Severity>;

/** Parses catalogue data; the error names the path of the first bad value, e.g. `plans.business-care.targets.high.response`. */
export function parseCatalogue<T>(schema: z.ZodType<T>, data: unknown, source: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new Error(`invalid catalogue ${source}: ${path}: ${issue?.message}`);
  }
  return result.data;
}
