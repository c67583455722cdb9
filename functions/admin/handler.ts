import middy from '@middy/core';
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
import { applyCatalogue, provisionedCatalogue } from '#shared/service/admin.ts';

/**
 * `/v1/admin/…`: the catalogue of a deployed desk (SPEC §1), for the administrators group only.
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
