import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

const DANA = 'dana@acme.example';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The error code of an S3 XML answer. */
const codeOf = async (res: Response) => /<Code>(\w+)<\/Code>/.exec(await res.text())?.[1];

/**
 * What S3 refuses, refused locally too (the emulator itself accepts all of it): each attack on an
 * upload grant or on the bucket answers S3's status and error code, and leaves nothing uploaded.
 */
describe('file attacks are refused by the local S3 as S3 refuses them', () => {
  let t: TestRuntime;
  let n: string;
  const content = randomBytes(10);
  const bucket = () => process.env.CASEWORK_BUCKET as string;

  beforeAll(async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    n = (await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase })).body.number;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A fresh grant for a 10-byte file; `declared` is the SHA-256 the client declares. */
  async function grantFor(name: string, declared = sha256(content), contentType = 'text/plain') {
    const res = await t.api('POST', `/v1/cases/${n}/files`, {
      as: DANA,
      body: { files: [{ name, size: content.length, contentType, sha256: declared }] },
    });
    expect(res.status).toBe(201);
    return res.body.files[0] as { fileId: string; url: string; key: string; headers: Record<string, string> };
  }
  const put = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'PUT', body, headers });
  const uploaded = async (fileId: string) =>
    (await t.api('GET', `/v1/cases/${n}/files`, { as: DANA })).body.items.find(
      (f: { fileId: string }) => f.fileId === fileId,
    )?.status === 'uploaded';

  it('a body whose SHA-256 is not the declared one: 400 BadDigest, and completing it fails', async () => {
    const file = await grantFor('wrong-hash.txt');
    const other = randomBytes(10);
    const res = await put(file.url, other, file.headers);
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('BadDigest');
    await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/complete`, { as: DANA, body: {} });
    expect(await uploaded(file.fileId)).toBe(false);
  });

  it('1,000 bytes on a 10-byte grant: 403 SignatureDoesNotMatch (the length is signed)', async () => {
    const file = await grantFor('size-lie.txt');
    // Honest framing: Content-Length says 1,000, as the body does; only the grant said 10.
    const { 'content-length': _, ...headers } = file.headers;
    const res = await put(file.url, randomBytes(1000), headers);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('SignatureDoesNotMatch');
    expect(await uploaded(file.fileId)).toBe(false);
  });

  it('a URL past its 15 minutes: 403 AccessDenied (Request has expired)', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: t.runtime.urls.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket(),
        Key: `cases/${n}/late/late.txt`,
        ContentLength: content.length,
      }),
      { expiresIn: 15 * 60, signingDate: new Date(Date.now() - 16 * 60_000) },
    );
    const res = await put(url, content);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('AccessDenied');
  });

  it('an unsigned write of text/html to any key: 403 AccessDenied, nothing stored', async () => {
    const url = `${t.runtime.urls.s3}/${bucket()}/cases/${n}/evil/index.html`;
    const res = await put(url, Buffer.from('<script>alert(1)</script>'), { 'content-type': 'text/html' });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('AccessDenied');
    expect((await fetch(url)).status).toBe(403);
  });

  it("a grant's URL pointed at another key: 403 SignatureDoesNotMatch", async () => {
    const file = await grantFor('mine.txt');
    const elsewhere = file.url.replace(`/${file.fileId}/`, '/00000000-0000-4000-8000-000000000000/');
    expect(elsewhere).not.toBe(file.url);
    const res = await put(elsewhere, content, file.headers);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('SignatureDoesNotMatch');
  });

  it('HTML served inline: an HTML file is stored as application/octet-stream, and neither the upload nor the download can be made to say text/html', async () => {
    const page = Buffer.from('<h1>hi</h1>');
    const res = await t.api('POST', `/v1/cases/${n}/files`, {
      as: DANA,
      body: {
        files: [{ name: 'page.html', size: page.length, contentType: 'text/html', sha256: sha256(page) }],
      },
    });
    const file = res.body.files[0];
    expect(file.headers['content-type']).toBe('application/octet-stream');
    const relabelled = await put(file.url, page, { ...file.headers, 'content-type': 'text/html' });
    expect(relabelled.status).toBe(403);
    expect(await codeOf(relabelled)).toBe('SignatureDoesNotMatch');

    expect((await put(file.url, page, file.headers)).status).toBe(200);
    await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/complete`, { as: DANA, body: {} });
    const download = await fetch(`${t.runtime.urls.api}/cases/${n}/files/${file.fileId}`, {
      headers: { authorization: `Bearer ${await t.token(DANA)}` },
      redirect: 'manual',
    });
    const location = new URL(download.headers.get('location') as string);
    const served = await fetch(location);
    expect(served.headers.get('content-type')).toBe('application/octet-stream');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment/);
    location.searchParams.set('response-content-type', 'text/html');
    location.searchParams.delete('response-content-disposition');
    const tampered = await fetch(location);
    expect(tampered.status).toBe(403);
    expect(await codeOf(tampered)).toBe('SignatureDoesNotMatch');
  });

  it('the SDK with the local key pair still reads what was stored, with its stored content type', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: t.runtime.urls.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const file = await grantFor('fine.txt');
    expect((await put(file.url, content, file.headers)).status).toBe(200);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: file.key }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.ContentLength).toBe(10);
    const stranger = new S3Client({
      region: 'us-east-1',
      endpoint: t.runtime.urls.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIASOMEONEELSE', secretAccessKey: 'guess' },
    });
    await expect(
      stranger.send(new HeadObjectCommand({ Bucket: bucket(), Key: file.key })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });
});

describe('the emulator ports take signed requests only and send no CORS headers', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('DynamoDB: an unsigned request from a page is refused, and its preflight is refused without CORS headers', async () => {
    const request = {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.Scan',
        origin: 'http://evil.example',
      },
      body: JSON.stringify({ TableName: process.env.CASEWORK_TABLE }),
    };
    const scan = await fetch(t.runtime.urls.dynamodb, request);
    expect(scan.status).toBe(400);
    expect(((await scan.json()) as { __type: string }).__type).toMatch(
      /MissingAuthenticationTokenException$/,
    );
    expect(scan.headers.get('access-control-allow-origin')).toBeNull();
    const forged = await fetch(t.runtime.urls.dynamodb, {
      ...request,
      headers: {
        ...request.headers,
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260302/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
      },
    });
    expect(((await forged.json()) as { __type: string }).__type).toMatch(/InvalidSignatureException$/);
    const preflight = await fetch(t.runtime.urls.dynamodb, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-amz-target,content-type',
      },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('Step Functions and SES refuse unsigned API calls; the mail viewer stays open', async () => {
    const sfn = await fetch(t.runtime.urls.stepfunctions, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.ListStateMachines',
      },
      body: '{}',
    });
    expect(sfn.status).toBe(400);
    expect(((await sfn.json()) as { __type: string }).__type).toMatch(/MissingAuthenticationTokenException$/);
    const ses = await fetch(`${t.runtime.urls.ses}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'AWS anything' },
      body: '{}',
    });
    expect(ses.status).toBe(403);
    expect((await fetch(t.runtime.urls.mailViewer)).status).toBe(200);
  });
});
