import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TimelineEntry } from '../cases/model.ts';
import { ddb } from './clients.ts';
import { isConditionFailure, queryAll, table } from './dynamo.ts';
import { caseItems, timelineKey } from './keys.ts';

/** A case's timeline: one item per entry under the case, in time order. */

/** Adds a timeline item once: its key is derived from the change that produced it. */
export async function putTimelineEntry(caseId: string, id: string, entry: TimelineEntry): Promise<void> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: table(),
        Item: { ...timelineKey(caseId, entry.at, id), id, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export function listTimeline(caseId: string): Promise<(TimelineEntry & { id: string })[]> {
  return queryAll<TimelineEntry & { id: string }>(caseItems(caseId, 'timeline'));
}

/** Makes an internal inbound-mail timeline item public; false when there is no such item. */
export async function publishTimelineMail(caseId: string, entryId: string): Promise<boolean> {
  const items = await listTimeline(caseId);
  const entry = items.find((e) => e.id === entryId && e.kind === 'mail-received');
  if (!entry) return false;
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: timelineKey(caseId, entry.at, entryId),
      UpdateExpression: 'SET visibility = :public',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':public': 'public' },
    }),
  );
  return true;
}
