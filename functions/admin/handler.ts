import middy from '@middy/core';
import * as z from 'zod';
import { CatalogueFileSchema } from '#shared/catalogue/provisioning.ts';
import { forbidden, invalid, notFound } from '#shared/errors.ts';
import {
  type ApiEvent,
  type ApiResult,
  callerOf,
  httpErrors,
  idempotent,
  identityOf,
  json,
  parseBody,
} from '#shared/http/http.ts';
import { GROUPS } from '#shared/identity.ts';
import { logger, observed } from '#shared/observability.ts';
import {
  applyCatalogue,
  clearAddress,
  listUndeliverable,
  provisionedCatalogue,
  reinvite,
} from '#shared/service/admin.ts';

/** Whom to invite again: an address of the user pool. */
const InvitationSchema = z.strictObject({
  email: z.email('not an e-mail address').transform((e) => e.toLowerCase()),
});

/** The address of `…/undeliverable/{address}/clear`: an e-mail address, else 400 naming it. */
function addressOf(event: ApiEvent): string {
  const parsed = z.email().safeParse(decodeURIComponent(event.pathParameters?.address ?? ''));
  if (!parsed.success) throw invalid('address', 'not an e-mail address');
  return parsed.data.toLowerCase();
}

/**
 * `/v1/admin/…`: the catalogue of a deployed desk (SPEC §1), invitations sent again and the
 * addresses mail does not reach, for the administrators group only.
 * Administrators need not be catalogue users: their group in the verified token is what counts.
 */
const routes: Record<string, (event: ApiEvent) => Promise<ApiResult>> = {
  'GET /v1/admin/catalogue': async () => json(200, await provisionedCatalogue()),
  'POST /v1/admin/catalogue': async (event) => {
    const file = parseBody(event, CatalogueFileSchema);
    const dryRun = event.queryStringParameters?.dryRun === 'true';
    const changes = await applyCatalogue(file, dryRun);
    if (!dryRun && changes.length) logger.info('catalogue applied', { changes: changes.length });
    return json(200, { dryRun, changes });
  },
  // An invitation sent again: a new temporary password, for someone whose invitation expired.
  'POST /v1/admin/invitations': async (event) => {
    const { email } = parseBody(event, InvitationSchema);
    await reinvite(email);
    logger.info('invitation sent again');
    return json(200, { email, invited: true });
  },
  // The addresses SES reported bouncing for good or complaining: their case mail is set aside.
  'GET /v1/admin/undeliverable': async (event) =>
    json(200, await listUndeliverable(event.queryStringParameters?.cursor)),
  // The person fixed their mailbox: mail goes to the address again (set-aside mail at its next try).
  'POST /v1/admin/undeliverable/{address}/clear': async (event) => {
    parseBody(event, z.strictObject({}));
    const address = addressOf(event);
    await clearAddress(address);
    logger.info('address cleared');
    return json(200, { address, cleared: true });
  },
};

export const handler = middy<ApiEvent, ApiResult>()
  .use(observed<ApiEvent>((event) => event.requestContext?.requestId))
  .use(httpErrors())
  .handler(async (event) => {
    const { groups, email } = identityOf(event);
    if (!groups.includes(GROUPS.administrator)) {
      await callerOf(event); // someone unknown is told so (401) before being refused (403)
      throw forbidden(`${email} is not an administrator`);
    }
    const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!route) throw notFound(`no route ${event.routeKey}`);
    // An Idempotency-Key is honoured as on every state-changing route, scoped to the administrator.
    return event.requestContext.http?.method === 'POST' ? idempotent(route, event, { email }) : route(event);
  });
