import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { getCanonicalHeaders, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';

/** The one key pair the local emulators accept (the local runtime gives it to the handlers). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Why a request is refused, in the service's own words. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  /** The code when the JSON services name it otherwise than S3 does. */
  jsonCode?: string;
}

const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (keyed: HMAC) in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** The SDK's own signer, used backwards: it builds the canonical request a client would have signed. */
class Verifier extends SignatureV4 {
  constructor(service: string) {
    // S3 signs the path as sent; other services sign it URI-encoded once more.
    super({
      service,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      sha256: Sha256,
      uriEscapePath: service !== 's3',
    });
  }
  async signatureOf(
    request: HttpRequest,
    signedHeaders: string[],
    payloadHash: string,
    scope: { longDate: string; shortDate: string; region: string; service: string },
    secretAccessKey: string,
  ): Promise<string> {
    const headers = getCanonicalHeaders(request, undefined, new Set(signedHeaders));
    const canonical = this.createCanonicalRequest(request, headers, payloadHash);
    const credentialScope = `${scope.shortDate}/${scope.region}/${scope.service}/aws4_request`;
    const stringToSign = await this.createStringToSign(scope.longDate, credentialScope, canonical, ALGORITHM);
    const key = await getSigningKey(
      Sha256,
      { ...LOCAL_CREDENTIALS, secretAccessKey },
      scope.shortDate,
      scope.region,
      scope.service,
    );
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a signed request whose date is more than 15 minutes from its own clock. */
const MAX_SKEW_MS = 15 * 60_000;
/** A presigned URL lives at most 7 days. */
const MAX_EXPIRES_SECONDS = 604_800;

const sha256Hex = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/** `20260302T090000Z` → epoch ms. */
function parseLongDate(value: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : Number.NaN;
}

/** The query string as the signer sees it: names and values decoded, repeated names kept. */
function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split('&').filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=', 2).map((part) => decodeURIComponent(part));
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

/**
 * Checks a request's Signature Version 4, in the Authorization header or in the query (a presigned
 * URL), as AWS does: a known access key, the service's scope, the date within 15 minutes (or the URL
 * unexpired), and the signature over the method, path, query, signed headers and payload hash.
 * `now` is the machine's time: the SDK signs with it, and it is a security check, not a business rule.
 */
export async function verifySignature(
  req: { method?: string; url?: string; headers: IncomingHttpHeaders },
  body: Buffer,
  service: string,
  now = Date.now(),
): Promise<Refusal | undefined> {
  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
  const query = parseQuery(rawQuery);
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const presigned = typeof query['X-Amz-Signature'] === 'string';
  const authorization = header('authorization');
  let credential: string;
  let signedHeaders: string[];
  let signature: string;
  let longDate: string;
  if (presigned) {
    if (query['X-Amz-Algorithm'] !== ALGORITHM)
      return {
        status: 400,
        code: 'AuthorizationQueryParametersError',
        message: `X-Amz-Algorithm must be ${ALGORITHM}`,
      };
    credential = String(query['X-Amz-Credential'] ?? '');
    signedHeaders = String(query['X-Amz-SignedHeaders'] ?? '').split(';');
    signature = String(query['X-Amz-Signature']);
    longDate = String(query['X-Amz-Date'] ?? '');
    const expires = Number(query['X-Amz-Expires']);
    const signedAt = parseLongDate(longDate);
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS || Number.isNaN(signedAt))
      return {
        status: 400,
        code: 'AuthorizationQueryParametersError',
        message: 'X-Amz-Date and X-Amz-Expires (1 to 604800 seconds) are required',
      };
    if (now > signedAt + expires * 1000)
      return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
    if (now < signedAt - MAX_SKEW_MS)
      return { status: 403, code: 'AccessDenied', message: 'Request is not valid yet' };
  } else if (authorization?.startsWith(`${ALGORITHM} `)) {
    const fields = Object.fromEntries(
      authorization
        .slice(ALGORITHM.length + 1)
        .split(/,\s*/)
        .map((field) => field.trim().split('=', 2) as [string, string]),
    );
    credential = fields.Credential ?? '';
    signedHeaders = (fields.SignedHeaders ?? '').split(';');
    signature = fields.Signature ?? '';
    longDate = header('x-amz-date') ?? '';
    const signedAt = parseLongDate(longDate);
    if (Number.isNaN(signedAt))
      return { status: 403, code: 'AccessDenied', message: 'a signed request needs X-Amz-Date' };
    if (Math.abs(now - signedAt) > MAX_SKEW_MS)
      return {
        status: 403,
        code: 'RequestTimeTooSkewed',
        message: 'The difference between the request time and the current time is too large.',
      };
  } else if (authorization) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `only ${ALGORITHM} (Signature Version 4) is accepted`,
    };
  } else {
    return {
      status: 403,
      code: 'MissingAuthenticationToken',
      message: 'Request is missing Authentication Token',
    };
  }

  const [accessKeyId, shortDate, region, scopeService, terminator] = credential.split('/');
  if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId)
    return {
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    };
  if (
    !shortDate ||
    shortDate !== longDate.slice(0, 8) ||
    !region ||
    scopeService !== service ||
    terminator !== 'aws4_request'
  )
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: `the credential scope must be <date>/<region>/${service}/aws4_request`,
    };
  if (!signedHeaders.includes('host'))
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'the host header must be signed' };

  const declaredHash = header('x-amz-content-sha256');
  const payloadHash = presigned
    ? String(query['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD')
    : (declaredHash ?? sha256Hex(body));
  if (service === 's3' && !presigned && !declaredHash)
    return {
      status: 400,
      code: 'InvalidRequest',
      message: 'Missing required header for this request: x-amz-content-sha256',
    };

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(name);
    if (value === undefined)
      return { status: 403, code: 'SignatureDoesNotMatch', message: `signed header ${name} is missing` };
    headers[name] = value;
  }
  const request = {
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: '',
    // The path as sent (already URI-encoded by the client: `dev%40acme.example`); the signer encodes
    // it once more for services other than S3, as AWS does.
    path: rawPath,
    query,
    headers,
  } as HttpRequest;
  const expected = await new Verifier(service).signatureOf(
    request,
    signedHeaders,
    payloadHash,
    { longDate, shortDate, region, service },
    LOCAL_CREDENTIALS.secretAccessKey,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected)))
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };

  if (declaredHash && /^[0-9a-f]{64}$/.test(declaredHash) && declaredHash !== sha256Hex(body))
    return {
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  return undefined;
}
