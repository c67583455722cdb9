import * as z from 'zod';
import { clock } from '#shared/clock.ts';
import { notFound } from '#shared/errors.ts';
import { type ApiEvent, apiHandler, json, parseBody, type Route } from '#shared/http/http.ts';
import {
  abortUpload,
  CompleteRequest,
  completeUpload,
  downloadUrl,
  grantUploads,
  listFiles,
  ReissueRequest,
  reissueUrls,
  UploadRequest,
} from '#shared/service/files.ts';

/** Case files (SPEC §7): presigned uploads instead of FTP, downloads, completion of multipart uploads. */

const number = (event: ApiEvent) => {
  const n = event.pathParameters?.caseNumber ?? '';
  if (!/^\d{1,10}$/.test(n)) throw notFound(`case ${n} not found`);
  return n.padStart(10, '0');
};
const fileId = (event: ApiEvent) => event.pathParameters?.fileId ?? '';
/** An action that takes no body refuses one all the same: nothing unexpected is ever acted on. */
const NoBody = z.strictObject({});

const routes: Record<string, Route> = {
  'POST /v1/cases/{caseNumber}/files': async (event, caller) =>
    json(201, await grantUploads(caller, number(event), parseBody(event, UploadRequest), clock.now())),
  'GET /v1/cases/{caseNumber}/files': async (event, caller) =>
    json(200, await listFiles(caller, number(event))),
  'GET /v1/cases/{caseNumber}/files/{fileId}': async (event, caller) => {
    const url = await downloadUrl(caller, number(event), fileId(event));
    // A page's fetch cannot read a redirect's location: asked for JSON, the URL comes as a body.
    if (event.headers?.accept?.includes('application/json'))
      return json(200, { url }, { 'cache-control': 'no-store' });
    return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store' } };
  },
  'POST /v1/cases/{caseNumber}/files/{fileId}/urls': async (event, caller) =>
    json(
      200,
      await reissueUrls(caller, number(event), fileId(event), parseBody(event, ReissueRequest), clock.now()),
    ),
  'POST /v1/cases/{caseNumber}/files/{fileId}/complete': async (event, caller) =>
    json(
      200,
      await completeUpload(
        caller,
        number(event),
        fileId(event),
        parseBody(event, CompleteRequest),
        clock.now(),
      ),
    ),
  'POST /v1/cases/{caseNumber}/files/{fileId}/abort': async (event, caller) => {
    parseBody(event, NoBody);
    return json(200, await abortUpload(caller, number(event), fileId(event), clock.now()));
  },
};

export const handler = apiHandler(routes);
