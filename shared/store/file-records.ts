import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FileRecord } from '../files/model.ts';
import { ddb } from './clients.ts';
import { getItem, queryAll, table } from './dynamo.ts';
import { caseItems, fileRecordKey } from './keys.ts';

/** The records of a case's files, one item each under the case (their objects are in the bucket). */

export async function getFileRecord(caseId: string, fileId: string): Promise<FileRecord | undefined> {
  if (!/^[\w-]{1,64}$/.test(fileId)) return undefined;
  return getItem<FileRecord>(fileRecordKey(caseId, fileId), true);
}

/** Stores a file record once (its id is derived from its source, so a retry writes the same item). */
export async function putFileRecord(file: FileRecord): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...fileRecordKey(file.caseId, file.fileId), ...file } }),
  );
}

export function listFileRecords(caseId: string): Promise<FileRecord[]> {
  return queryAll<FileRecord>(caseItems(caseId, 'files'));
}
