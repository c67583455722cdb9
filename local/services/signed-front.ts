import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { close, host, listen, readBody, type Service, urlOf } from '../http.ts';
import type { Iam } from './iam.ts';
import { type Refusal, verifySignature } from './sigv4.ts';

/** How a service words its errors: S3 in XML, DynamoDB and Step Functions in AWS JSON, SES v2 in REST JSON. */
export type Protocol = 'xml' | 'json' | 'rest-json';

/** The names the JSON services give to the signature errors S3 names its own way. */
const JSON_ERRORS: Record<string, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  RequestTimeTooSkewed: 'InvalidSignatureException',
  AccessDenied: 'InvalidSignatureException',
};

export function refuse(res: ServerResponse, refusal: Refusal, protocol: Protocol): void {
  if (protocol === 'xml') {
    const code = refusal.code === 'MissingAuthenticationToken' ? 'AccessDenied' : refusal.code;
    res.writeHead(refusal.status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${refusal.message}</Message></Error>`,
    );
    return;
  }
  const code = refusal.jsonCode ?? JSON_ERRORS[refusal.code] ?? 'IncompleteSignatureException';
  if (protocol === 'json') {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message: refusal.message }));
  } else {
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': code });
    res.end(JSON.stringify({ message: refusal.message }));
  }
}

/** No CORS: a page in a browser must not reach the emulators (their key pair is no secret). */
export function refusePreflight(req: IncomingMessage, res: ServerResponse, protocol: Protocol): boolean {
  if (req.method !== 'OPTIONS') return false;
  const message = 'CORSResponse: This CORS request is not allowed.';
  if (protocol === 'xml') refuse(res, { status: 403, code: 'AccessForbidden', message }, protocol);
  else {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end(message);
  }
  return true;
}

/** The headers a signed S3 GET may override with `response-*` query parameters (S3 applies them; fauxqs does not). */
const RESPONSE_OVERRIDES = [
  'content-type',
  'content-disposition',
  'content-language',
  'content-encoding',
  'cache-control',
  'expires',
];

function responseOverrides(req: IncomingMessage): Record<string, string> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return {};
  const query = new URL(req.url ?? '/', 'http://local').searchParams;
  const overrides: Record<string, string> = {};
  for (const header of RESPONSE_OVERRIDES) {
    const value = query.get(`response-${header}`);
    if (value !== null) overrides[header] = value;
  }
  return overrides;
}

/** What S3 checks of a body beyond its signature: its length is declared, its checksums hold. */
export function s3BodyRefusal(req: IncomingMessage, body: Buffer): Refusal | undefined {
  if ((req.method === 'PUT' || req.method === 'POST') && req.headers['content-length'] === undefined)
    return {
      status: 411,
      code: 'MissingContentLength',
      message: 'You must provide the Content-Length HTTP header.',
    };
  const sha256 = req.headers['x-amz-checksum-sha256'];
  if (typeof sha256 === 'string' && sha256 !== createHash('sha256').update(body).digest('base64'))
    return {
      status: 400,
      code: 'BadDigest',
      message: 'The SHA256 you specified did not match the calculated checksum.',
    };
  const md5 = req.headers['content-md5'];
  if (typeof md5 === 'string' && md5 !== createHash('md5').update(body).digest('base64'))
    return {
      status: 400,
      code: 'BadDigest',
      message: 'The Content-MD5 you specified did not match what we received.',
    };
  return undefined;
}

/**
 * A front for an emulator that takes whatever it is sent: it answers on `port`, checks each
 * request as AWS does (Signature Version 4, and for S3 the body against its declared checksums)
 * and forwards only those that pass, dropping the emulator's CORS headers from the answers.
 * `open` names requests served unsigned (the SES mail viewer's pages); `cors` the one origin let in
 * as the stack's bucket CORS rule lets the portal in.
 */
export async function startSignedFront(options: {
  port: number;
  backend: number;
  service: string;
  protocol: Protocol;
  open?: (req: IncomingMessage) => boolean;
  /** Checks a function's requests against its policy. */
  iam?: Iam;
  /** Answers a signed request itself, as the service would (true), instead of forwarding it. */
  answer?: (req: IncomingMessage, body: Buffer, res: ServerResponse) => boolean;
  /** What else the service refuses of a signed, allowed request that the emulator would take (S3: bodies, completions). */
  refusal?: (req: IncomingMessage, body: Buffer) => Refusal | undefined;
  /** The one origin a bucket's CORS rule lets in (the portal's), and the methods it may use. */
  cors?: { origin: () => string; methods: string[] };
}): Promise<Service> {
  const { service, protocol } = options;
  const server = http.createServer(async (req, res) => {
    try {
      const corsAllowed = !!options.cors && req.headers.origin === options.cors.origin();
      if (corsAllowed && options.cors) {
        res.setHeader('access-control-allow-origin', options.cors.origin());
        res.setHeader('access-control-expose-headers', 'ETag');
        res.setHeader('vary', 'Origin');
        const method = String(req.headers['access-control-request-method'] ?? '');
        if (req.method === 'OPTIONS' && options.cors.methods.includes(method)) {
          res.writeHead(200, {
            'access-control-allow-methods': options.cors.methods.join(', '),
            'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? ''),
            'access-control-max-age': '3000',
          });
          return res.end();
        }
      }
      if (refusePreflight(req, res, protocol)) return;
      const body = await readBody(req, 1024 ** 3);
      if (!options.open?.(req)) {
        const refusal =
          (await verifySignature(req, body, service)) ??
          (await options.iam?.refusal(service, req, body)) ??
          options.refusal?.(req, body);
        if (refusal) return refuse(res, refusal, protocol);
      }
      if (options.answer?.(req, body, res)) return;
      const upstream = http.request(
        { host, port: options.backend, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = Object.fromEntries(
            Object.entries(answer.headers).filter(([name]) => !name.startsWith('access-control-')),
          );
          const ok = (answer.statusCode ?? 500) < 300;
          if (service === 's3' && ok) Object.assign(headers, responseOverrides(req));
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(400);
      res.end();
    }
  });
  const bound = await listen(server, options.port);
  return { url: urlOf(bound), stop: () => close(server), server };
}
