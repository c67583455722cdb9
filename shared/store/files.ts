import { PutObjectCommand } from '@aws-sdk/client-s3';
import { config } from '../config.ts';
import { s3 } from './clients.ts';

/** Object keys of case files (SPEC §7): `cases/<caseId>/<fileId>/<safe name>`. */
export const fileKey = (caseId: string, fileId: string, safeName: string) =>
  `cases/${caseId}/${fileId}/${safeName}`;

export async function putObject(key: string, body: Buffer, contentType: string): Promise<void> {
  await s3().send(
    new PutObjectCommand({ Bucket: config.bucketName, Key: key, Body: body, ContentType: contentType }),
  );
}
