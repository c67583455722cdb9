import { createHash, randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { s3 } from '#shared/store/clients.ts';
import { withoutPermission } from './policies.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

/** A multipart upload resumed from what S3 holds, whoever sent the parts (SPEC §7). */

const DANA = 'dana@acme.example';
const PART = 5 * 1024 * 1024;
let t: TestRuntime;
afterEach(async () => {
  await t?.stop();
  delete process.env.CASEWORK_SINGLE_PUT_MAX_BYTES;
  delete process.env.CASEWORK_PART_SIZE_BYTES;
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type Part = { partNumber: number; url: string; headers: Record<string, string> };
type Held = { partNumber: number; size: number; etag: string; sha256: string };

/** A multipart upload with SHA-256 made straight to the local S3, its parts as S3 answered them. */
async function uploadParts(Key: string, bodies: Buffer[]) {
  const Bucket = process.env.CASEWORK_BUCKET;
  const { UploadId } = await s3().send(
    new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }),
  );
  const parts = [];
  for (const [i, Body] of bodies.entries()) {
    const PartNumber = i + 1;
    const { ETag, ChecksumSHA256 } = await s3().send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ChecksumAlgorithm: 'SHA256' }),
    );
    parts.push({ PartNumber, ETag, ChecksumSHA256 });
  }
  return { UploadId, parts };
}

/** A case, and uploads in parts of `partSize` bytes above `singlePutMax` bytes. */
async function openCase(partSize = PART, singlePutMax = 6 * 1024 * 1024, options = {}) {
  t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, options);
  process.env.CASEWORK_SINGLE_PUT_MAX_BYTES = String(singlePutMax);
  process.env.CASEWORK_PART_SIZE_BYTES = String(partSize);
  return (await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase })).body.number as string;
}

/** The grant of one file, and what its client does with it: asks for part URLs, PUTs parts, completes. */
function upload(n: string, content: Buffer, partSize = PART, name = 'bundle.tar') {
  const slice = (partNumber: number) => content.subarray((partNumber - 1) * partSize, partNumber * partSize);
  const grant = () =>
    t.api('POST', `/v1/cases/${n}/files`, {
      as: DANA,
      body: { files: [{ name, size: content.length, sha256: sha256(content) }] },
    });
  const send = async (fileId: string, partNumbers: number[]) => {
    const res = await t.api('POST', `/v1/cases/${n}/files/${fileId}/urls`, {
      as: DANA,
      body: { parts: partNumbers.map((partNumber) => ({ partNumber, sha256: sha256(slice(partNumber)) })) },
    });
    const sent: { partNumber: number; etag: string; sha256: string }[] = [];
    const parts = res.body.multipart.parts as Part[];
    // A few PUTs at a time, as a browser sends them.
    for (let i = 0; i < parts.length; i += 20) {
      await Promise.all(
        parts.slice(i, i + 20).map(async (p) => {
          const put = await fetch(p.url, { method: 'PUT', body: slice(p.partNumber), headers: p.headers });
          expect(put.status).toBe(200);
          sent.push({
            partNumber: p.partNumber,
            etag: put.headers.get('etag') as string,
            sha256: sha256(slice(p.partNumber)),
          });
        }),
      );
    }
    return sent.sort((a, b) => a.partNumber - b.partNumber);
  };
  const complete = (fileId: string, parts: { partNumber: number; etag: string; sha256: string }[]) =>
    t.api('POST', `/v1/cases/${n}/files/${fileId}/complete`, { as: DANA, body: { parts } });
  return { grant, send, complete };
}

describe('a multipart upload resumes from the parts S3 holds (SPEC §7)', () => {
  it('a second grant of an upload under way lists the parts S3 holds, each with its number, size, ETag and SHA-256; completing with them and the rest uploads the file', async () => {
    const n = await openCase();
    const content = randomBytes(2 * PART + 1024 * 1024);
    const { grant, send, complete } = upload(n, content);
    const first = (await grant()).body.files[0];
    expect(first.multipart).toMatchObject({ partCount: 3, held: [], restarted: false });
    const sent = await send(first.fileId, [1, 3]);

    // A page reloaded, or another computer: it knows nothing but the file, and asks again.
    const second = await grant();
    expect(second.status).toBe(201);
    const again = second.body.files[0];
    expect(again).toMatchObject({ fileId: first.fileId, multipart: { uploadId: first.multipart.uploadId } });
    expect(again.multipart.restarted).toBe(false);
    expect(again.multipart.held).toEqual([
      { partNumber: 1, size: PART, etag: sent[0]?.etag, sha256: sent[0]?.sha256 },
      { partNumber: 3, size: 1024 * 1024, etag: sent[1]?.etag, sha256: sent[1]?.sha256 },
    ]);

    const rest = await send(first.fileId, [2]);
    const held = (again.multipart.held as Held[]).map(({ partNumber, etag, sha256 }) => ({
      partNumber,
      etag,
      sha256,
    }));
    const done = await complete(
      first.fileId,
      [...held, ...rest].sort((a, b) => a.partNumber - b.partNumber),
    );
    expect(done.body).toMatchObject({ status: 'uploaded', size: content.length, sha256: sha256(content) });
    const list = (await t.api('GET', `/v1/cases/${n}/files`, { as: DANA })).body.items;
    expect(list).toEqual([expect.objectContaining({ fileId: first.fileId, size: content.length })]);
  });

  it('lists every part S3 holds of an upload of over 1,000 parts, a page of 1,000 at a time', async () => {
    const n = await openCase(1, 0);
    const content = randomBytes(1_003);
    const { grant, send } = upload(n, content, 1);
    const first = (await grant()).body.files[0];
    expect(first.multipart.partCount).toBe(1_003);
    const partNumbers = Array.from({ length: 1_003 }, (_, i) => i + 1).filter((p) => p !== 500);
    const sent = await send(first.fileId, partNumbers);
    const held = (await grant()).body.files[0].multipart.held as Held[];
    expect(held).toHaveLength(1_002);
    expect(held.map((p) => p.partNumber)).toEqual(partNumbers);
    expect(held.map((p) => p.etag)).toEqual(sent.map((p) => p.etag));
    expect(held.every((p) => p.size === 1)).toBe(true);
  }, 60_000);

  it('an upload S3 no longer has (dropped by the lifecycle rule) is refused at completion with why; the next grant starts it again, says so and lists nothing held', async () => {
    const n = await openCase();
    const content = randomBytes(2 * PART + 1024 * 1024);
    const { grant, send, complete } = upload(n, content);
    const first = (await grant()).body.files[0];
    const sent = await send(first.fileId, [1, 2, 3]);
    // What the bucket's rule does to an upload left unfinished.
    await s3().send(
      new AbortMultipartUploadCommand({
        Bucket: process.env.CASEWORK_BUCKET,
        Key: first.key,
        UploadId: first.multipart.uploadId,
      }),
    );
    const refused = await complete(first.fileId, sent);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `S3 no longer holds the parts of file ${first.fileId} (the bucket's lifecycle rule drops unfinished uploads): request the upload again to start it over`,
    );
    const again = (await grant()).body.files[0];
    expect(again.fileId).toBe(first.fileId);
    expect(again.multipart).toMatchObject({ restarted: true, held: [], partCount: 3 });
    expect(again.multipart.uploadId).not.toBe(first.multipart.uploadId);
    const resent = await send(first.fileId, [1, 2, 3]);
    expect((await complete(first.fileId, resent)).body).toMatchObject({ status: 'uploaded' });
  });

  it('with s3:ListMultipartUploadParts taken from the files function, the grant of an upload under way is refused as on AWS; a fresh grant needs no listing', async () => {
    const n = await openCase(PART, 6 * 1024 * 1024, {
      template: (template: Parameters<typeof withoutPermission>[0]) =>
        withoutPermission(template, 'files', 's3:ListMultipartUploadParts'),
    });
    const content = randomBytes(2 * PART);
    const { grant } = upload(n, content);
    const first = await grant();
    expect(first.status).toBe(201);
    expect(first.body.files[0].multipart.held).toEqual([]);
    const second = await grant();
    expect(second.status).toBe(500);
  });

  it('the local S3 completes an upload created with SHA-256 only with each part’s checksum, as S3 does: missing is InvalidRequest, another than the part’s is InvalidPart, and neither completes it', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    const Bucket = process.env.CASEWORK_BUCKET;
    const Key = 'cases/completion/bundle.tar';
    const { UploadId, parts } = await uploadParts(Key, [randomBytes(PART), randomBytes(1000)]);
    const complete = (Parts: object[]) =>
      s3()
        .send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }))
        .then(
          () => 'completed',
          (error: Error) => `${error.name}: ${error.message}`,
        );
    expect(await complete(parts.map(({ ChecksumSHA256: _, ...part }) => part))).toBe(
      'InvalidRequest: The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
    );
    const other = createHash('sha256').update('another part').digest('base64');
    const [first, second] = parts;
    expect(await complete([first, { ...second, ChecksumSHA256: other }] as object[])).toMatch(
      /^InvalidPart: /,
    );
    expect((await s3().send(new ListPartsCommand({ Bucket, Key, UploadId }))).Parts).toHaveLength(2);
    expect(await complete(parts)).toBe('completed');
    const stored = await s3().send(new HeadObjectCommand({ Bucket, Key }));
    expect(stored.ContentLength).toBe(PART + 1000);
  });

  it('the local S3 answers ListParts as S3 does: a page of MaxParts after PartNumberMarker, each part with its size, ETag and SHA-256; NoSuchUpload once the upload is aborted', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    const Bucket = process.env.CASEWORK_BUCKET;
    const Key = 'cases/listing/rapport été (1).bin';
    const bodies = [1, 2, 3, 4, 5].map((n) => randomBytes(100 * n));
    const { UploadId, parts } = await uploadParts(Key, bodies);
    const etags = parts.map((p) => p.ETag);
    const first = await s3().send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2 }));
    expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', MaxParts: 2 });
    expect(first.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag, p.ChecksumSHA256])).toEqual(
      [0, 1].map((i) => [
        i + 1,
        bodies[i]?.length,
        etags[i],
        createHash('sha256')
          .update(bodies[i] as Buffer)
          .digest('base64'),
      ]),
    );
    const rest = await s3().send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: '2' }));
    expect(rest.IsTruncated).toBe(false);
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([3, 4, 5]);
    await s3().send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    await expect(s3().send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });
});
