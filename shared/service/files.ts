import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { StoredCase } from '../cases/model.ts';
import { policy } from '../catalogue/index.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { FileRecord } from '../files/model.ts';
import { safeContentType, safeFileName } from '../files/names.ts';
import { getFileRecord, listFileRecords, putFileRecord } from '../store/file-records.ts';
import {
  abortMultipart,
  base64Of,
  completeMultipart,
  deleteObject,
  fileKey,
  type HeldPart,
  listParts,
  newestVersion,
  objectSize,
  presignDownload,
  presignPart,
  presignPut,
  startMultipart,
  URL_SECONDS,
} from '../store/files.ts';
import { type Caller, readableCase, writableCase } from './cases.ts';

const MiB = 1024 * 1024;
/** Files up to this size get one presigned PUT; larger ones a multipart upload (SPEC §7). */
const singlePutMax = () => Number(process.env.CASEWORK_SINGLE_PUT_MAX_BYTES ?? 100 * MiB);
/** Parts of 8 MiB, more when a file would need over 10,000 parts (S3's limit). */
const partSizeFor = (size: number) =>
  Math.max(Number(process.env.CASEWORK_PART_SIZE_BYTES ?? 8 * MiB), Math.ceil(size / 10_000));

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256, 64 lowercase hex digits');
const partNumber = z.number().int().min(1).max(10_000);

export const UploadRequest = z.strictObject({
  files: z
    .array(
      z.strictObject({
        name: z.string().min(1, 'must not be empty').max(1_000),
        size: z
          .number()
          .int()
          .min(0)
          .max(5 * 1024 ** 4, 'at most 5 TiB'),
        contentType: z.string().max(200).optional(),
        sha256: sha256Hex,
      }),
    )
    .min(1, 'at least one file')
    .max(20, 'at most 20 files at once'),
});
export type UploadRequest = z.infer<typeof UploadRequest>;

const expiresAt = (now: Date) => new Date(now.getTime() + URL_SECONDS * 1000).toISOString();

/** Only while the case is not Closed, and only designated contacts and engineers (SPEC §7). */
async function uploadableCase(caller: Caller, number: string): Promise<StoredCase> {
  const c = await writableCase(caller, number);
  if (c.status === 'Closed')
    throw conflict(`case ${c.number} is Closed: files can be uploaded to open cases only`);
  return c;
}

/** Part URLs for the parts given, each bound to its length and to the SHA-256 the client gave. */
async function partUrls(file: FileRecord, parts: { partNumber: number; sha256: string }[]) {
  const partSize = file.partSize as number;
  const count = partCount(file);
  const out = [];
  for (const { partNumber: n, sha256 } of parts) {
    if (n > count) throw invalid('parts', `file ${file.fileId} has ${count} parts; there is no part ${n}`);
    const length = n < count ? partSize : file.size - partSize * (count - 1);
    out.push({
      partNumber: n,
      size: length,
      url: await presignPart(file.key, file.uploadId as string, n, length, sha256),
      headers: { 'content-length': String(length), 'x-amz-checksum-sha256': base64Of(sha256) },
    });
  }
  return out;
}

async function instructions(
  file: FileRecord,
  now: Date,
  parts: { partNumber: number; sha256: string }[] = [],
  resumed?: { held: HeldPart[]; restarted: boolean },
) {
  const common = {
    fileId: file.fileId,
    name: file.name,
    key: file.key,
    size: file.size,
    grantExpiresAt: file.grantExpiresAt,
    expiresAt: expiresAt(now),
  };
  if (!file.uploadId) {
    return {
      ...common,
      method: 'PUT' as const,
      url: await presignPut(file.key, file.size, file.sha256 as string, file.contentType),
      headers: {
        'content-length': String(file.size),
        'content-type': file.contentType,
        'x-amz-checksum-sha256': base64Of(file.sha256 as string),
      },
    };
  }
  // S3 checks each part against its SHA-256: the client hashes its parts of `partSize` bytes and
  // asks for their URLs (`…/urls`), all at once or a few at a time. A grant also says which parts
  // S3 holds already, so that a client that knows nothing of an earlier try sends only the rest.
  return {
    ...common,
    multipart: {
      uploadId: file.uploadId,
      partSize: file.partSize,
      partCount: partCount(file),
      parts: await partUrls(file, parts),
      ...resumed,
    },
  };
}

/**
 * The grant of a multipart upload under way: the parts S3 holds, from S3 itself (whoever sent
 * them, from whichever page). An upload S3 no longer has (aborted by the bucket's lifecycle rule)
 * is started again, and the answer says so.
 */
async function resumedUpload(file: FileRecord, now: Date) {
  const held = await listParts(file.key, file.uploadId as string);
  if (held) return instructions(file, now, [], { held, restarted: false });
  const restarted: FileRecord = { ...file, uploadId: await startMultipart(file.key, file.contentType) };
  await putFileRecord(restarted);
  return instructions(restarted, now, [], { held: [], restarted: true });
}

/** `POST /v1/cases/{n}/files`: a grant per file, with a presigned PUT or multipart part URLs. */
export async function grantUploads(caller: Caller, number: string, request: UploadRequest, now: Date) {
  const c = await uploadableCase(caller, number);
  const out = [];
  for (const f of request.files) {
    // The same file asked for again (a retried request) gets the same id: one grant, not two.
    const fileId = createHash('sha256')
      .update([c.caseId, caller.email, f.name, f.size, f.sha256].join('\n'))
      .digest('hex')
      .slice(0, 16);
    const existing = await getFileRecord(c.caseId, fileId);
    if (existing?.status === 'uploaded') {
      out.push({ fileId, name: existing.name, size: existing.size, status: 'uploaded' as const });
      continue;
    }
    if (existing?.status === 'pending') {
      // Still within its grant: the same upload, URLs re-issued; else a fresh grant below.
      if (existing.grantExpiresAt && now.toISOString() < existing.grantExpiresAt) {
        out.push(await (existing.uploadId ? resumedUpload(existing, now) : instructions(existing, now)));
        continue;
      }
      if (existing.uploadId) await abortMultipart(existing.key, existing.uploadId).catch(() => {});
    }
    const name = safeFileName(f.name);
    const contentType = safeContentType(f.contentType);
    const key = fileKey(c.caseId, fileId, name);
    const file: FileRecord = {
      fileId,
      caseId: c.caseId,
      name,
      key,
      size: f.size,
      contentType,
      sha256: f.sha256,
      source: 'upload',
      status: 'pending',
      createdAt: now.toISOString(),
      uploadedBy: caller.email,
      grantExpiresAt: new Date(now.getTime() + policy.windows.uploadGrantHours * 3_600_000).toISOString(),
    };
    if (f.size > singlePutMax()) {
      file.partSize = partSizeFor(f.size);
      file.uploadId = await startMultipart(key, contentType);
    }
    await putFileRecord(file);
    out.push(await instructions(file, now, [], file.uploadId ? { held: [], restarted: false } : undefined));
  }
  return { files: out };
}

/**
 * An upload still pending when its case closed is refused (SPEC §7: files go to open cases only):
 * whatever landed is removed, and the grant ends. A PUT presigned before the closure may still
 * land afterwards: it is removed when next seen, and with the case's files at the purge.
 */
export async function refuseUpload(file: FileRecord): Promise<void> {
  if (file.uploadId) await abortMultipart(file.key, file.uploadId).catch(() => {});
  await deleteObject(file.key);
  await putFileRecord({ ...file, status: 'aborted' });
}

async function grantedFile(caller: Caller, number: string, fileId: string, now: Date) {
  const c = await writableCase(caller, number);
  const file = await getFileRecord(c.caseId, fileId);
  if (file?.source !== 'upload') throw notFound(`file ${fileId} not found on case ${c.number}`);
  if (c.status === 'Closed') {
    if (file.status !== 'uploaded') await refuseUpload(file);
    throw conflict(`case ${c.number} is Closed: files can be uploaded to open cases only`);
  }
  if (file.status !== 'pending') throw conflict(`file ${fileId} is ${file.status}`);
  if (!file.grantExpiresAt || now.toISOString() >= file.grantExpiresAt) {
    throw forbidden(
      `the ${policy.windows.uploadGrantHours}-hour upload grant of file ${fileId} has expired: request a new upload`,
    );
  }
  return { c, file };
}

export const ReissueRequest = z.strictObject({
  /** For a multipart upload: the parts to upload now, each with the SHA-256 its URL will bind. */
  parts: z
    .array(z.strictObject({ partNumber, sha256: sha256Hex }))
    .min(1)
    .max(10_000)
    .optional(),
});

/**
 * URLs from the grant: a fresh presigned PUT, or for a multipart upload the URLs of the parts
 * asked for (first uploads, retries, a resumed upload).
 */
export async function reissueUrls(
  caller: Caller,
  number: string,
  fileId: string,
  request: z.infer<typeof ReissueRequest>,
  now: Date,
) {
  const { file } = await grantedFile(caller, number, fileId, now);
  if (!file.uploadId) {
    if (request.parts) throw invalid('parts', `file ${fileId} is uploaded with one PUT: it has no parts`);
    return instructions(file, now);
  }
  if (!request.parts) throw invalid('parts', 'the parts to upload, each with its partNumber and sha256');
  return instructions(file, now, request.parts);
}

const partCount = (file: FileRecord) => Math.max(1, Math.ceil(file.size / (file.partSize as number)));

export const CompleteRequest = z.strictObject({
  /** For a multipart upload: every part with the ETag S3 answered to its PUT and its SHA-256. */
  parts: z
    .array(z.strictObject({ partNumber, etag: z.string().min(1).max(200), sha256: sha256Hex }))
    .max(10_000)
    .optional(),
});

/** Completes an upload: a multipart one from all its parts (S3 checks each ETag), a single PUT once S3 has it. */
export async function completeUpload(
  caller: Caller,
  number: string,
  fileId: string,
  request: z.infer<typeof CompleteRequest>,
  now: Date,
) {
  const { file } = await grantedFile(caller, number, fileId, now);
  if (file.uploadId) {
    const given = new Map((request.parts ?? []).map((p) => [p.partNumber, p]));
    const missing = Array.from({ length: partCount(file) }, (_, i) => i + 1).filter((n) => !given.has(n));
    if (missing.length)
      throw conflict(
        `parts ${missing.join(', ')} of file ${fileId} are missing: upload them, then complete with every part's ETag and SHA-256`,
      );
    try {
      await completeMultipart(
        file.key,
        file.uploadId,
        [...given.values()]
          .sort((a, b) => a.partNumber - b.partNumber)
          .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumSHA256: base64Of(p.sha256) })),
      );
    } catch (error) {
      if ((error as Error).name === 'NoSuchUpload')
        throw conflict(
          `S3 no longer holds the parts of file ${fileId} (the bucket's lifecycle rule drops unfinished uploads): request the upload again to start it over`,
        );
      if (
        [
          'InvalidPart',
          'InvalidPartOrder',
          'EntityTooSmall',
          'NoSuchUpload',
          'BadDigest',
          'InvalidRequest',
        ].includes((error as Error).name)
      ) {
        throw conflict(`S3 refused to complete file ${fileId}: ${(error as Error).message}`);
      }
      throw error;
    }
  }
  const size = await objectSize(file.key);
  if (size === null) throw conflict(`file ${fileId} is not uploaded yet`);
  if (size !== file.size) throw conflict(`file ${fileId} has ${size} bytes, not the ${file.size} granted`);
  const done: FileRecord = { ...file, status: 'uploaded' };
  await putFileRecord(done);
  return fileView(done);
}

export async function abortUpload(caller: Caller, number: string, fileId: string, now: Date) {
  const { file } = await grantedFile(caller, number, fileId, now);
  if (file.uploadId) await abortMultipart(file.key, file.uploadId);
  await putFileRecord({ ...file, status: 'aborted' });
  return { fileId, status: 'aborted' };
}

const fileView = (f: FileRecord) => {
  const { uploadId: _u, key: _k, caseId: _c, ...view } = f;
  return view;
};

/** The case's files; a single PUT is noticed here once S3 holds the object. */
export async function listFiles(caller: Caller, number: string) {
  const c = await readableCase(caller, number);
  const files = await listFileRecords(c.caseId);
  for (const [i, f] of files.entries()) {
    if (f.status === 'uploaded' || f.source !== 'upload') continue;
    // Once the closure placed the files, an upload that was not done is refused, and what lands late removed.
    if (c.status === 'Closed' && c.filesClosed && !c.purged) {
      if (f.status === 'pending' || (await objectSize(f.key)) !== null) await refuseUpload(f);
      files[i] = { ...f, status: 'aborted' };
    } else if (
      f.status === 'pending' &&
      !f.uploadId &&
      !c.filesClosed &&
      (await objectSize(f.key)) !== null
    ) {
      files[i] = { ...f, status: 'uploaded' };
      await putFileRecord(files[i] as FileRecord);
    }
  }
  const items = files.filter((f) => f.status !== 'aborted').map(fileView);
  return {
    items: c.purged ? items.map((f) => ({ ...f, status: 'purged' })) : items,
    purged: c.purged ?? null,
  };
}

/** `GET …/files/{fileId}`: a presigned GET that downloads the file (never rendered), read access. */
export async function downloadUrl(caller: Caller, number: string, fileId: string) {
  const c = await readableCase(caller, number);
  const file = await getFileRecord(c.caseId, fileId);
  if (!file || file.status === 'aborted' || c.purged)
    throw notFound(`file ${fileId} not found on case ${c.number}`);
  // A closed case's files are hidden behind delete markers: read by their version until purged.
  const versionId = c.filesClosed ? await newestVersion(file.key) : undefined;
  if (c.filesClosed ? !versionId : (await objectSize(file.key)) === null)
    throw notFound(`file ${fileId} is not uploaded yet`);
  return presignDownload(file.key, file.name, file.contentType, versionId);
}
