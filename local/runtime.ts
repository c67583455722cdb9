import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { apiThrottle, type FunctionName } from '#functions/registry.ts';
import { useClock } from '#shared/clock.ts';
import { type ApiContext, startApi } from './api.ts';
import {
  COGNITO_SENDER,
  LOCAL_ADMINISTRATOR,
  LOCAL_CLIENT_ID,
  LOCAL_USER_POOL_ID,
  startCognito,
} from './cognito.ts';
import { type Calls, type CountedService, countCalls } from './counters.ts';
import { provisionDemo } from './demo.ts';
import { governVariables } from './function-env.ts';
import { host } from './http.ts';
import { startInboundMail } from './inbound-mail.ts';
import { LocalIssuer } from './jwt.ts';
import { ACCOUNT, type FunctionDefinition, lambda, REGION } from './lambda.ts';
import { collectMetrics } from './metrics.ts';
import { redrive } from './seed.ts';
import { startDynamoDB } from './services/dynamodb.ts';
import { Iam, recordPresigning } from './services/iam.ts';
import { startS3 } from './services/s3.ts';
import { type SesSandbox, startSes } from './services/ses.ts';
import { startStepFunctions } from './services/stepfunctions.ts';
import { readStack } from './stack.ts';
import type { LocalStepFunctions } from './stepfunctions.ts';
import { ensureTable } from './table.ts';
import { stackTemplate, type Template } from './template.ts';
import { VirtualClock } from './virtual-clock.ts';

export { ACCOUNT, REGION } from './lambda.ts';

const TABLE = 'casework';
const BUCKET = 'casework-files';

export interface Ports {
  api: number;
  dynamodb: number;
  s3: number;
  ses: number;
  stepfunctions: number;
  smtp: number;
  /** The local Cognito user pool's API; a free port when not given. */
  cognito?: number;
}

/** The environment variable that sets each port (README). */
export const PORT_VARIABLES: Record<keyof Ports, string> = {
  api: 'CASEWORK_PORT',
  dynamodb: 'CASEWORK_DYNAMODB_PORT',
  s3: 'CASEWORK_S3_PORT',
  ses: 'CASEWORK_SES_PORT',
  stepfunctions: 'CASEWORK_SFN_PORT',
  smtp: 'CASEWORK_SMTP_PORT',
  cognito: 'CASEWORK_COGNITO_PORT',
};

/** Default ports (SPEC §12), each overridable by its environment variable. */
export function defaultPorts(env = process.env): Ports {
  const port = (part: keyof Ports, fallback: number) => Number(env[PORT_VARIABLES[part]] ?? fallback);
  return {
    api: port('api', 4000),
    dynamodb: port('dynamodb', 4001),
    s3: port('s3', 4002),
    ses: port('ses', 4003),
    stepfunctions: port('stepfunctions', 4004),
    smtp: port('smtp', 2525),
    cognito: port('cognito', 4005),
  };
}

export interface RuntimeOptions {
  dataDir: string;
  ports: Ports;
  /** Tests freeze virtual time at an instant; `npm start` runs it from real time. */
  frozenAt?: Date;
  /** The API stage's throttle; the stack's unless given. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Told what takes time on a first start after a change (synthesizing the stack). */
  progress?: (line: string) => void;
  /** Tests change the stack's template (say, a function's policy) before it is read. */
  template?: (template: Template) => Template;
  /** SES as in its sandbox: mail to other recipients than these identities is refused. */
  sesSandbox?: SesSandbox;
  /** The throttle's time source in milliseconds (wall-clock time unless given, e.g. by a test). */
  throttleTime?: () => number;
  /**
   * The user pool's time in milliseconds (wall-clock time unless given): a test sees a temporary
   * password's week or a reset code's hour pass without waiting.
   */
  signInTime?: () => number;
}

export interface LocalRuntime {
  urls: Record<keyof Ports | 'mailViewer' | 'console' | 'portal', string>;
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
    /** Requests to each service per calling function (see `countCalls`). */
    calls: Record<string, Calls>;
    metrics: Record<string, number>;
  };
  /** Waits until every execution has finished reacting (no step in flight). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the whole system in this process, as the synthesized stack describes it: emulators,
 * functions with their environments, Step Functions, API routes, SMTP receipt, clock.
 */
export async function startLocalRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const { dataDir, ports } = options;
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne();
  };
  try {
    const clock = new VirtualClock(
      options.frozenAt ? { frozenAt: options.frozenAt } : { file: path.join(dataDir, 'clock.json') },
    );
    useClock(clock);
    stops.push(async () => clock.stop());
    const template = await stackTemplate(options.progress);
    const stack = readStack(options.template?.(template) ?? template, {
      region: REGION,
      account: ACCOUNT,
      table: TABLE,
      bucket: BUCKET,
      functionName: (name) => `casework-${name}`,
      userPoolId: LOCAL_USER_POOL_ID,
    });
    const counters = { invocations: {}, dynamodb: {}, calls: {}, metrics: {} };
    collectMetrics(counters.metrics);
    const iam = new Iam(new Map([...stack.functions.values()].map((fn) => [fn.name, fn.statements])), {
      region: REGION,
      account: ACCOUNT,
      table: TABLE,
      stateMachineArn: stack.stateMachine.arn,
      userPoolArn: stack.userPool.arn,
    });

    const dynamodb = await startDynamoDB(ports.dynamodb, dataDir, counters.dynamodb, iam);
    stops.push(dynamodb.stop);
    let portalOrigin = '';
    // The bucket's CORS rule (infra): the portal, served by the API's server, uploads from the browser.
    const s3 = await startS3(ports.s3, dataDir, () => portalOrigin, iam);
    stops.push(s3.stop);
    const ses = await startSes(ports.ses, dataDir, clock, options.sesSandbox, iam);
    stops.push(ses.stop);
    let apiReady: (context: ApiContext) => void = () => {};
    const api = await startApi(ports.api, stack.routes, new Promise((resolve) => (apiReady = resolve)));
    stops.push(api.stop);
    portalOrigin = api.url;

    // Each function's environment is the stack's, with local values for what points outside.
    const definitions = new Map<FunctionName, FunctionDefinition>();
    const logLevel = process.env.POWERTOOLS_LOG_LEVEL;
    const localValues: Record<string, string> = {
      CASEWORK_PORTAL_URL: `${api.url}/portal`,
      CASEWORK_CONSOLE_URL: `${api.url}/console`,
      CASEWORK_USER_POOL_ID: LOCAL_USER_POOL_ID,
      ...(logLevel ? { POWERTOOLS_LOG_LEVEL: logLevel } : {}),
    };
    for (const fn of stack.functions.values()) {
      const { NODE_OPTIONS: _, ...environment } = fn.environment;
      for (const [name, value] of Object.entries(localValues))
        if (name in environment) environment[name] = value;
      definitions.set(fn.name, { handlerExport: fn.handlerExport, environment });
    }
    governVariables([...definitions.values()].flatMap((d) => Object.keys(d.environment)));
    const { invoke, byArn, functionOfTrace } = await lambda(counters.invocations, definitions);
    const sfn = await startStepFunctions({
      port: ports.stepfunctions,
      dataDir,
      clock,
      name: stack.stateMachine.name,
      region: REGION,
      account: ACCOUNT,
      definition: stack.stateMachine.definition,
      invoke,
      byArn,
      iam,
    });
    stops.push(sfn.stop);
    const cognito = await startCognito(
      ports.cognito ?? 0,
      dataDir,
      stack.userPool,
      {
        mail: (to, subject, html) =>
          ses.deliver({ from: stack.userPool.sender ?? COGNITO_SENDER, to, subject, html }),
        now: options.signInTime,
      },
      iam,
    );
    stops.push(cognito.stop);
    for (const [service, { server }] of Object.entries({ dynamodb, s3, ses, stepfunctions: sfn }))
      if (server)
        countCalls(server, service as CountedService, counters.calls, (trace) => functionOfTrace.get(trace));

    // The SDK's endpoints and the local settings, for every function; and the stack's names for
    // what runs outside a function (seeding, redrive, tests).
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
      CASEWORK_USER_POOL_ID: LOCAL_USER_POOL_ID,
      CASEWORK_TABLE: TABLE,
      CASEWORK_BUCKET: BUCKET,
      CASEWORK_STATE_MACHINE_ARN: sfn.stepFunctions.stateMachineArn,
      CASEWORK_S3_PATH_STYLE: 'true',
      CASEWORK_PORTAL_URL: `${api.url}/portal`,
      CASEWORK_CONSOLE_URL: `${api.url}/console`,
      // The SES emulator answers GetAccount (the health check) from this.
      AWS_SES_ACCOUNT: JSON.stringify({
        DedicatedIpAutoWarmupEnabled: false,
        Details: {
          AdditionalContactEmailAddresses: [],
          ContactLanguage: 'EN',
          MailType: 'TRANSACTIONAL',
          ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
          UseCaseDescription: 'casework local',
          WebsiteURL: `http://${host}`,
        },
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: 1000, SentLast24Hours: 0 },
        SuppressionAttributes: { SuppressedReasons: [] },
      }),
    });
    const { resetClients, s3: functionsS3 } = await import('#shared/store/clients.ts');
    resetClients();
    recordPresigning(functionsS3(), iam);

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    await ensureTable(new DynamoDBClient({ region: REGION, endpoint: dynamodb.url, credentials }), TABLE);
    await createBucket(
      new S3Client({ region: REGION, endpoint: s3.url, credentials, forcePathStyle: true }),
      stack.lifecycleRules,
    );
    await provisionDemo((event) => invoke('admin', event), {
      ...(cognito.pool.signIn(LOCAL_ADMINISTRATOR) as { sub: string; groups: string[] }),
      email: LOCAL_ADMINISTRATOR,
    });

    const issuer = await LocalIssuer.open(
      path.join(dataDir, 'issuer-key.json'),
      `${api.url}/_local`,
      (email) => cognito.pool.signIn(email),
    );
    cognito.pool.services.token = (email, use, ttl) => issuer.sign(email, ttl, use);
    apiReady({
      issuer,
      clock,
      invoke,
      throttle: options.throttle ?? apiThrottle,
      throttleTime: options.throttleTime ?? (() => performance.now()),
      mailStore: `${ses.url}/store`,
      signIn: { endpoint: `${cognito.url}/`, clientId: LOCAL_CLIENT_ID },
    });
    const smtp = await startInboundMail(ports.smtp, clock, invoke, stack.receiptRule);
    stops.push(smtp.stop);
    await redrive(sfn.stepFunctions);

    return {
      urls: {
        api: `${api.url}/v1`,
        console: `${api.url}/console`,
        portal: `${api.url}/portal`,
        dynamodb: dynamodb.url,
        s3: s3.url,
        ses: ses.url,
        mailViewer: ses.mailViewer,
        stepfunctions: sfn.url,
        smtp: smtp.url,
        cognito: cognito.url,
      },
      clock,
      stepFunctions: sfn.stepFunctions,
      issuer,
      counters,
      settled: () => sfn.stepFunctions.settled(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The files bucket, with the stack's lifecycle rules (the template's shape turned into S3's). */
async function createBucket(s3: S3Client, rules: Record<string, unknown>[]): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
  }
  if (!rules.length) return;
  const Rules = rules.map((rule): LifecycleRule => {
    const abort = rule.AbortIncompleteMultipartUpload as { DaysAfterInitiation: number } | undefined;
    return {
      ID: rule.Id as string | undefined,
      Status: rule.Status === 'Disabled' ? 'Disabled' : 'Enabled',
      Filter: { Prefix: (rule.Prefix as string | undefined) ?? '' },
      ...(rule.ExpirationInDays ? { Expiration: { Days: Number(rule.ExpirationInDays) } } : {}),
      ...(rule.ExpiredObjectDeleteMarker ? { Expiration: { ExpiredObjectDeleteMarker: true } } : {}),
      ...(rule.NoncurrentVersionExpiration
        ? { NoncurrentVersionExpiration: rule.NoncurrentVersionExpiration as { NoncurrentDays: number } }
        : {}),
      ...(abort
        ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: abort.DaysAfterInitiation } }
        : {}),
    };
  });
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules } }),
  );
}
