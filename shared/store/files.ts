import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
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

/** Every version and delete marker under a prefix (a key is its own prefix), a page at a time. */
async function versionsUnder(prefix: string) {
  const Bucket = config.bucketName;
  const found: { Key: string; VersionId: string; marker: boolean; IsLatest: boolean }[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3().send(
      new ListObjectVersionsCommand({ Bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
    );
    for (const v of page.Versions ?? [])
      found.push({
        Key: v.Key as string,
        VersionId: v.VersionId as string,
        marker: false,
        IsLatest: !!v.IsLatest,
      });
    for (const m of page.DeleteMarkers ?? [])
      found.push({
        Key: m.Key as string,
        VersionId: m.VersionId as string,
        marker: true,
        IsLatest: !!m.IsLatest,
      });
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);
  return found;
}

/**
 * Closing a case hides its files: a delete marker on each (the bucket is versioned), one request
 * whatever the size, so the lifecycle rule's noncurrent expiry counts from the closure. An object
 * already hidden gets no second marker.
 */
export async function hideObjects(keys: string[]): Promise<void> {
  for (const key of keys) {
    if ((await objectSize(key)) === null) continue;
    await s3().send(new DeleteObjectCommand({ Bucket: config.bucketName, Key: key }));
  }
}

/** Reopening shows the files again: their delete markers are removed, the last version is current. */
export async function showObjects(keys: string[]): Promise<void> {
  for (const key of keys) {
    for (const v of (await versionsUnder(key)).filter((v) => v.Key === key && v.marker))
      await s3().send(
        new DeleteObjectCommand({ Bucket: config.bucketName, Key: key, VersionId: v.VersionId }),
      );
  }
}

/** The version of a hidden file (its newest one): engineers read a closed case's files by it. */
export async function newestVersion(key: string): Promise<string | undefined> {
  const versions = (await versionsUnder(key)).filter((v) => v.Key === key && !v.marker);
  return versions.find((v) => v.IsLatest)?.VersionId ?? versions[0]?.VersionId;
}

/** Deletes every version and marker of a case's objects for good; answers how many versions went. */
export async function deleteCaseObjects(caseId: string): Promise<number> {
  let deleted = 0;
  for (const v of await versionsUnder(`cases/${caseId}/`)) {
    await s3().send(
      new DeleteObjectCommand({ Bucket: config.bucketName, Key: v.Key, VersionId: v.VersionId }),
    );
    if (!v.marker) deleted++;
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

/** A part S3 holds of an unfinished multipart upload. */
export interface HeldPart {
  partNumber: number;
  size: number;
  etag: string;
  /** Hex, as the client gives it; absent when the part was sent without a checksum. */
  sha256?: string;
}

/**
 * The parts S3 holds of a multipart upload, read a page (1,000 parts) at a time; `null` when S3
 * no longer has the upload (aborted by the lifecycle rule, or completed).
 */
export async function listParts(key: string, uploadId: string): Promise<HeldPart[] | null> {
  const held: HeldPart[] = [];
  let PartNumberMarker: string | undefined;
  try {
    do {
      const page = await s3().send(
        new ListPartsCommand({ Bucket: config.bucketName, Key: key, UploadId: uploadId, PartNumberMarker }),
      );
      for (const p of page.Parts ?? [])
        held.push({
          partNumber: p.PartNumber as number,
          size: p.Size ?? 0,
          etag: p.ETag as string,
          ...(p.ChecksumSHA256 && { sha256: Buffer.from(p.ChecksumSHA256, 'base64').toString('hex') }),
        });
      PartNumberMarker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (PartNumberMarker);
  } catch (error) {
    if ((error as Error).name === 'NoSuchUpload') return null;
    throw error;
  }
  return held;
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

/** A presigned GET that downloads (never renders) the file, under its safe name; a hidden one by its version. */
export function presignDownload(
  key: string,
  name: string,
  contentType: string,
  versionId?: string,
): Promise<string> {
  return getSignedUrl(
    s3(),
    new GetObjectCommand({
      Bucket: config.bucketName,
      Key: key,
      VersionId: versionId,
      ResponseContentDisposition: `attachment; filename="${name}"`,
      ResponseContentType: contentType,
    }),
    { expiresIn: URL_SECONDS },
  );
}
