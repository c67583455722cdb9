import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config } from '../config.ts';
import { s3 } from './clients.ts';

/** Object keys of case files (SPEC §7): `cases/<caseId>/<fileId>/<safe name>`. */
export const fileKey = (caseId: string, fileId: string, safeName: string) =>
  `cases/${caseId}/${fileId}/${safeName}`;

/** Bodies above this go up in parts (S3's minimum part is 5 MiB). */
const PART_SIZE = 8 * 1024 * 1024;

/** Stores an object; a large one in parts, so that no single request carries more than 8 MiB. */
export async function putObject(key: string, body: Buffer, contentType: string): Promise<void> {
  const Bucket = config.bucketName;
  if (body.length <= PART_SIZE) {
    await s3().send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const { UploadId } = await s3().send(
    new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }),
  );
  try {
    const parts = [];
    for (let offset = 0, n = 1; offset < body.length; offset += PART_SIZE, n++) {
      const { ETag } = await s3().send(
        new UploadPartCommand({
          Bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: body.subarray(offset, offset + PART_SIZE),
        }),
      );
      parts.push({ ETag, PartNumber: n });
    }
    await s3().send(
      new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (error) {
    await s3()
      .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
      .catch(() => {});
    throw error;
  }
}

const location = (key: string, closed: boolean) => (closed ? key.replace(/^cases\//, 'closed/') : key);

/** Where a case file lives now: under `closed/` while its case is closed (SPEC §7). */
export const objectKey = location;

/** Moves objects between `cases/` and `closed/` (copy, then delete): S3 restarts the expiry count on a copy. */
export async function moveObjects(keys: string[], toClosed: boolean): Promise<void> {
  const Bucket = config.bucketName;
  for (const key of keys) {
    const from = location(key, !toClosed);
    const to = location(key, toClosed);
    try {
      await s3().send(
        new CopyObjectCommand({
          Bucket,
          Key: to,
          CopySource: `${Bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`,
        }),
      );
    } catch (error) {
      // Already moved by an earlier, interrupted run: the source is gone, the copy exists.
      if ((error as Error).name !== 'NoSuchKey') throw error;
      continue;
    }
    await s3().send(new DeleteObjectCommand({ Bucket, Key: from }));
  }
}

/** Deletes every object of a case (its incomplete uploads are aborted by the caller); answers how many went. */
export async function deleteCaseObjects(caseId: string): Promise<number> {
  const Bucket = config.bucketName;
  let deleted = 0;
  for (const prefix of [`cases/${caseId}/`, `closed/${caseId}/`]) {
    let ContinuationToken: string | undefined;
    do {
      const page = await s3().send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        await s3().send(new DeleteObjectCommand({ Bucket, Key: object.Key }));
        deleted++;
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
  }
  return deleted;
}

/** URLs live 15 minutes; they are re-issued from the upload grant as needed. */
export const URL_SECONDS = 15 * 60;

/**
 * A presigned PUT bound to one key, one length and one SHA-256: S3 refuses any other body, and
 * the client must send the checksum header (it is signed, not hoisted into the query).
 */
export function presignPut(
  key: string,
  size: number,
  sha256Hex: string,
  contentType: string,
): Promise<string> {
  const ChecksumSHA256 = base64Of(sha256Hex);
  return getSignedUrl(
    s3(),
    new PutObjectCommand({
      Bucket: config.bucketName,
      Key: key,
      ContentLength: size,
      ChecksumSHA256,
      ContentType: contentType,
    }),
    {
      expiresIn: URL_SECONDS,
      signableHeaders: new Set(['content-length', 'content-type', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
}

/** A multipart upload whose every part S3 checks against the SHA-256 its URL was signed with. */
export async function startMultipart(key: string, contentType: string): Promise<string> {
  const { UploadId } = await s3().send(
    new CreateMultipartUploadCommand({
      Bucket: config.bucketName,
      Key: key,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  return UploadId as string;
}

/** A presigned URL for one part, bound to its length and its SHA-256 (a signed header, as for a PUT). */
export function presignPart(
  key: string,
  uploadId: string,
  partNumber: number,
  length: number,
  sha256Hex: string,
): Promise<string> {
  return getSignedUrl(
    s3(),
    new UploadPartCommand({
      Bucket: config.bucketName,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: length,
      ChecksumSHA256: base64Of(sha256Hex),
    }),
    {
      expiresIn: URL_SECONDS,
      signableHeaders: new Set(['content-length', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
}

/** The form of a SHA-256 that S3's checksum headers take. */
export const base64Of = (sha256Hex: string) => Buffer.from(sha256Hex, 'hex').toString('base64');

export async function completeMultipart(
  key: string,
  uploadId: string,
  parts: { PartNumber: number; ETag: string; ChecksumSHA256: string }[],
): Promise<void> {
  await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: config.bucketName,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

export async function abortMultipart(key: string, uploadId: string): Promise<void> {
  await s3().send(
    new AbortMultipartUploadCommand({ Bucket: config.bucketName, Key: key, UploadId: uploadId }),
  );
}

export async function deleteObject(key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: config.bucketName, Key: key }));
}

export async function objectSize(key: string): Promise<number | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: config.bucketName, Key: key }));
    return head.ContentLength ?? 0;
  } catch (error) {
    if (['NotFound', 'NoSuchKey'].includes((error as Error).name)) return null;
    throw error;
  }
}

/** A presigned GET that downloads (never renders) the file, under its safe name. */
export function presignDownload(key: string, name: string, contentType: string): Promise<string> {
  return getSignedUrl(
    s3(),
    new GetObjectCommand({
      Bucket: config.bucketName,
      Key: key,
      ResponseContentDisposition: `attachment; filename="${name}"`,
      ResponseContentType: contentType,
    }),
    { expiresIn: URL_SECONDS },
  );
}
