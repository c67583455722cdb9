import * as z from 'zod';
import {
  authorizeAtDesk,
  authorizeOnCase,
  mayOnAccount,
  mayOnCase,
  readableAccounts,
} from '#shared/cases/access.ts';
import type { StoredCase } from '#shared/cases/model.ts';
import {
  FR_STATUSES,
  IncidentReport,
  NewCaseInput,
  SEVERITIES,
  type Severity,
  STATUSES,
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
  grantGracePeriod,
  openCase,
  publishMail,
  readableCase,
  writableCase,
} from '#shared/service/cases.ts';
import { caseQueue, QUEUES } from '#shared/service/queues.ts';
import { slaCompliance } from '#shared/service/reports.ts';
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
  const { status, severity, account, breached, cursor, queue } = query.data;
  if (queue) {
    authorizeAtDesk(caller, 'queues');
    const queued = await caseQueue(caller, queue, clock.now());
    return json(200, { items: queued.map((c) => caseView(c, clock.now(), caller)) });
  }
  let scope: { account: string } | 'all';
  const accounts = readableAccounts(caller);
  if (accounts === 'all') scope = account ? { account } : 'all';
  else {
    const chosen = account ?? accounts[0];
    if (!chosen || !mayOnAccount(caller, 'list-cases', chosen)) return json(200, { items: [] });
    if (!account && accounts.length > 1) {
      throw invalid('account', `choose one of your accounts: ${accounts.join(', ')}`);
    }
    scope = { account: chosen };
  }
  const page = await listCases(scope, cursor);
  const isBreached = (v: ReturnType<typeof caseView>) =>
    Object.values(v.sla ?? {}).some((t) => t.outcome.state === 'breached');
  const items = page.items
    .filter((c) => (!status || c.status === status) && (!severity || c.severity === severity))
    .map((c) => caseView(c, clock.now(), caller))
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

async function update(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const c = await writableCase(caller, caseNumberOf(event));
  const input = parseBody(event, NoteInput);
  const support = mayOnCase(caller, 'support', c);
  const command: Command = support
    ? { kind: 'engineer-note', note: input.note, visibility: input.visibility ?? 'internal' }
    : { kind: 'customer-update', note: input.note, circumstances: input.circumstances };
  if (!support && input.visibility) {
    throw invalid('visibility', 'only engineers choose the visibility of a note');
  }
  return json(
    200,
    caseView(
      await applyCommand(
        c.caseId,
        command,
        actorOf(caller),
        () => clock.now(),
        input.revision,
        requestIdOf(event, caller),
        c,
      ),
      clock.now(),
      caller,
    ),
  );
}

const revision = z.number().int().positive().optional();
const note = z.string().max(20_000, 'at most 20000 characters');
const NoteBody = z.strictObject({ note, revision });
const GraceBody = z.strictObject({ note, until: z.iso.date('a day, YYYY-MM-DD'), revision });
const severity = z.enum(SEVERITIES);

/** Each action of SPEC §12: its body and the command it asks of the case. */
const ACTIONS: Record<string, { body: z.ZodType<{ revision?: number }>; command: (body: never) => Command }> =
  {
    'request-info': {
      body: NoteBody,
      command: (b: z.infer<typeof NoteBody>) => ({ kind: 'request-info', note: b.note }),
    },
    'propose-solution': {
      body: z.strictObject({ note, software: z.boolean().optional(), revision }),
      command: (b: { note: string; software?: boolean }) => ({
        kind: 'propose-solution',
        note: b.note,
        software: b.software,
      }),
    },
    respond: {
      body: NoteBody,
      command: (b: z.infer<typeof NoteBody>) => ({ kind: 'respond', note: b.note }),
    },
    'accept-solution': {
      body: z.strictObject({ note: note.optional(), revision }),
      command: (b: { note?: string }) => ({ kind: 'accept-solution', note: b.note }),
    },
    'reject-solution': {
      body: NoteBody,
      command: (b: z.infer<typeof NoteBody>) => ({ kind: 'reject-solution', note: b.note }),
    },
    'mark-restored': {
      body: z.strictObject({ note: note.optional(), revision }),
      command: (b: { note?: string }) => ({ kind: 'mark-restored', note: b.note }),
    },
    'set-severity': {
      body: z.strictObject({ severity, note: note.optional(), revision }),
      command: (b: { severity: Severity; note?: string }) => ({
        kind: 'set-severity',
        severity: b.severity,
        note: b.note,
      }),
    },
    'set-substatus': {
      body: z.strictObject({ subStatus: z.string().max(100), revision }),
      command: (b: { subStatus: string }) => ({ kind: 'set-substatus', subStatus: b.subStatus }),
    },
    'snooze-follow-ups': {
      body: z.strictObject({ until: z.iso.datetime({ offset: true }), revision }),
      command: (b: { until: string }) => ({ kind: 'snooze-follow-ups', until: b.until }),
    },
    close: {
      body: z.strictObject({ subStatus: z.string().max(100), note, revision }),
      command: (b: { subStatus: string; note: string }) => ({
        kind: 'close',
        subStatus: b.subStatus,
        note: b.note,
      }),
    },
    reopen: { body: NoteBody, command: (b: z.infer<typeof NoteBody>) => ({ kind: 'reopen', note: b.note }) },
    escalate: {
      body: z.strictObject({
        reason: z.string().max(5_000),
        rootCause: z.boolean().optional(),
        businessImpact: z.string().max(5_000).optional(),
        revision,
      }),
      command: (b: { reason: string; rootCause?: boolean; businessImpact?: string }) => ({
        kind: 'escalate',
        reason: b.reason,
        rootCause: b.rootCause,
        businessImpact: b.businessImpact,
      }),
    },
    take: { body: z.strictObject({ revision }), command: () => ({ kind: 'take' }) },
    'request-priority-change': {
      body: z.strictObject({ severity, note, revision }),
      command: (b: { severity: Severity; note: string }) => ({
        kind: 'request-priority-change',
        severity: b.severity,
        note: b.note,
      }),
    },
  };

const FrBody = z.strictObject({
  status: z.enum(FR_STATUSES),
  nextUpdateDue: z.iso.datetime({ offset: true }).optional(),
  targetRelease: z.string().trim().min(1).max(100).optional(),
  resolution: z.enum(['declined', 'duplicate', 'implemented']).optional(),
  revision,
});
ACTIONS['update-feature-request'] = {
  body: FrBody,
  command: (b: z.infer<typeof FrBody>) => ({ kind: 'update-feature-request', ...b }),
};
ACTIONS['acknowledge-change'] = {
  body: NoteBody,
  command: (b: z.infer<typeof NoteBody>) => ({ kind: 'acknowledge-change', note: b.note }),
};
const DecideBody = z.strictObject({ decision: z.enum(['accepted', 'rejected']), note, revision });
ACTIONS['decide-change'] = {
  body: DecideBody,
  command: (b: z.infer<typeof DecideBody>) => ({ kind: 'decide-change', decision: b.decision, note: b.note }),
};
ACTIONS['complete-change'] = {
  body: NoteBody,
  command: (b: z.infer<typeof NoteBody>) => ({ kind: 'complete-change', note: b.note }),
};
const ReportBody = z.strictObject({
  stage: z.enum(['post-mortem', 'incident-report']),
  report: IncidentReport,
  revision,
});
ACTIONS['file-incident-report'] = {
  body: ReportBody,
  command: (b: z.infer<typeof ReportBody>) => ({
    kind: 'file-incident-report',
    stage: b.stage,
    report: b.report,
  }),
};

const PriorityDecisionBody = z.strictObject({
  decision: z.enum(['accepted', 'declined']),
  note: note.optional(),
  revision,
});
ACTIONS['decide-priority-change'] = {
  body: PriorityDecisionBody,
  command: (b: z.infer<typeof PriorityDecisionBody>) => ({
    kind: 'decide-priority-change',
    decision: b.decision,
    note: b.note,
  }),
};
const DefectBody = z.strictObject({ defectCorrection: z.boolean(), note: note.optional(), revision });
ACTIONS['set-defect-correction'] = {
  body: DefectBody,
  command: (b: z.infer<typeof DefectBody>) => ({
    kind: 'set-defect-correction',
    defectCorrection: b.defectCorrection,
    note: b.note,
  }),
};
const OptionalNoteBody = z.strictObject({ note: note.optional(), revision });
ACTIONS['mark-information-complete'] = {
  body: OptionalNoteBody,
  command: (b: z.infer<typeof OptionalNoteBody>) => ({ kind: 'mark-information-complete', note: b.note }),
};
ACTIONS['deliver-rca'] = {
  body: NoteBody,
  command: (b: z.infer<typeof NoteBody>) => ({ kind: 'deliver-rca', note: b.note }),
};
ACTIONS['decline-reopen'] = {
  body: NoteBody,
  command: (b: z.infer<typeof NoteBody>) => ({ kind: 'decline-reopen', note: b.note }),
};

for (const kind of [
  'refer-to-product-management',
  'require-services-order',
  'sign-services-order',
  'resubmit-change',
  'request-incident-report',
] as const) {
  ACTIONS[kind] = { body: NoteBody, command: (b: z.infer<typeof NoteBody>) => ({ kind, note: b.note }) };
}
ACTIONS['mark-service-interruption'] = {
  body: OptionalNoteBody,
  command: (b: z.infer<typeof OptionalNoteBody>) => ({ kind: 'mark-service-interruption', note: b.note }),
};
const AssignBody = z.strictObject({ engineer: z.email(), note: note.optional(), revision });

const PublishBody = z.strictObject({ entryId: z.string().max(100) });
const SurveyBody = z.strictObject({
  ratings: z.array(z.number().int().min(1).max(5)).length(6, 'six ratings, one per question'),
  comment: z.string().max(5_000).optional(),
});

async function action(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const name = event.pathParameters?.action ?? '';
  const c = await writableCase(caller, caseNumberOf(event));
  if (name === 'publish-mail') {
    authorizeOnCase(caller, 'support', c);
    await publishMail(c.caseId, parseBody(event, PublishBody).entryId);
    return json(200, caseView(c, clock.now(), caller));
  }
  const actor = actorOf(caller);
  const now = () => clock.now();
  const request = requestIdOf(event, caller);
  let changed: StoredCase;
  if (name === 'raise-feature-request') {
    const body = parseBody(event, NoteBody);
    authorizeOnCase(caller, 'support', c);
    const frNumber = `FR-${await allocateNumber('FEATURE_REQUEST')}`;
    const command: Command = { kind: 'raise-feature-request', frNumber, note: body.note };
    changed = await applyCommand(c.caseId, command, actor, now, body.revision, request);
  } else if (name === 'assign') {
    const body = parseBody(event, AssignBody);
    authorizeOnCase(caller, 'support', c);
    const assignee = await getUser(body.engineer);
    if (assignee?.role !== 'engineer')
      throw invalid('engineer', `${body.engineer} is not a support engineer`);
    const command: Command = { kind: 'assign', engineer: assignee.email, note: body.note };
    changed = await applyCommand(c.caseId, command, actor, now, body.revision, request);
  } else if (name === 'grant-grace-period') {
    const body = parseBody(event, GraceBody);
    authorizeOnCase(caller, 'support', c);
    changed = await grantGracePeriod(c, body, actor, now, body.revision, request);
  } else {
    const spec = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!spec) throw notFound(`unknown action "${name}"`);
    const body = parseBody(event, spec.body);
    changed = await applyCommand(
      c.caseId,
      spec.command(body as never),
      actor,
      now,
      body.revision,
      request,
      c,
    );
  }
  return json(200, caseView(changed, clock.now(), caller));
}

async function survey(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  const c = await writableCase(caller, caseNumberOf(event));
  const body = parseBody(event, SurveyBody);
  const command: Command = { kind: 'survey', ratings: body.ratings, comment: body.comment };
  return json(
    200,
    caseView(
      await applyCommand(
        c.caseId,
        command,
        actorOf(caller),
        () => clock.now(),
        undefined,
        requestIdOf(event, caller),
        c,
      ),
      clock.now(),
      caller,
    ),
  );
}

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
  const events = current ? await executionHistory(current.executionArn) : [];
  const entered = events
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map((e) => e.stateEnteredEventDetails?.name);
  return json(200, {
    definition: await stateMachineDefinition(),
    executions,
    currentState: entered.at(-1) ?? null,
    events,
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
  'POST /v1/cases/{caseNumber}/actions/{action}': action,
  'POST /v1/cases/{caseNumber}/survey': survey,
  'GET /v1/cases/{caseNumber}/execution': execution,
  'GET /v1/cases/{caseNumber}/sla': sla,
  'GET /v1/reports/sla-compliance': compliance,
};

// Case creation binds its key to the case number before the case exists (openCase).
export const handler = apiHandler(routes, ['POST /v1/cases']);
