import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { Duration } from 'luxon';
import { SMTPServer } from 'smtp-server';
import { apiThrottle, type FunctionName, functions } from '#functions/registry.ts';
import { accountProblems } from '#shared/catalogue/accounts.ts';
import { useClock } from '#shared/clock.ts';
import { putObject } from '#shared/store/files.ts';
import { demoAccounts, demoUsers } from './demo.ts';
import { closeDynaliteIterators } from './dynalite-iterators.ts';
import { concurrentInvocations } from './invocations.ts';
import { AUDIENCE, LocalIssuer, TokenRejected, verifyBearer } from './jwt.ts';
import { collectMetrics } from './metrics.ts';
import { apiGatewayEvent, compileRoutes, TokenBucket } from './router.ts';
import { LocalStepFunctions, SfnError } from './stepfunctions.ts';
import { ensureTable } from './table.ts';
import { VirtualClock } from './virtual-clock.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const ROOT = path.resolve(import.meta.dirname, '..');
const TABLE = 'casework';
const BUCKET = 'casework-files';
const STATE_MACHINE = 'casework-case-lifecycle';

export interface Ports {
  api: number;
  dynamodb: number;
  s3: number;
  ses: number;
  stepfunctions: number;
  smtp: number;
}

/** Default ports (SPEC §12), each overridable by an environment variable named in the README. */
export function defaultPorts(env = process.env): Ports {
  const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    api: port('CASEWORK_PORT', 4000),
    dynamodb: port('CASEWORK_DYNAMODB_PORT', 4001),
    s3: port('CASEWORK_S3_PORT', 4002),
    ses: port('CASEWORK_SES_PORT', 4003),
    stepfunctions: port('CASEWORK_SFN_PORT', 4004),
    smtp: port('CASEWORK_SMTP_PORT', 2525),
  };
}

export interface RuntimeOptions {
  dataDir: string;
  ports: Ports;
  /** Tests freeze virtual time at an instant; `npm start` runs it from real time. */
  frozenAt?: Date;
  /** The API stage's throttle; the stack's unless given. */
  throttle?: { rateLimit: number; burstLimit: number };
}

export interface LocalRuntime {
  urls: Record<keyof Ports | 'mailViewer' | 'console', string>;
  clock: VirtualClock;
  stepFunctions: LocalStepFunctions;
  issuer: LocalIssuer;
  /**
   * Counters for cost figures: Lambda invocations per function, DynamoDB requests per operation;
   * and the CloudWatch metrics the handlers published, summed by name.
   */
  counters: {
    invocations: Record<string, number>;
    dynamodb: Record<string, number>;
    /** Requests to the other emulators: S3 and SES by HTTP method, Step Functions by operation. */
    s3: Record<string, number>;
    ses: Record<string, number>;
    stepfunctions: Record<string, number>;
    /**
     * Requests to each service per calling function (known by the X-Ray trace id the AWS SDK
     * sends from an invocation); calls from outside any invocation count under `outside`.
     */
    calls: Record<string, Record<'dynamodb' | 's3' | 'ses' | 'stepfunctions', number>>;
    metrics: Record<string, number>;
  };
  /** Waits until every execution has finished reacting (no step in flight). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const addressOf = (server: { address(): AddressInfo | string | null }) =>
  (server.address() as AddressInfo).port;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(addressOf(server)));
  });
}

function close(server: {
  close(cb: (err?: Error) => void): unknown;
  closeAllConnections?: () => void;
}): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** fauxqs binds every interface whatever it is told: keep it on loopback. */
async function startS3(port: number, dataDir: string) {
  const original = http.Server.prototype.listen;
  let server: Server | undefined;
  http.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    server = this;
    const [first] = args;
    if (first && typeof first === 'object') (first as { host?: string }).host = host;
    else if (typeof first === 'number' && typeof args[1] !== 'string') args.splice(1, 0, host);
    else if (typeof first === 'number' && typeof args[1] === 'string') args[1] = host;
    return original.apply(this, args as never);
  } as typeof original;
  try {
    const fauxqs = await startFauxqs({
      port,
      host,
      logger: false,
      s3StorageDir: path.join(dataDir, 's3'),
      dataDir: path.join(dataDir, 'fauxqs'),
    });
    return Object.assign(fauxqs, { server: server as Server });
  } finally {
    http.Server.prototype.listen = original;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('payload too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const errorJson = (code: string, message: string) => ({ error: { code, message } });

function lambdaContext(name: string): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `casework-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:casework-${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/casework-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:casework-${name}`;

/** The state machine definition with its substitutions, as the CDK stack does it on AWS. */
export function substitutedDefinition(arnOf: (name: FunctionName) => string): string {
  let text = readFileSync(path.join(ROOT, 'statemachines/case-lifecycle.asl.json'), 'utf8');
  for (const [name, spec] of Object.entries(functions)) {
    if ('substitution' in spec)
      text = text.replaceAll(`\${${spec.substitution}}`, arnOf(name as FunctionName));
  }
  return text;
}

/** Starts the whole system in this process: emulators, Step Functions, API, SMTP, clock. */
export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const { dataDir, ports } = options;
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];

  const clock = new VirtualClock(
    options.frozenAt ? { frozenAt: options.frozenAt } : { file: path.join(dataDir, 'clock.json') },
  );
  useClock(clock);
  stops.push(async () => clock.stop());

  closeDynaliteIterators();
  const dynamo = dynalite({
    path: path.join(dataDir, 'dynamodb'),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const dynamodbPort = await listen(dynamo as unknown as Server, ports.dynamodb);
  const counters = {
    invocations: {} as Record<string, number>,
    dynamodb: {} as Record<string, number>,
    s3: {} as Record<string, number>,
    ses: {} as Record<string, number>,
    stepfunctions: {} as Record<string, number>,
    calls: {} as LocalRuntime['counters']['calls'],
    metrics: {} as Record<string, number>,
  };
  /** The function of each invocation in flight, by its trace id. */
  const functionOfTrace = new Map<string, string>();
  const count = (
    server: Server,
    service: 'dynamodb' | 's3' | 'ses' | 'stepfunctions',
    operationOf: (req: IncomingMessage) => string,
  ) =>
    server.on('request', (req: IncomingMessage) => {
      const operation = operationOf(req);
      const counter = counters[service];
      counter[operation] = (counter[operation] ?? 0) + 1;
      const caller = functionOfTrace.get(String(req.headers['x-amzn-trace-id'])) ?? 'outside';
      counters.calls[caller] ??= { dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0 };
      counters.calls[caller][service]++;
    });
  collectMetrics(counters.metrics);
  count(
    dynamo as unknown as Server,
    'dynamodb',
    (req) => String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown',
  );
  stops.push(() => close(dynamo as unknown as Server));

  const s3Server = await startS3(ports.s3, dataDir);
  stops.push(() => s3Server.stop());
  count(s3Server.server, 's3', (req) => req.method ?? '');

  // A CommonJS module: its export sits one `default` deeper under Node than under a bundler.
  type StartSes = (config: object) => Promise<Server>;
  const sesModule = (await import('aws-ses-v2-local')) as unknown as {
    default: StartSes | { default: StartSes };
  };
  const startSes = typeof sesModule.default === 'function' ? sesModule.default : sesModule.default.default;
  const sesServer = await startSes({ host, port: ports.ses });
  stops.push(() => close(sesServer));
  // The emulator keeps sent mail in module memory: start each run with an empty viewer.
  await fetch(`http://${host}:${addressOf(sesServer)}/clear-store`, { method: 'POST' });

  const sesPort = addressOf(sesServer);
  count(sesServer, 'ses', (req) => req.method ?? '');
  const url = (port: number) => `http://${host}:${port}`;
  const sfnServer = http.createServer();
  const sfnPort = await listen(sfnServer, ports.stepfunctions);
  count(sfnServer, 'stepfunctions', (req) => String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '');
  stops.push(() => close(sfnServer));
  const apiServer = http.createServer();
  const apiPort = await listen(apiServer, ports.api);
  stops.push(() => close(apiServer));

  // The handlers read these, exactly as they read the stack's settings on AWS.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: url(dynamodbPort),
    AWS_ENDPOINT_URL_S3: url(s3Server.port),
    AWS_ENDPOINT_URL_SESV2: url(sesPort),
    AWS_ENDPOINT_URL_SFN: url(sfnPort),
    CASEWORK_TABLE: TABLE,
    CASEWORK_BUCKET: BUCKET,
    CASEWORK_STATE_MACHINE_ARN: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE}`,
    CASEWORK_S3_PATH_STYLE: 'true',
    CASEWORK_PORTAL_URL: url(apiPort),
    // The SES emulator answers GetAccount (the health check) from this.
    AWS_SES_ACCOUNT: JSON.stringify({
      DedicatedIpAutoWarmupEnabled: false,
      Details: {
        AdditionalContactEmailAddresses: [],
        ContactLanguage: 'EN',
        MailType: 'TRANSACTIONAL',
        ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
        UseCaseDescription: 'casework local',
        WebsiteURL: 'http://127.0.0.1',
      },
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: 1000, SentLast24Hours: 0 },
      SuppressionAttributes: { SuppressedReasons: [] },
    }),
  });

  const { resetClients } = await import('#shared/store/clients.ts');
  resetClients();
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ region: REGION, endpoint: url(dynamodbPort), credentials });
  await ensureTable(dynamodb, TABLE);
  const s3 = new S3Client({
    region: REGION,
    endpoint: url(s3Server.port),
    credentials,
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
  }

  // The demo catalogue is code: written on every start, so a data folder keeps up with it.
  const problems = accountProblems(demoAccounts, demoUsers);
  if (problems.length) throw new Error(`the demo catalogue is invalid: ${problems.join('; ')}`);
  const { putUser, putAccount } = await import('#shared/store/repository.ts');
  for (const account of demoAccounts) await putAccount(account);
  for (const user of demoUsers) await putUser(user);

  // Lambda: the same handler modules, invoked in this process.
  const handlers = new Map<string, (event: unknown, context: Context) => Promise<unknown>>();
  const handlerOf = async (name: FunctionName) => {
    let handler = handlers.get(name);
    if (!handler) {
      handler = ((await import(path.join(ROOT, functions[name].entry))) as { handler: typeof handler })
        .handler;
      handlers.set(name, handler as NonNullable<typeof handler>);
    }
    return handler as NonNullable<typeof handler>;
  };
  const inInvocation = await concurrentInvocations();
  const invoke = async (name: FunctionName, event: unknown) => {
    counters.invocations[name] = (counters.invocations[name] ?? 0) + 1;
    const handler = await handlerOf(name);
    const context = lambdaContext(name);
    const traceId = `Root=1-${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`;
    functionOfTrace.set(traceId, name);
    try {
      return await inInvocation(context.awsRequestId, traceId, () => handler(event, context));
    } finally {
      functionOfTrace.delete(traceId);
    }
  };

  const stepFunctions = new LocalStepFunctions({
    definition: JSON.parse(substitutedDefinition(functionArn)),
    name: STATE_MACHINE,
    region: REGION,
    account: ACCOUNT,
    clock,
    dir: path.join(dataDir, 'stepfunctions'),
    invoke: async (arn, payload) => {
      const name = (Object.keys(functions) as FunctionName[]).find((n) => functionArn(n) === arn);
      if (!name) throw new SfnError('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
      return (await invoke(name, payload)) as never;
    },
  });
  stops.push(async () => stepFunctions.close());
  clock.settled = () => stepFunctions.settled();

  sfnServer.on('request', async (req, res) => {
    try {
      const body = JSON.parse((await readBody(req, 1024 * 1024)).toString() || '{}');
      send(res, 200, stepFunctions.handle(String(req.headers['x-amz-target'] ?? ''), body) ?? {}, {
        'content-type': 'application/x-amz-json-1.0',
      });
    } catch (error) {
      const err = error as Error;
      send(
        res,
        400,
        { __type: err.name, message: err.message },
        { 'content-type': 'application/x-amz-json-1.0' },
      );
    }
  });

  const issuer = await LocalIssuer.open(path.join(dataDir, 'issuer-key.json'), `${url(apiPort)}/_local`);
  const routes = Object.values(functions).flatMap((spec) =>
    ('routes' in spec ? spec.routes : []).map((r) => ({
      ...r,
      fn: Object.entries(functions).find(([, s]) => s === spec)?.[0] as FunctionName,
    })),
  );
  const match = compileRoutes(routes.map((r) => r.route));
  const limits = options.throttle ?? apiThrottle;
  const throttle = new TokenBucket(limits, performance.now());

  apiServer.on('request', async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://local');
      if (pathname === '/_local/jwks.json' && req.method === 'GET') return send(res, 200, issuer.jwks);
      if ((pathname === '/console' || pathname.startsWith('/console/')) && req.method === 'GET')
        return serveConsole(pathname, res);
      if (pathname === '/_local/token' && req.method === 'POST') return await tokenRequest(req, res, issuer);
      if (pathname === '/_local/clock') {
        if (req.method === 'GET') return send(res, 200, { now: clock.now().toISOString() });
        if (req.method === 'POST') return await clockRequest(req, res, clock);
      }
      // Throttling is infrastructure: it counts wall-clock time, not the virtual clock.
      if (!throttle.take(performance.now())) {
        return send(
          res,
          429,
          errorJson(
            'TooManyRequests',
            `at most ${limits.rateLimit} requests per second (bursts of ${limits.burstLimit})`,
          ),
          { 'retry-after': '1' },
        );
      }
      const found = match(req.method ?? 'GET', pathname);
      if (!found) return send(res, 404, errorJson('NotFound', `no route ${req.method} ${pathname}`));
      const route = routes.find((r) => r.route === found.routeKey);
      if (!route) return send(res, 404, errorJson('NotFound', `no route ${req.method} ${pathname}`));
      let claims: Awaited<ReturnType<typeof verifyBearer>> | undefined;
      if (route.auth) {
        try {
          claims = await verifyBearer(req.headers.authorization, {
            jwks: issuer.jwks,
            issuer: issuer.issuer,
            audience: AUDIENCE,
          });
        } catch (error) {
          if (error instanceof TokenRejected)
            return send(res, 401, errorJson('Unauthorized', error.message), { 'www-authenticate': 'Bearer' });
          throw error;
        }
      }
      // API Gateway HTTP APIs accept payloads up to 10 MB.
      const body = await readBody(req, 10 * 1024 * 1024);
      const result = (await invoke(route.fn, apiGatewayEvent(req, body, found, claims, clock.now()))) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      res.writeHead(result.statusCode ?? 200, result.headers ?? {});
      res.end(
        result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body) : undefined,
      );
    } catch (error) {
      const status = (error as { status?: number }).status === 413 ? 413 : 500;
      if (status === 500) console.error(error);
      if (!res.headersSent)
        send(
          res,
          status,
          errorJson(
            status === 413 ? 'PayloadTooLarge' : 'InternalError',
            status === 413 ? 'payload too large' : 'internal error',
          ),
        );
    }
  });

  // SES receipt → S3 → Lambda, with a real SMTP listener in front.
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 40 * 1024 * 1024,
    logger: false,
    banner: 'casework local inbound',
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        try {
          const messageId = randomUUID();
          // SES writes the raw message to S3, then invokes the function.
          await putObject(`inbox/${messageId}`, Buffer.concat(chunks), 'message/rfc822');
          const verdicts = verdictsOf(Buffer.concat(chunks));
          await invoke('inboundMail', {
            Records: [
              {
                eventSource: 'aws:ses',
                eventVersion: '1.0',
                ses: {
                  mail: {
                    messageId,
                    source: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                    destination: session.envelope.rcptTo.map((r) => r.address),
                    timestamp: clock.now().toISOString(),
                  },
                  receipt: verdicts,
                },
              },
            ],
          });
          callback();
        } catch (error) {
          console.error(error);
          callback(Object.assign(new Error('temporary failure, try again later'), { responseCode: 451 }));
        }
      });
    },
  });
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(ports.smtp, host, () => resolve(addressOf(smtp.server)));
  });
  stops.push(() => new Promise((resolve) => smtp.close(() => resolve())));

  // Executions that were running when the last run stopped resume at their case's status; a case
  // without one (data from before executions were kept, or a start that never happened) gets one.
  stepFunctions.redriveInterrupted();
  const { listCases } = await import('#shared/store/repository.ts');
  const { caseOfExecution, startCaseWorkflow } = await import('#shared/store/workflow.ts');
  const withExecution = new Set(stepFunctions.executionNames().map(caseOfExecution));
  let cursor: string | undefined;
  do {
    const page = await listCases('all', cursor, 100);
    for (const c of page.items)
      if (!c.workflowDone && !withExecution.has(c.caseId)) await startCaseWorkflow(c.caseId);
    cursor = page.cursor;
  } while (cursor);

  return {
    urls: {
      api: `${url(apiPort)}/v1`,
      console: `${url(apiPort)}/console`,
      dynamodb: url(dynamodbPort),
      s3: url(s3Server.port),
      ses: url(sesPort),
      mailViewer: `${url(sesPort)}/`,
      stepfunctions: url(sfnPort),
      smtp: `smtp://${host}:${smtpPort}`,
    },
    clock,
    stepFunctions,
    issuer,
    counters,
    settled: () => stepFunctions.settled(),
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

async function clockRequest(req: IncomingMessage, res: ServerResponse, clock: VirtualClock) {
  let body: { advance?: unknown; set?: unknown };
  try {
    body = JSON.parse((await readBody(req, 4096)).toString() || '{}');
  } catch {
    return send(res, 400, { error: { code: 'InvalidInput', message: 'malformed JSON', field: 'body' } });
  }
  if (typeof body.advance === 'string') {
    const duration = Duration.fromISO(body.advance);
    if (!duration.isValid || duration.toMillis() < 0) {
      return send(res, 400, {
        error: {
          code: 'InvalidInput',
          message: 'an ISO-8601 duration such as P7D or PT4H',
          field: 'advance',
        },
      });
    }
    await clock.advance(duration.toMillis());
  } else if (typeof body.set === 'string') {
    const at = new Date(body.set);
    if (Number.isNaN(at.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(body.set)) {
      return send(res, 400, {
        error: {
          code: 'InvalidInput',
          message: 'an ISO-8601 instant such as 2026-03-02T09:00:00Z',
          field: 'set',
        },
      });
    }
    await clock.set(at);
  } else {
    return send(res, 400, {
      error: {
        code: 'InvalidInput',
        message: 'give "advance" (a duration) or "set" (an instant)',
        field: 'advance',
      },
    });
  }
  send(res, 200, { now: clock.now().toISOString() });
}

/** `npx casework token <email>`: a token for a catalogue user, signed by the local issuer. */
async function tokenRequest(req: IncomingMessage, res: ServerResponse, issuer: LocalIssuer) {
  let email: unknown;
  try {
    email = JSON.parse((await readBody(req, 4096)).toString() || '{}').email;
  } catch {
    return send(res, 400, { error: { code: 'InvalidInput', message: 'malformed JSON', field: 'body' } });
  }
  const { getUser } = await import('#shared/store/repository.ts');
  if (typeof email !== 'string' || !(await getUser(email))) {
    return send(res, 404, {
      error: { code: 'NotFound', message: `${String(email)} is not a user of the catalogue`, field: 'email' },
    });
  }
  send(res, 200, { token: await issuer.sign(email.toLowerCase()) });
}

/**
 * The verdicts SES would give, read from the headers a scanning relay adds (`X-SES-Spam-Verdict`,
 * `X-SES-Virus-Verdict`, `Authentication-Results`): so local mail can be spam or fail DMARC.
 */
export function verdictsOf(raw: Buffer) {
  const head = raw
    .subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')) || Math.min(raw.length, 65_536))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const auth = header('Authentication-Results').toLowerCase();
  const verdict = (failed: boolean) => ({ status: failed ? 'FAIL' : 'PASS' });
  return {
    spamVerdict: verdict(/fail/i.test(header('X-SES-Spam-Verdict'))),
    virusVerdict: verdict(/fail/i.test(header('X-SES-Virus-Verdict'))),
    spfVerdict: verdict(/\bspf=fail/.test(auth)),
    dkimVerdict: verdict(/\bdkim=fail/.test(auth)),
    dmarcVerdict: verdict(/\bdmarc=fail/.test(auth)),
  };
}

const CONSOLE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** The operator console: static files, the same ones a static site would serve on AWS. */
function serveConsole(pathname: string, res: ServerResponse) {
  // Relative links (style.css, app.js) resolve under /console/.
  if (pathname === '/console') {
    res.writeHead(301, { location: '/console/' });
    return res.end();
  }
  const name = pathname.replace(/^\/console\/?/, '') || 'index.html';
  const type = CONSOLE_FILES[name];
  if (!type) return send(res, 404, errorJson('NotFound', `no console file ${name}`));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(readFileSync(path.join(import.meta.dirname, 'console', name)));
}
