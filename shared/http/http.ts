import { createHash } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { User } from '../catalogue/accounts.ts';
import { DomainError, invalid, notFound, refused, tooLarge, unauthorized } from '../errors.ts';
import { GROUPS } from '../identity.ts';
import { logger, observed } from '../observability.ts';
import { getUserBySub } from '../store/accounts.ts';
import { claimRequest, recordResponse } from '../store/idempotency.ts';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** Largest JSON body the API reads (API Gateway itself caps payloads at 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorBody(error: DomainError) {
  return {
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
  };
}

/**
 * The outermost middleware: every domain error becomes one JSON shape with its status; anything
 * else is logged and answered 500 without details.
 */
export function httpErrors(): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof DomainError) {
        request.response = json(error.status, errorBody(error));
        return;
      }
      logger.error('unhandled error', error as Error);
      request.response = json(500, { error: { code: 'InternalError', message: 'internal error' } });
    },
  };
}

/** Parses the JSON body against a schema: a 400 naming the first bad field, or 413 when too large. */
export function parseBody<T>(event: ApiEvent, schema: z.ZodType<T>): T {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES)
    throw tooLarge(`the request body exceeds ${MAX_BODY_BYTES} bytes`);
  let data: unknown;
  try {
    data = raw ? JSON.parse(raw) : {};
  } catch (error) {
    throw invalid('body', `malformed JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const field = unknownKey ?? (issue?.path.join('.') || 'body');
    throw invalid(field, unknownKey ? 'unknown field' : (issue?.message ?? 'invalid'));
  }
  return result.data;
}

/** An address as a user's key: one `@`, no spaces or control characters, at most 254 characters. */
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]{1,189}$/u;

/** Who a verified token names: its `sub`, its verified e-mail, and its groups. */
export interface Identity {
  sub: string;
  email: string;
  groups: string[];
}

/**
 * The identity in the claims the JWT authorizer verified. Users are their `sub`, which never
 * changes; the e-mail must be verified (the pool keeps it immutable); roles are Cognito groups
 * (`cognito:groups`, which API Gateway passes as `[a b]`).
 */
export function identityOf(event: ApiEvent): Identity {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const { sub, email } = claims;
  if (typeof sub !== 'string' || !sub) throw unauthorized('the token carries no sub claim');
  if (typeof email !== 'string' || !EMAIL.test(email))
    throw unauthorized('the token carries no e-mail claim');
  if (String(claims.email_verified) !== 'true') throw unauthorized(`${email} is not verified`);
  const raw = claims['cognito:groups'];
  const groups = (
    Array.isArray(raw)
      ? raw.map(String)
      : String(raw ?? '')
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
  ).filter(Boolean);
  return { sub, email: email.toLowerCase(), groups };
}

/** The signed-in user: the catalogue user linked to the token's `sub`, with the role its groups give. */
export async function callerOf(event: ApiEvent): Promise<User> {
  const { sub, email, groups } = identityOf(event);
  const user = await getUserBySub(sub);
  if (!user || user.email !== email) throw unauthorized(`${email} is not a user of casework`);
  return { ...user, role: groups.includes(GROUPS.engineer) ? 'engineer' : 'customer' };
}

export function header(event: ApiEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

/** The request's `Idempotency-Key`, checked: at most 128 letters, digits and `. : _ -`. */
export function idempotencyKey(event: ApiEvent): string | undefined {
  const key = header(event, 'Idempotency-Key');
  if (key !== undefined && !/^[\w.:-]{1,128}$/.test(key))
    throw invalid('Idempotency-Key', 'at most 128 letters, digits, and . : _ -');
  return key;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The caller's request identity under its `Idempotency-Key` (undefined without one): a change
 * made under it is recorded on the case in the same write, so a retry finds it made.
 */
export function requestIdOf(event: ApiEvent, caller: Pick<User, 'email'>): string | undefined {
  const key = idempotencyKey(event);
  return key === undefined ? undefined : sha256(`${caller.email}\n${key}`).slice(0, 32);
}

/** Answers kept for a retry are at most this large (a larger one is made again, still once). */
const MAX_KEPT_RESPONSE = 300 * 1024;

/**
 * A state-changing route under an `Idempotency-Key` (SPEC §13): the key is bound to the first
 * request's route and body (another body under it is refused, 422); a retry of a request that
 * succeeded gets its answer again; one that failed or crashed runs again, and its case change
 * (recorded with the key) is made once.
 */
export async function idempotent<C extends Pick<User, 'email'>>(
  route: (event: ApiEvent, caller: C) => Promise<ApiResult>,
  event: ApiEvent,
  caller: C,
): Promise<ApiResult> {
  const id = requestIdOf(event, caller);
  if (id === undefined) return route(event, caller);
  const hash = sha256(JSON.stringify([event.routeKey, event.pathParameters ?? {}, event.body ?? '']));
  const record = await claimRequest(id, hash);
  if (record.hash !== hash)
    throw refused('this Idempotency-Key was used with another request', 'Idempotency-Key');
  if (record.response)
    return { ...record.response, headers: { ...record.response.headers, 'idempotency-replayed': 'true' } };
  const result = await route(event, caller);
  const status = result.statusCode ?? 200;
  if (status < 300 && Buffer.byteLength(result.body ?? '') <= MAX_KEPT_RESPONSE)
    await recordResponse(id, {
      statusCode: status,
      headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
      body: result.body ?? '',
    });
  return result;
}

/** One API route's code, given the verified caller. */
export type Route = (event: ApiEvent, caller: User) => Promise<ApiResult>;

/**
 * A function behind HTTP API routes: dispatched by route key, the caller looked up from the
 * token's sub, logs correlated by request id, errors answered as JSON.
 */
export function apiHandler(routes: Record<string, Route>, ownIdempotency: string[] = []) {
  return middy<ApiEvent, ApiResult>()
    .use(observed<ApiEvent>((event) => event.requestContext?.requestId))
    .use(httpErrors())
    .handler(async (event) => {
      // Own keys only: a route key such as `constructor` finds nothing.
      const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
      if (!route) throw notFound(`no route ${event.routeKey}`);
      const caller = await callerOf(event);
      const changes =
        event.requestContext.http?.method === 'POST' && !ownIdempotency.includes(event.routeKey);
      return changes ? idempotent(route, event, caller) : route(event, caller);
    });
}
