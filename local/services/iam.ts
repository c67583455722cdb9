import type { IncomingMessage } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { CALLER_HEADER, currentFunction } from '../function-env.ts';
import type { PolicyStatement } from '../stack.ts';
import type { Refusal } from './sigv4.ts';

/** One IAM authorization a request needs: an action on a resource, with its condition keys. */
export interface Call {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface Names {
  region: string;
  account: string;
  table: string;
  stateMachineArn: string;
  userPoolArn?: string;
}

type Body = Record<string, unknown>;

/** What a DynamoDB request asks IAM for (the table, or the index it reads). */
function dynamodbCalls(operation: string, body: Body, names: Names): Call[] {
  const table = (name: unknown) => `arn:aws:dynamodb:${names.region}:${names.account}:table/${String(name)}`;
  const onTable = (action: string, name: unknown, index?: unknown): Call => ({
    action: `dynamodb:${action}`,
    resource: index ? `${table(name)}/index/${String(index)}` : table(name),
  });
  switch (operation) {
    case 'TransactWriteItems':
      return ((body.TransactItems as Record<string, { TableName: string }>[]) ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, request]) =>
          onTable(
            {
              Put: 'PutItem',
              Update: 'UpdateItem',
              Delete: 'DeleteItem',
              ConditionCheck: 'ConditionCheckItem',
            }[kind] ?? kind,
            request.TableName,
          ),
        ),
      );
    case 'TransactGetItems':
      return ((body.TransactItems as { Get: { TableName: string } }[]) ?? []).map((item) =>
        onTable('GetItem', item.Get.TableName),
      );
    case 'BatchGetItem':
      return Object.keys((body.RequestItems as Body) ?? {}).map((name) => onTable('BatchGetItem', name));
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems as Body) ?? {}).map((name) => onTable('BatchWriteItem', name));
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    default:
      return [onTable(operation, body.TableName, body.IndexName)];
  }
}

/** What a Step Functions request asks IAM for. */
function statesCalls(operation: string, body: Body, names: Names): Call[] {
  const resource =
    typeof body.executionArn === 'string'
      ? body.executionArn
      : typeof body.stateMachineArn === 'string'
        ? body.stateMachineArn
        : operation === 'ListStateMachines'
          ? '*'
          : names.stateMachineArn;
  return [{ action: `states:${operation}`, resource }];
}

/** What an SES v2 request asks IAM for: sending on behalf of the sender's identity (its domain). */
function sesCalls(req: IncomingMessage, body: Body, names: Names): Call[] {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
    const from = String(body.FromEmailAddress ?? '');
    const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1]?.toLowerCase() ?? from;
    return [
      {
        action: 'ses:SendEmail',
        resource: `arn:aws:ses:${names.region}:${names.account}:identity/${domain}`,
      },
    ];
  }
  if (req.method === 'GET' && path === '/v2/email/account')
    return [{ action: 'ses:GetAccount', resource: '*' }];
  if (req.method === 'DELETE' && path.startsWith('/v2/email/suppression/addresses/'))
    return [{ action: 'ses:DeleteSuppressedDestination', resource: '*' }];
  return [{ action: 'ses:Unknown', resource: '*' }];
}

/** What an S3 request (path style) asks IAM for. */
function s3Calls(req: IncomingMessage): Call[] {
  const url = new URL(req.url ?? '/', 'http://local');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map((part) => decodeURIComponent(part)).join('/');
  const query = url.searchParams;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const object = (k: string) => `${bucketArn}/${k}`;
  const method = req.method ?? 'GET';
  if (!key) {
    if (method === 'PUT' && query.has('lifecycle'))
      return [{ action: 's3:PutLifecycleConfiguration', resource: bucketArn }];
    if (method === 'PUT' && query.has('versioning'))
      return [{ action: 's3:PutBucketVersioning', resource: bucketArn }];
    if (method === 'PUT' && query.has('cors')) return [{ action: 's3:PutBucketCORS', resource: bucketArn }];
    if (method === 'PUT') return [{ action: 's3:CreateBucket', resource: bucketArn }];
    if (method === 'POST' && query.has('delete'))
      return [{ action: 's3:DeleteObject', resource: object('*') }];
    const prefix = { 's3:prefix': query.get('prefix') ?? '' };
    if (query.has('versions'))
      return [{ action: 's3:ListBucketVersions', resource: bucketArn, context: prefix }];
    if (query.has('uploads'))
      return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn, context: prefix }];
    return [{ action: 's3:ListBucket', resource: bucketArn, context: method === 'HEAD' ? {} : prefix }];
  }
  if (method === 'GET' && query.has('uploadId'))
    return [{ action: 's3:ListMultipartUploadParts', resource: object(key) }];
  if (method === 'DELETE' && query.has('uploadId'))
    return [{ action: 's3:AbortMultipartUpload', resource: object(key) }];
  const versioned = query.has('versionId') ? 'Version' : '';
  if (method === 'DELETE') return [{ action: `s3:DeleteObject${versioned}`, resource: object(key) }];
  if (method === 'GET' || method === 'HEAD')
    return [{ action: `s3:GetObject${versioned}`, resource: object(key) }];
  const copySource = req.headers['x-amz-copy-source'];
  const copied =
    typeof copySource === 'string'
      ? decodeURIComponent(copySource.split('?')[0] ?? '').replace(/^\//, '')
      : undefined;
  return [
    { action: 's3:PutObject', resource: object(key) },
    ...(copied ? [{ action: 's3:GetObject', resource: `arn:aws:s3:::${copied}` }] : []),
  ];
}

/** The IAM authorizations a request to an emulated service needs. */
export function callsOf(service: string, req: IncomingMessage, raw: Buffer, names: Names): Call[] {
  const body = (): Body => {
    try {
      return JSON.parse(raw.toString() || '{}') as Body;
    } catch {
      return {};
    }
  };
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  if (service === 'dynamodb') return dynamodbCalls(operation, body(), names);
  if (service === 'states') return statesCalls(operation, body(), names);
  if (service === 'ses') return sesCalls(req, body(), names);
  // Cognito authorizes its administrative calls on the user pool.
  if (service === 'cognito-idp')
    return [{ action: `cognito-idp:${operation}`, resource: names.userPoolArn ?? '*' }];
  return s3Calls(req);
}

/**
 * Each function's identity policy, checked by a maintained IAM policy evaluator
 * (`@cloud-copilot/iam-simulate`), as IAM checks a role's calls: what no statement allows, or one
 * denies, is refused with AccessDenied.
 */
export class Iam {
  readonly names: Names;
  private readonly decisions = new Map<string, boolean>();
  private readonly policies: Map<string, PolicyStatement[]>;
  private readonly account: string;
  constructor(policies: Map<string, PolicyStatement[]>, names: Names) {
    this.policies = policies;
    this.names = names;
    this.account = names.account;
  }

  /**
   * The functions that signed the presigned URLs still valid, by signature: S3 authorizes a URL's
   * request as its signer, which a browser's request does not name.
   */
  private readonly signers = new Map<string, { fn: string; until: number }>();

  /** Records that function `fn` presigned a URL (its query's signature and lifetime). */
  presigned(fn: string, query: Record<string, unknown>, now = Date.now()): void {
    const signature = query['X-Amz-Signature'];
    if (typeof signature !== 'string') return;
    // Kept in the order signed: the expired ones are at the front.
    for (const [known, { until }] of this.signers) {
      if (until >= now) break;
      this.signers.delete(known);
    }
    this.signers.set(signature, { fn, until: now + Number(query['X-Amz-Expires'] ?? 0) * 1000 });
  }

  /**
   * The refusal of a request that its caller's policy does not allow: a function's own request
   * (named by its caller header), or a request with a URL a function presigned.
   */
  async refusal(service: string, req: IncomingMessage, body: Buffer): Promise<Refusal | undefined> {
    const caller = req.headers[CALLER_HEADER] ?? this.signerOf(req);
    if (typeof caller !== 'string') return undefined;
    return this.check(caller, callsOf(service, req, body, this.names));
  }

  private signerOf(req: IncomingMessage): string | undefined {
    const signature = new URL(req.url ?? '/', 'http://local').searchParams.get('X-Amz-Signature');
    return signature === null ? undefined : this.signers.get(signature)?.fn;
  }

  /**
   * Evaluated without the library's input validation: it would reject the state machine as the
   * resource of `states:SendTaskSuccess` (listed without resource types), which Step Functions
   * authorizes against the state machine of the token (CDK's `grantTaskResponse` grants it so).
   */
  private allowed(fn: string, call: Call): boolean {
    const key = JSON.stringify([fn, call]);
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    const result = runUnsafeSimulation(
      {
        request: {
          principal: `arn:aws:iam::${this.account}:role/casework-${fn}`,
          action: call.action,
          resource: { resource: call.resource, accountId: this.account },
          contextVariables: call.context ?? {},
        },
        identityPolicies: [
          { name: fn, policy: { Version: '2012-10-17', Statement: this.policies.get(fn) ?? [] } },
        ],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    const allowed = result === 'Allowed';
    this.decisions.set(key, allowed);
    return allowed;
  }

  /** The refusal of the first call `fn` may not make, if any. */
  async check(fn: string, calls: Call[]): Promise<Refusal | undefined> {
    if (!this.policies.has(fn))
      return {
        status: 403,
        code: 'AccessDenied',
        jsonCode: 'AccessDeniedException',
        message: `no role for ${fn}`,
      };
    for (const call of calls) {
      if (this.allowed(fn, call)) continue;
      if (process.env.CASEWORK_DEBUG_IAM) console.error('IAM refused', fn, JSON.stringify(call));
      return {
        status: 403,
        code: 'AccessDenied',
        jsonCode: 'AccessDeniedException',
        message: `User: arn:aws:sts::${this.account}:assumed-role/casework-${fn}/casework-${fn} is not authorized to perform: ${call.action} on resource: ${call.resource} because no identity-based policy allows the ${call.action} action`,
      };
    }
    return undefined;
  }
}

/**
 * Tells `iam` which function presigns each URL with `client` (the functions' shared S3 client):
 * the presigner runs the client's middleware, and its result passes back through this one.
 */
export function recordPresigning(client: S3Client, iam: Iam): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const presigned = (result.output as { presigned?: { query?: Record<string, unknown> } }).presigned;
      const fn = currentFunction();
      if (fn && presigned?.query) iam.presigned(fn, presigned.query);
      return result;
    },
    { step: 'initialize', name: 'localPresignedBy', override: true },
  );
}
