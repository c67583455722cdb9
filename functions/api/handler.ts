import * as z from 'zod';
import {
  authorizeAtDesk,
  authorizeOnCase,
  mayOnAccount,
  mayOnCase,
  readableAccounts,
} from '#shared/cases/access.ts';
import {
  FR_STATUSES,
  IncidentReport,
  NewCaseInput,
  SEVERITIES,
  STATUSES,
  type StoredCase,
} from '#shared/cases/model.ts';
import { slaExplanation } from '#shared/cases/sla.ts';
import type { Command } from '#shared/cases/transitions.ts';
import { clock } from '#shared/clock.ts';
import { invalid, notFound } from '#shared/errors.ts';
import {
  type ApiEvent,
  type ApiResult,
  apiHandler,
  idempotencyKey,
  json,
  parseBody,
  type Route,
  requestIdOf,
} from '#shared/http/http.ts';
import {
  applyCommand,
  type Caller,
  caseView,
  claimGracePeriodFor,
  openCase,
  publishMail,
  readableCase,
  writableCase,
} from '#shared/service/cases.ts';
import { caseQueue, QUEUES } from '#shared/service/queues.ts';
import { slaCompliance } from '#shared/service/reports.ts';
import { searchReadableCases } from '#shared/service/search.ts';
import { getUser } from '#shared/store/accounts.ts';
import { listCases } from '#shared/store/cases.ts';
import { allocateNumber } from '#shared/store/counters.ts';
import { caseExecutions, executionHistory, stateMachineDefinition } from '#shared/store/executions.ts';
import { listTimeline } from '#shared/store/timeline.ts';

/** The case API: one function behind the HTTP API's case routes, dispatched by route key. */

const NoteInput = z.strictObject({
  note: z.string().max(20_000, 'at most 20000 characters'),
  visibility: z.enum(['public', 'internal']).optional(),
  /** A customer completing the case (SPEC §2) gives the circumstances with an update. */
  circumstances: z.string().trim().min(1).max(20_000).optional(),
  /** The revision the caller last saw: a stale one is refused with 409 (optimistic versioning). */
  revision: z.number().int().positive().optional(),
});

const ListQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  account: z.string().optional(),
  breached: z.enum(['true', 'false']).optional(),
  cursor: z.string().optional(),
  /** An engineer's queue: unowned cases of their centres, or their own, most urgent first. */
  queue: z.enum(QUEUES).optional(),
  /** Search: a case number, words of subjects (by prefix), a contact's e-mail. */
  q: z.string().trim().min(1, 'give something to search for').max(200, 'at most 200 characters').optional(),
});

const caseNumberOf = (event: ApiEvent) => {
  const n = event.pathParameters?.caseNumber ?? '';
  // Customers quote numbers with or without the zero padding.
  if (!/^\d{1,10}$/.test(n)) throw notFound(`case ${n} not found`);
  return n.padStart(10, '0');
};

const actorOf = (caller: Caller) =>
  caller.role === 'engineer'
    ? ({ kind: 'engineer', email: caller.email } as const)
    : ({ kind: 'contact', email: caller.email } as const);

async function create(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const input = parseBody(event, NewCaseInput);
  const key = idempotencyKey(event);
  const { case: c, created } = await openCase(caller, input, clock.now(), key);
  return json(created ? 201 : 200, caseView(c, clock.now(), caller), {
    location: `/v1/cases/${c.number}`,
  });
}

async function list(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const query = ListQuery.safeParse(event.queryStringParameters ?? {});
  if (!query.success)
    throw invalid(
      String(query.error.issues[0]?.path[0] ?? 'query'),
      query.error.issues[0]?.message ?? 'invalid',
    );
  const { status, severity, account, breached, cursor, queue, q } = query.data;
  const view = (c: StoredCase) => caseView(c, clock.now(), caller);
  if (queue) {
    authorizeAtDesk(caller, 'queues');
    const queued = await caseQueue(caller, queue, cursor);
    return json(200, { items: queued.items.map(view), ...(queued.cursor ? { cursor: queued.cursor } : {}) });
  }
  let scope: { account?: string };
  const accounts = readableAccounts(caller);
  if (accounts === 'all') scope = account ? { account } : {};
  else {
    const chosen = account ?? accounts[0];
    if (!chosen || !mayOnAccount(caller, 'list-cases', chosen)) return json(200, { items: [] });
    if (!account && accounts.length > 1) {
      throw invalid('account', `choose one of your accounts: ${accounts.join(', ')}`);
    }
    scope = { account: chosen };
  }
  // Every filter is a key of its own index; `breached=false` reads the unfiltered partition and
  // leaves out the few breached cases (see DECISIONS.md, indexes). A search's matches are filtered.
  const page = q
    ? await searchReadableCases(caller, scope, q, cursor)
    : await listCases(
        { ...scope, status, severity, ...(breached === 'true' ? { breached: true } : {}) },
        cursor,
      );
  const isBreached = (v: ReturnType<typeof view>) =>
    Object.values(v.sla ?? {}).some((t) => t.outcome.state === 'breached');
  const items = page.items
    .filter((c) => !q || ((!status || c.status === status) && (!severity || c.severity === severity)))
    .map(view)
    .filter((v) => !breached || isBreached(v) === (breached === 'true'));
  return json(200, { items, ...(page.cursor ? { cursor: page.cursor } : {}) });
}

async function show(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  return json(200, caseView(await readableCase(caller, caseNumberOf(event)), clock.now(), caller));
}

async function timeline(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const c = await readableCase(caller, caseNumberOf(event));
  const written = await listTimeline(c.caseId);
  // A change's items are written by its workflow as it wakes; until then they wait in the case's
  // outbox, and are shown from there.
  const listed = new Set(written.map((e) => e.id));
  const pending = Object.entries(c.outbox ?? {}).flatMap(([id, e]) =>
    e.type === 'timeline' && !listed.has(id) ? [{ id, ...e.entry }] : [],
  );
  const entries = pending.length
    ? [...written, ...pending].sort((a, b) => `${a.at}#${a.id}`.localeCompare(`${b.at}#${b.id}`))
    : written;
  // Internal items (engineer notes, unpublished mail) never reach a customer.
  const visible = mayOnCase(caller, 'read-internal', c)
    ? entries
    : entries.filter((e) => e.visibility === 'public');
  return json(200, { items: visible });
}

const revision = z.number().int().positive().optional();
const note = z.string().max(20_000, 'at most 20000 characters');
const severity = z.enum(SEVERITIES);
const NoteBody = z.strictObject({ note, revision });
const OptionalNoteBody = z.strictObject({ note: note.optional(), revision });
const SurveyBody = z.strictObject({
  ratings: z.array(z.number().int().min(1).max(5)).length(6, 'six ratings, one per question'),
  comment: z.string().max(5_000).optional(),
});

/** The case an action is asked of, as read for this request, and who asks. */
interface ActionContext {
  case: StoredCase;
  caller: Caller;
}
type ActionRun = (event: ApiEvent, on: ActionContext) => Promise<StoredCase>;

/**
 * A change asked of a case (an action of SPEC §12, a note, a survey answer): its body (unknown
 * fields refused, a 400 naming the field; `revision` where it takes one) and the command it asks of
 * the case, applied once however often the request is retried.
 */
const action =
  <T extends { revision?: number; [field: string]: unknown }>(
    body: z.ZodType<T>,
    toCommand: (body: T, on: ActionContext) => Command | Promise<Command>,
  ): ActionRun =>
  async (event, on) => {
    const input = parseBody(event, body);
    const command = await toCommand(input, on);
    const request = requestIdOf(event, on.caller);
    return applyCommand(
      on.case.caseId,
      command,
      actorOf(on.caller),
      () => clock.now(),
      input.revision,
      request,
      on.case,
    );
  };

/** Checked before an action that reserves something (a number, an account's grace period). */
const engineerOnly = (on: ActionContext) => authorizeOnCase(on.caller, 'support', on.case);

/** Every case action by name, as `POST /v1/cases/{n}/actions/{action}` takes it (openapi.yaml lists them). */
export const ACTIONS: Record<string, ActionRun> = {
  take: action(z.strictObject({ revision }), () => ({ kind: 'take' })),
  assign: action(
    z.strictObject({ engineer: z.email(), note: note.optional(), revision }),
    async ({ engineer, note }, on) => {
      engineerOnly(on);
      const assignee = await getUser(engineer);
      if (assignee?.role !== 'engineer') throw invalid('engineer', `${engineer} is not a support engineer`);
      return { kind: 'assign', engineer: assignee.email, note };
    },
  ),
  respond: action(NoteBody, ({ note }) => ({ kind: 'respond', note })),
  'request-info': action(NoteBody, ({ note }) => ({ kind: 'request-info', note })),
  'propose-solution': action(
    z.strictObject({ note, software: z.boolean().optional(), revision }),
    ({ note, software }) => ({ kind: 'propose-solution', note, software }),
  ),
  'mark-restored': action(OptionalNoteBody, ({ note }) => ({ kind: 'mark-restored', note })),
  'set-severity': action(
    z.strictObject({ severity, note: note.optional(), revision }),
    ({ severity, note }) => ({ kind: 'set-severity', severity, note }),
  ),
  'decide-priority-change': action(
    z.strictObject({ decision: z.enum(['accepted', 'declined']), note: note.optional(), revision }),
    ({ decision, note }) => ({ kind: 'decide-priority-change', decision, note }),
  ),
  'set-defect-correction': action(
    z.strictObject({ defectCorrection: z.boolean(), note: note.optional(), revision }),
    ({ defectCorrection, note }) => ({ kind: 'set-defect-correction', defectCorrection, note }),
  ),
  'mark-information-complete': action(OptionalNoteBody, ({ note }) => ({
    kind: 'mark-information-complete',
    note,
  })),
  'deliver-rca': action(NoteBody, ({ note }) => ({ kind: 'deliver-rca', note })),
  'decline-reopen': action(NoteBody, ({ note }) => ({ kind: 'decline-reopen', note })),
  'refer-to-product-management': action(NoteBody, ({ note }) => ({
    kind: 'refer-to-product-management',
    note,
  })),
  'require-services-order': action(NoteBody, ({ note }) => ({ kind: 'require-services-order', note })),
  'sign-services-order': action(NoteBody, ({ note }) => ({ kind: 'sign-services-order', note })),
  'mark-service-interruption': action(OptionalNoteBody, ({ note }) => ({
    kind: 'mark-service-interruption',
    note,
  })),
  'set-substatus': action(z.strictObject({ subStatus: z.string().max(100), revision }), ({ subStatus }) => ({
    kind: 'set-substatus',
    subStatus,
  })),
  'snooze-follow-ups': action(
    z.strictObject({ until: z.iso.datetime({ offset: true }), revision }),
    ({ until }) => ({ kind: 'snooze-follow-ups', until }),
  ),
  close: action(
    z.strictObject({ subStatus: z.string().max(100), note, revision }),
    ({ subStatus, note }) => ({ kind: 'close', subStatus, note }),
  ),
  reopen: action(NoteBody, ({ note }) => ({ kind: 'reopen', note })),
  /** Not a change of the case's record: a received mail's timeline item made public. */
  'publish-mail': async (event, on) => {
    engineerOnly(on);
    await publishMail(
      on.case.caseId,
      parseBody(event, z.strictObject({ entryId: z.string().max(100) })).entryId,
    );
    return on.case;
  },
  'raise-feature-request': action(NoteBody, async ({ note }, on) => {
    engineerOnly(on);
    return { kind: 'raise-feature-request', frNumber: `FR-${await allocateNumber('FEATURE_REQUEST')}`, note };
  }),
  'update-feature-request': action(
    z.strictObject({
      status: z.enum(FR_STATUSES),
      nextUpdateDue: z.iso.datetime({ offset: true }).optional(),
      targetRelease: z.string().trim().min(1).max(100).optional(),
      resolution: z.enum(['declined', 'duplicate', 'implemented']).optional(),
      revision,
    }),
    ({ status, nextUpdateDue, targetRelease, resolution }) => ({
      kind: 'update-feature-request',
      status,
      nextUpdateDue,
      targetRelease,
      resolution,
    }),
  ),
  'acknowledge-change': action(NoteBody, ({ note }) => ({ kind: 'acknowledge-change', note })),
  'decide-change': action(
    z.strictObject({ decision: z.enum(['accepted', 'rejected']), note, revision }),
    ({ decision, note }) => ({ kind: 'decide-change', decision, note }),
  ),
  'complete-change': action(NoteBody, ({ note }) => ({ kind: 'complete-change', note })),
  'file-incident-report': action(
    z.strictObject({ stage: z.enum(['post-mortem', 'incident-report']), report: IncidentReport, revision }),
    ({ stage, report }) => ({ kind: 'file-incident-report', stage, report }),
  ),
  'grant-grace-period': action(
    z.strictObject({ note, until: z.iso.date('a day, YYYY-MM-DD'), revision }),
    async ({ note, until }, on) => {
      engineerOnly(on);
      await claimGracePeriodFor(on.case, until, clock.now());
      return { kind: 'grant-grace-period', note, until };
    },
  ),
  'accept-solution': action(OptionalNoteBody, ({ note }) => ({ kind: 'accept-solution', note })),
  'reject-solution': action(NoteBody, ({ note }) => ({ kind: 'reject-solution', note })),
  escalate: action(
    z.strictObject({
      reason: z.string().max(5_000),
      rootCause: z.boolean().optional(),
      businessImpact: z.string().max(5_000).optional(),
      revision,
    }),
    ({ reason, rootCause, businessImpact }) => ({ kind: 'escalate', reason, rootCause, businessImpact }),
  ),
  'request-priority-change': action(z.strictObject({ severity, note, revision }), ({ severity, note }) => ({
    kind: 'request-priority-change',
    severity,
    note,
  })),
  'resubmit-change': action(NoteBody, ({ note }) => ({ kind: 'resubmit-change', note })),
  'request-incident-report': action(NoteBody, ({ note }) => ({ kind: 'request-incident-report', note })),
};

/** Runs a change on the case of the path, as the caller, and answers with the case as they see it. */
const onCase =
  (run: ActionRun): Route =>
  async (event, caller) => {
    const c = await writableCase(caller, caseNumberOf(event));
    return json(200, caseView(await run(event, { case: c, caller }), clock.now(), caller));
  };

const runAction = onCase((event, on) => {
  const name = event.pathParameters?.action ?? '';
  const run = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!run) throw notFound(`unknown action "${name}"`);
  return run(event, on);
});

/** A note: an engineer's (internal unless they say otherwise), or a customer's update. */
const update = onCase(
  action(NoteInput, (input, { case: c, caller }) => {
    if (mayOnCase(caller, 'support', c))
      return { kind: 'engineer-note', note: input.note, visibility: input.visibility ?? 'internal' };
    if (input.visibility) throw invalid('visibility', 'only engineers choose the visibility of a note');
    return { kind: 'customer-update', note: input.note, circumstances: input.circumstances };
  }),
);

const survey = onCase(action(SurveyBody, ({ ratings, comment }) => ({ kind: 'survey', ratings, comment })));

const ReportQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

async function compliance(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  authorizeAtDesk(caller, 'reports');
  const query = ReportQuery.safeParse(event.queryStringParameters ?? {});
  if (!query.success) throw invalid(String(query.error.issues[0]?.path[0] ?? 'query'), 'an ISO-8601 instant');
  const to = query.data.to ? new Date(query.data.to) : clock.now();
  const from = query.data.from ? new Date(query.data.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw invalid('from', 'must be before to');
  return json(200, await slaCompliance(from, to));
}

/** The case's Step Functions executions, the state machine and the current one's history (operators). */
async function execution(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const c = await readableCase(caller, caseNumberOf(event));
  authorizeOnCase(caller, 'read-internal', c);
  const executions = await caseExecutions(c.caseId);
  const current = executions.at(-1);
  const { events, earlierLeftOut } = current
    ? await executionHistory(current.executionArn)
    : { events: [], earlierLeftOut: false };
  const entered = events
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map((e) => e.stateEnteredEventDetails?.name);
  return json(200, {
    definition: await stateMachineDefinition(),
    executions,
    currentState: entered.at(-1) ?? null,
    events,
    earlierEventsLeftOut: earlierLeftOut,
  });
}

/** The case's SLA targets, each with why it is due when it is (SPEC §12). */
async function sla(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const c = await readableCase(caller, caseNumberOf(event));
  const now = clock.now();
  return json(200, {
    caseNumber: c.number,
    plan: c.plan,
    centre: c.centre,
    severity: c.severity,
    status: c.status,
    targets: slaExplanation(c, now),
  });
}

const routes: Record<string, Route> = {
  'POST /v1/cases': create,
  'GET /v1/cases': list,
  'GET /v1/cases/{caseNumber}': show,
  'GET /v1/cases/{caseNumber}/timeline': timeline,
  'POST /v1/cases/{caseNumber}/updates': update,
  'POST /v1/cases/{caseNumber}/actions/{action}': runAction,
  'POST /v1/cases/{caseNumber}/survey': survey,
  'GET /v1/cases/{caseNumber}/execution': execution,
  'GET /v1/cases/{caseNumber}/sla': sla,
  'GET /v1/reports/sla-compliance': compliance,
};

// Case creation binds its key to the case number before the case exists (openCase).
export const handler = apiHandler(routes, ['POST /v1/cases']);
