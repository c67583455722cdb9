import { beforeAll, describe, expect, it } from 'vitest';
import { safeContentType, safeFileName } from '#shared/files/names.ts';
import { resetClients } from '#shared/store/clients.ts';
import { presignDownload, presignPart, presignPut } from '#shared/store/files.ts';

// What the code signs: the local S3 emulators check no signatures, so the signed request itself is tested.
beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com',
    CASEWORK_BUCKET: 'casework-files',
    CASEWORK_S3_PATH_STYLE: 'true',
  });
  resetClients();
});

const SHA = 'a'.repeat(64);
const KEY = 'cases/0000000042/0123456789abcdef/server.log.gz';

describe('presigned uploads (SPEC §7)', () => {
  it('bind the key, the content length, the type and the SHA-256, for 15 minutes', async () => {
    const url = new URL(await presignPut(KEY, 1234, SHA, 'application/gzip'));
    expect(url.pathname).toBe(`/casework-files/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host', 'x-amz-checksum-sha256']),
    );
    // The checksum is a signed header the client must send, not a query value it could drop.
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
  });

  it('are valid for exactly one key: the signature changes with the key, length or checksum', async () => {
    const sig = async (key: string, size: number, sha: string) =>
      new URL(await presignPut(key, size, sha, 'text/plain')).searchParams.get('X-Amz-Signature');
    const base = await sig(KEY, 10, SHA);
    expect(await sig(KEY.replace('0000000042', '0000000043'), 10, SHA)).not.toBe(base);
    expect(await sig(KEY, 11, SHA)).not.toBe(base);
    expect(await sig(KEY, 10, 'b'.repeat(64))).not.toBe(base);
  });

  it('part URLs bind the upload, the part number, the part length and the part checksum', async () => {
    const url = new URL(await presignPart(KEY, 'upload-1', 2, 8 * 1024 * 1024, SHA));
    expect(url.searchParams.get('partNumber')).toBe('2');
    expect(url.searchParams.get('uploadId')).toBe('upload-1');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'x-amz-checksum-sha256']),
    );
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    const sig = async (sha: string) =>
      new URL(await presignPart(KEY, 'upload-1', 2, 8 * 1024 * 1024, sha)).searchParams.get(
        'X-Amz-Signature',
      );
    expect(await sig('b'.repeat(64))).not.toBe(await sig(SHA));
  });

  it('downloads are attachments with a safe type', async () => {
    const url = new URL(await presignDownload(KEY, 'server.log.gz', 'application/octet-stream'));
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="server.log.gz"');
    expect(url.searchParams.get('response-content-type')).toBe('application/octet-stream');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });
});

describe('file names and types are made safe (SPEC §7)', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\system32\\cmd.exe', 'cmd.exe'],
    ['..', 'file'],
    ['.htaccess', 'htaccess'],
    ['rapport été.pdf', 'rapport_ete.pdf'],
    ['日本語.txt', 'txt'],
    ['a\u0000b\u0007c.log', 'a_b_c.log'],
    ['trace..log', 'trace.log'],
    [`${'x'.repeat(500)}.tar.gz`, `${'x'.repeat(117)}.gz`],
  ])('%j → %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('serves only inert types as themselves', () => {
    expect(safeContentType('text/html')).toBe('application/octet-stream');
    expect(safeContentType('image/svg+xml')).toBe('application/octet-stream');
    expect(safeContentType('application/javascript')).toBe('application/octet-stream');
    expect(safeContentType('application/zip')).toBe('application/zip');
    expect(safeContentType('text/plain; charset=utf-8')).toBe('text/plain');
  });

  it('treats a content type that is not even a string (broken MIME) as octet-stream', () => {
    for (const broken of [false, undefined, null, ['image/png'], { value: 'image/png' }]) {
      expect(safeContentType(broken)).toBe('application/octet-stream');
    }
  });
});
