import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { authorizeAtDesk } from '#shared/cases/access.ts';
import { clock } from '#shared/clock.ts';
import { config } from '#shared/config.ts';
import { type ApiEvent, type ApiResult, apiHandler, json, parseBody, type Route } from '#shared/http/http.ts';
import type { Caller } from '#shared/service/cases.ts';
import { linkTriagedMail } from '#shared/service/inbound.ts';
import { s3 } from '#shared/store/clients.ts';
import { listTriage } from '#shared/store/repository.ts';

/** The triage queue (SPEC §6): inbound mail that could not be linked, and its reason; engineers link it. */

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

async function rawMail(key: string): Promise<Buffer> {
  const object = await s3().send(new GetObjectCommand({ Bucket: config.bucketName, Key: key }));
  return Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
}

const routes: Record<string, Route> = {
  'GET /v1/triage': triage,
  'POST /v1/triage/{id}/link': linkTriage,
};

export const handler = apiHandler(routes);
