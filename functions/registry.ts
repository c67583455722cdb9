/**
 * Every Lambda function of casework, described once: the CDK stack builds a `NodejsFunction` per
 * entry and the local runtime loads the same handler. `routes` are the HTTP API routes it serves;
 * `substitution` is the name the state machine's definition uses for its ARN.
 */
export interface FunctionSpec {
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  routes?: { route: string; auth: boolean }[];
  substitution?: string;
}

export const functions = {
  health: {
    entry: 'functions/health/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    routes: [{ route: 'GET /v1/health', auth: false }],
  },
  api: {
    entry: 'functions/api/handler.ts',
    memoryMb: 1024,
    timeoutSeconds: 29,
    routes: [
      'POST /v1/cases',
      'GET /v1/cases',
      'GET /v1/cases/{caseNumber}',
      'GET /v1/cases/{caseNumber}/timeline',
      'POST /v1/cases/{caseNumber}/updates',
      'POST /v1/cases/{caseNumber}/actions/{action}',
      'POST /v1/cases/{caseNumber}/survey',
      'GET /v1/cases/{caseNumber}/execution',
      'GET /v1/reports/sla-compliance',
    ].map((route) => ({ route, auth: true })),
  },
  files: {
    entry: 'functions/files/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
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
    routes: ['GET /v1/triage', 'POST /v1/triage/{id}/link', 'POST /v1/triage/{id}/dismiss'].map((route) => ({
      route,
      auth: true,
    })),
  },
  workflow: {
    entry: 'functions/workflow/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    substitution: 'WorkflowFunctionArn',
  },
  inboundMail: {
    entry: 'functions/inbound-mail/handler.ts',
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/**
 * The HTTP API stage's throttle: API Gateway answers 429 beyond it, before any function runs.
 * The local router applies the same token bucket.
 */
export const apiThrottle = { rateLimit: 100, burstLimit: 200 };
