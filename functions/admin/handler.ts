import middy from '@middy/core';
import * as z from 'zod';
import { CatalogueFileSchema } from '#shared/catalogue/provisioning.ts';
import { forbidden, notFound } from '#shared/errors.ts';
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
import { applyCatalogue, provisionedCatalogue, reinvite } from '#shared/service/admin.ts';

/** Whom to invite again: an address of the user pool. */
const InvitationSchema = z.strictObject({
  email: z.email('not an e-mail address').transform((e) => e.toLowerCase()),
});

/**
 * `/v1/admin/…`: the catalogue of a deployed desk (SPEC §1) and invitations sent again, for the
 * administrators group only.
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
