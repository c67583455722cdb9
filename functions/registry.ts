/**
 * Every Lambda function of casework, described once: the CDK stack builds a `NodejsFunction` per
 * entry, with the IAM policy generated from its `access` (infra/access.ts), and the local runtime
 * loads the same handler. `routes` are the HTTP API routes it serves; `substitution` is the name
 * the state machine's definition uses for its ARN; `invokedBy` says who calls it: an `async`
 * caller (SES, EventBridge) gets a dead-letter queue for the events that keep failing.
 */

/**
 * What a function may do, in casework's terms. Each grant names the narrowest resources it needs:
 * - `table.items`: read, write and query items of the table and its indexes (batch writes too: a
 *   case's search words; IAM cannot allow a batch's puts without its deletes); `table.remove`: delete items;
 *   `table.describe`: the table's status (health).
 * - `bucket.list`: list the bucket (HeadBucket; a missing object then answers 404, not 403).
 * - `files.readWrite`: case files under `cases/`, their versions and multipart uploads;
 *   `files.parts`: the parts an upload under way holds; `files.put`:
 *   store case files only; `inbox.read`: raw inbound mail under `inbox/`.
 * - `workflow.start`, `workflow.answer` (task tokens), `workflow.read` (the state machine, a case's
 *   executions and their history), `workflow.list` (executions by status).
 * - `mail.send` from the desk's domain; `mail.account` (SES account status, for health);
 *   `mail.suppression`: take an address off SES's suppression list.
 * - `users.provision`: create (or invite again), enable, disable users of the user pool and set
 *   their groups.
 */
export type Access =
  | 'table.items'
  | 'table.remove'
  | 'table.describe'
  | 'bucket.list'
  | 'files.readWrite'
  | 'files.parts'
  | 'files.put'
  | 'inbox.read'
  | 'workflow.start'
  | 'workflow.answer'
  | 'workflow.read'
  | 'workflow.list'
  | 'mail.send'
  | 'mail.suppression'
  | 'mail.account'
  | 'users.provision';

export interface FunctionSpec {
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: Access[];
  invokedBy: 'api' | 'workflow' | 'async';
  routes?: { route: string; auth: boolean }[];
  substitution?: string;
}

export const functions = {
  health: {
    entry: 'functions/health/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    access: ['table.describe', 'bucket.list', 'workflow.read', 'mail.account'],
    invokedBy: 'api',
    routes: [{ route: 'GET /v1/health', auth: false }],
  },
  api: {
    entry: 'functions/api/handler.ts',
    memoryMb: 1024,
    timeoutSeconds: 29,
    access: ['table.items', 'workflow.start', 'workflow.answer', 'workflow.read', 'mail.send'],
    invokedBy: 'api',
    routes: [
      'POST /v1/cases',
      'GET /v1/cases',
      'GET /v1/cases/{caseNumber}',
      'GET /v1/cases/{caseNumber}/timeline',
      'POST /v1/cases/{caseNumber}/updates',
      'POST /v1/cases/{caseNumber}/actions/{action}',
      'POST /v1/cases/{caseNumber}/survey',
      'GET /v1/cases/{caseNumber}/execution',
      'GET /v1/cases/{caseNumber}/sla',
      'GET /v1/reports/sla-compliance',
    ].map((route) => ({ route, auth: true })),
  },
  files: {
    entry: 'functions/files/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
    access: ['table.items', 'bucket.list', 'files.readWrite', 'files.parts'],
    invokedBy: 'api',
    routes: [
      'POST /v1/cases/{caseNumber}/files',
      'GET /v1/cases/{caseNumber}/files',
      'GET /v1/cases/{caseNumber}/files/{fileId}',
      'POST /v1/cases/{caseNumber}/files/{fileId}/urls',
      'POST /v1/cases/{caseNumber}/files/{fileId}/complete',
      'POST /v1/cases/{caseNumber}/files/{fileId}/abort',
    ].map((route) => ({ route, auth: true })),
  },
  triage: {
    entry: 'functions/triage/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
    // Linking a mail stores its attachments as case files and wakes the case's workflow.
    access: ['table.items', 'inbox.read', 'files.put', 'workflow.answer', 'mail.send'],
    invokedBy: 'api',
    routes: ['GET /v1/triage', 'POST /v1/triage/{id}/link', 'POST /v1/triage/{id}/dismiss'].map((route) => ({
      route,
      auth: true,
    })),
  },
  admin: {
    entry: 'functions/admin/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
    access: ['table.items', 'table.remove', 'users.provision', 'mail.suppression'],
    invokedBy: 'api',
    routes: [
      'GET /v1/admin/catalogue',
      'POST /v1/admin/catalogue',
      'POST /v1/admin/invitations',
      'GET /v1/admin/undeliverable',
      'POST /v1/admin/undeliverable/{address}/clear',
    ].map((route) => ({ route, auth: true })),
  },
  workflow: {
    entry: 'functions/workflow/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    // StartExecution: a long case life continues in a new execution.
    access: [
      'table.items',
      'bucket.list',
      'files.readWrite',
      'workflow.start',
      'workflow.answer',
      'mail.send',
    ],
    invokedBy: 'workflow',
    substitution: 'WorkflowFunctionArn',
  },
  inboundMail: {
    entry: 'functions/inbound-mail/handler.ts',
    memoryMb: 1024,
    timeoutSeconds: 60,
    access: ['table.items', 'inbox.read', 'files.put', 'workflow.answer', 'mail.send'],
    invokedBy: 'async',
  },
  sweep: {
    entry: 'functions/sweep/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 300,
    access: ['table.items', 'workflow.list', 'workflow.read', 'workflow.start'],
    invokedBy: 'async',
  },
  mailEvents: {
    entry: 'functions/mail-events/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    access: ['table.items'],
    invokedBy: 'async',
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/**
 * The HTTP API stage's throttle: API Gateway answers 429 beyond it, before any function runs.
 * The local router applies the same token bucket.
 */
export const apiThrottle = { rateLimit: 100, burstLimit: 200 };

/** How often the sweep restarts the executions of cases whose workflow failed. */
export const sweepEveryMinutes = 15;
