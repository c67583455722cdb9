import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { authorizeAtDesk } from '#shared/cases/access.ts';
import { clock } from '#shared/clock.ts';
import { config } from '#shared/config.ts';
import { conflict, notFound } from '#shared/errors.ts';
import { type ApiEvent, type ApiResult, apiHandler, json, parseBody, type Route } from '#shared/http/http.ts';
import type { Caller } from '#shared/service/cases.ts';
import { linkTriagedMail } from '#shared/service/inbound.ts';
import { s3 } from '#shared/store/clients.ts';
import { getTriageItem, listTriage, markTriageDismissed } from '#shared/store/inbound.ts';

/** The triage queue (SPEC §6): inbound mail that could not be linked, and its reason; engineers link or dismiss it. */

const NoBody = z.strictObject({});
const LinkBody = z.strictObject({ caseNumber: z.string().regex(/^\d{1,10}$/, 'a case number') });

async function triage(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  authorizeAtDesk(caller, 'triage');
  const page = await listTriage(event.queryStringParameters?.cursor);
  return json(200, page);
}

async function linkTriage(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  authorizeAtDesk(caller, 'triage');
  const { caseNumber } = parseBody(event, LinkBody);
  const id = event.pathParameters?.id ?? '';
  const caseId = await linkTriagedMail(id, caseNumber.padStart(10, '0'), caller.email, rawMail, () =>
    clock.now(),
  );
  return json(200, { id, linkedTo: caseId });
}

/** Out of the queue without a case (a thank-you, a duplicate): kept, with who dismissed it and when. */
async function dismissTriage(event: ApiEvent, caller: Caller): Promise<ApiResult> {
  authorizeAtDesk(caller, 'triage');
  parseBody(event, NoBody);
  const id = event.pathParameters?.id ?? '';
  const item = await getTriageItem(id);
  if (!item) throw notFound(`triage item ${id} not found`);
  if (item.linkedTo) throw conflict(`the mail is linked to case ${item.linkedTo}: it cannot be dismissed`);
  // Dismissed already: the same outcome, nothing written again.
  if (!item.dismissedAt && !(await markTriageDismissed(id, caller.email, clock.now().toISOString())))
    throw conflict('the mail was linked to a case meanwhile: it cannot be dismissed');
  return json(200, { id, dismissed: true });
}

async function rawMail(key: string): Promise<Buffer> {
  const object = await s3().send(new GetObjectCommand({ Bucket: config.bucketName, Key: key }));
  return Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
}

const routes: Record<string, Route> = {
  'GET /v1/triage': triage,
  'POST /v1/triage/{id}/link': linkTriage,
  'POST /v1/triage/{id}/dismiss': dismissTriage,
};

export const handler = apiHandler(routes);
