import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Duration } from 'luxon';
import type { FunctionName } from '#functions/registry.ts';
import { close, errorJson, listen, readBody, send, urlOf } from './http.ts';
import { AUDIENCE, type LocalIssuer, TokenRejected, verifyBearer } from './jwt.ts';
import type { Invoke } from './lambda.ts';
import { apiGatewayEvent, compileRoutes, TokenBucket } from './router.ts';
import { type SignInSettings, serveStaticSite } from './static-sites.ts';
import type { FiredTimer, VirtualClock } from './virtual-clock.ts';

/** What the API needs once the rest of the system is up. */
export interface ApiContext {
  issuer: LocalIssuer;
  clock: VirtualClock;
  invoke: Invoke;
  throttle: { rateLimit: number; burstLimit: number };
  /** The throttle's time source, in milliseconds. */
  throttleTime: () => number;
  /** The SES emulator's store of sent mail (the mail viewer reads it too). */
  mailStore: string;
  /** Where the sites' pages sign people in: the local Cognito pool and its app client. */
  signIn: SignInSettings;
}

/**
 * The API Gateway HTTP API emulation (the stack's routes, JWT authorizer, stage throttle) with the local
 * extras: the issuer's JWKS and tokens, the virtual clock, the console. The port opens at once (its
 * address is part of the system's settings) with the handler attached; a request arriving before
 * `ready` resolves waits for it instead of going unanswered.
 */
export async function startApi(
  port: number,
  routes: { route: string; auth: boolean; fn: FunctionName }[],
  ready: Promise<ApiContext>,
) {
  const match = compileRoutes(routes.map((r) => r.route));
  let throttle: TokenBucket | undefined;

  const server = http.createServer(async (req, res) => {
    try {
      const { issuer, clock, invoke, throttle: limits, throttleTime, mailStore, signIn } = await ready;
      throttle ??= new TokenBucket(limits, throttleTime());
      const { pathname } = new URL(req.url ?? '/', 'http://local');
      if (pathname === '/_local/jwks.json' && req.method === 'GET') return send(res, 200, issuer.jwks);
      if (req.method === 'GET' && serveStaticSite(pathname, res, signIn)) return;
      if (pathname === '/_local/token' && req.method === 'POST') return await tokenRequest(req, res, issuer);
      if (pathname === '/_local/clock') {
        if (req.method === 'GET') return send(res, 200, { now: clock.now().toISOString() });
        if (req.method === 'POST') return await clockRequest(req, res, clock, mailStore);
      }
      // Throttling is infrastructure: it counts wall-clock time (or a test's), not the virtual clock.
      if (!throttle.take(throttleTime())) {
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
  const bound = await listen(server, port);
  return { url: urlOf(bound), stop: () => close(server) };
}

/** Moves the virtual clock; answers the new time, the timers fired and the mails sent meanwhile. */
async function clockRequest(
  req: IncomingMessage,
  res: ServerResponse,
  clock: VirtualClock,
  mailStore: string,
) {
  const sentMails = async () =>
    (
      (await (await fetch(mailStore)).json()) as {
        emails: { destination: { to: string[] }; subject: string }[];
      }
    ).emails;
  let body: { advance?: unknown; set?: unknown };
  try {
    body = JSON.parse((await readBody(req, 4096)).toString() || '{}');
  } catch {
    return send(res, 400, { error: { code: 'InvalidInput', message: 'malformed JSON', field: 'body' } });
  }
  const mailsBefore = (await sentMails()).length;
  let fired: FiredTimer[];
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
    fired = await clock.advance(duration.toMillis());
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
    fired = await clock.set(at);
  } else {
    return send(res, 400, {
      error: {
        code: 'InvalidInput',
        message: 'give "advance" (a duration) or "set" (an instant)',
        field: 'advance',
      },
    });
  }
  const mails = (await sentMails())
    .slice(mailsBefore)
    .map((m) => ({ to: m.destination.to, subject: m.subject }));
  send(res, 200, { now: clock.now().toISOString(), fired, mails });
}

/** `npx casework token <email>`: a token for a user of the local pool, signed by the local issuer. */
async function tokenRequest(req: IncomingMessage, res: ServerResponse, issuer: LocalIssuer) {
  let email: unknown;
  try {
    email = JSON.parse((await readBody(req, 4096)).toString() || '{}').email;
  } catch {
    return send(res, 400, { error: { code: 'InvalidInput', message: 'malformed JSON', field: 'body' } });
  }
  if (typeof email !== 'string' || !issuer.knows(email)) {
    return send(res, 404, {
      error: { code: 'NotFound', message: `${String(email)} is not a user of the catalogue`, field: 'email' },
    });
  }
  send(res, 200, { token: await issuer.sign(email.toLowerCase()) });
}
