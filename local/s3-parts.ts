import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { escapeXml } from './s3-versions.ts';
import type { Refusal } from './services/sigv4.ts';

/**
 * What the S3 emulator (fauxqs) lacks of multipart uploads, answered from its own record of them.
 *
 * ListParts: the parts an unfinished multipart upload holds,
 * read from the emulator's own record of them (`<s3 dir>/_multipart/<upload id>/`, written before
 * it answers each UploadPart), answered as S3 answers: a page of up to `max-parts` (at most 1,000)
 * after `part-number-marker`, each part with its number, size, ETag and SHA-256; `NoSuchUpload`
 * for an upload aborted, completed or never started.
 */
export const isListParts = (req: IncomingMessage) => {
  const url = new URL(req.url ?? '/', 'http://local');
  return req.method === 'GET' && url.searchParams.has('uploadId') && !url.searchParams.has('partNumber');
};

interface PartMeta {
  partNumber: number;
  etag: string;
  lastModified: string;
  checksumValue?: string;
}

/** An unfinished upload's folder in the emulator's store, and what it recorded of the upload. */
function uploadOf(s3Dir: string, uploadId: string) {
  const dir = path.join(s3Dir, '_multipart', path.basename(uploadId));
  const upload = path.join(dir, '.upload.json');
  const meta = existsSync(upload)
    ? (JSON.parse(readFileSync(upload, 'utf8')) as {
        bucket: string;
        key: string;
        checksumAlgorithm?: string;
      })
    : undefined;
  return { dir, meta };
}

/** A part's record, if the upload holds it. */
function partOf(dir: string, partNumber: string): PartMeta | undefined {
  const file = path.join(dir, 'parts', `${Number(partNumber)}.meta.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PartMeta) : undefined;
}

/**
 * What S3 refuses of a CompleteMultipartUpload that fauxqs takes (it reads only each part's number
 * and ETag): for an upload created with a checksum algorithm, a part listed without its checksum
 * (`InvalidRequest`), or with another than the one its UploadPart stored (`InvalidPart`).
 */
export function completionRefusal(s3Dir: string, req: IncomingMessage, body: Buffer): Refusal | undefined {
  const url = new URL(req.url ?? '/', 'http://local');
  if (req.method !== 'POST' || !url.searchParams.has('uploadId')) return undefined;
  const { dir, meta } = uploadOf(s3Dir, url.searchParams.get('uploadId') ?? '');
  const algorithm = meta?.checksumAlgorithm;
  if (!algorithm) return undefined;
  for (const [, part = ''] of body.toString().matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const partNumber = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part)?.[1] ?? '?';
    const given = new RegExp(`<Checksum${algorithm}>([^<]*)</Checksum${algorithm}>`).exec(part)?.[1];
    if (!given)
      return {
        status: 400,
        code: 'InvalidRequest',
        message: `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${partNumber} in the request.`,
      };
    const stored = partOf(dir, partNumber)?.checksumValue;
    if (stored !== undefined && stored !== given.trim())
      return {
        status: 400,
        code: 'InvalidPart',
        message:
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      };
  }
  return undefined;
}

export function listParts(s3Dir: string, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://local');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const uploadId = url.searchParams.get('uploadId') ?? '';
  const { dir, meta } = uploadOf(s3Dir, uploadId);
  if (!uploadId || meta?.bucket !== bucket || meta.key !== key) {
    res
      .writeHead(404, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message><UploadId>${escapeXml(uploadId)}</UploadId></Error>`,
      );
    return;
  }
  const maxParts = Math.min(1000, Math.max(0, Number(url.searchParams.get('max-parts') ?? 1000) || 1000));
  const marker = Number(url.searchParams.get('part-number-marker') ?? 0) || 0;
  const partsDir = path.join(dir, 'parts');
  const all = (existsSync(partsDir) ? readdirSync(partsDir) : [])
    .filter((f) => f.endsWith('.meta.json'))
    .map((f) => JSON.parse(readFileSync(path.join(partsDir, f), 'utf8')) as PartMeta)
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  const rows = page.map(
    (p) =>
      `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified}</LastModified><ETag>${escapeXml(p.etag)}</ETag><Size>${statSync(path.join(partsDir, `${p.partNumber}.data`)).size}</Size>${p.checksumValue && meta.checksumAlgorithm === 'SHA256' ? `<ChecksumSHA256>${p.checksumValue}</ChecksumSHA256>` : ''}</Part>`,
  );
  res
    .writeHead(200, { 'content-type': 'application/xml' })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(uploadId)}</UploadId><PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1)?.partNumber ?? marker}</NextPartNumberMarker><MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated><StorageClass>STANDARD</StorageClass>${meta.checksumAlgorithm ? `<ChecksumAlgorithm>${meta.checksumAlgorithm}</ChecksumAlgorithm>` : ''}${rows.join('')}</ListPartsResult>`,
    );
}
