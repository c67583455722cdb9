import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { JWTPayload } from 'jose';

/** One HTTP API route: `METHOD /path/{param}` matched against requests. */
export interface RouteMatch {
  routeKey: string;
  pathParameters: Record<string, string>;
}

export function compileRoutes(routeKeys: string[]) {
  const compiled = routeKeys.map((routeKey) => {
    const [method, path = ''] = routeKey.split(' ');
    const names: string[] = [];
    const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { routeKey, method, names, regex: new RegExp(`^${pattern}$`) };
  });
  return (method: string, path: string): RouteMatch | undefined => {
    for (const route of compiled) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const pathParameters: Record<string, string> = {};
      route.names.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { routeKey: route.routeKey, pathParameters };
    }
    return undefined;
  };
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|.*\+json)|text\/)/i;

/**
 * The API Gateway HTTP API (payload format 2.0) event for a request, as the JWT authorizer passes
 * it on: headers lower-cased and repeated values joined by commas, claims as strings.
 */
export function apiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  match: RouteMatch,
  claims: JWTPayload | undefined,
  now: Date,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const text = TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const stringClaims = claims
    ? Object.fromEntries(
        Object.entries(claims).map(([k, v]) => [
          k,
          typeof v === 'string'
            ? v
            : Array.isArray(v)
              ? `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`
              : JSON.stringify(v),
        ]),
      )
    : {};
  const event = {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: stringClaims, scopes: [] } },
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/**
 * API Gateway's stage throttle: a token bucket refilled at `rateLimit` per second up to
 * `burstLimit`; a request that finds it empty is refused with 429.
 */
export class TokenBucket {
  private readonly limits: { rateLimit: number; burstLimit: number };
  private tokens: number;
  private last: number;

  constructor(limits: { rateLimit: number; burstLimit: number }, now: number) {
    this.limits = limits;
    this.tokens = limits.burstLimit;
    this.last = now;
  }

  /** Takes a token at `now` (milliseconds): false when none is left. */
  take(now: number): boolean {
    const { rateLimit, burstLimit } = this.limits;
    this.tokens = Math.min(burstLimit, this.tokens + ((now - this.last) / 1000) * rateLimit);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
