import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
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
