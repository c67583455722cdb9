import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TriageItem } from '../mail/link.ts';
import { ddb } from './clients.ts';
import { getItem, type Page, queryPage, table, writeIf } from './dynamo.ts';
import { autoReplyKey, inboundKey, inPartition, outboundMessageKey, triageKey, triageQueue } from './keys.ts';

/**
 * Inbound mail: each message claimed once by its Message-ID, the outbound Message-IDs replies name,
 * the one automatic answer a day per sender, and the triage queue of mail no case was found for.
 */

/** Claims an inbound message by its Message-ID: false when it was already received (a duplicate). */
export async function claimInboundMessage(messageId: string, at: string): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { ...inboundKey(messageId), at },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function inboundDone(messageId: string): Promise<boolean> {
  return !!(await getItem(inboundKey(messageId)));
}

export async function markInboundDone(
  messageId: string,
  outcome: Record<string, unknown>,
  at: string,
): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...inboundKey(messageId), at, ...outcome } }),
  );
}

/** Remembers which case an outbound Message-ID belongs to, for replies that name it. */
export async function recordOutboundMessageId(messageId: string, caseId: string): Promise<void> {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...outboundMessageKey(messageId), caseId } }),
  );
}

export async function caseOfMessageId(messageId: string): Promise<string | undefined> {
  return (await getItem<{ caseId: string }>(outboundMessageKey(messageId)))?.caseId;
}

/**
 * Claims the right to send an automatic answer to a sender: at most one per 24 hours, whatever
 * the number of deliveries or concurrent handlers.
 */
export async function claimAutoReply(sender: string, now: Date): Promise<boolean> {
  return writeIf(
    new PutCommand({
      TableName: table(),
      Item: { ...autoReplyKey(sender), at: now.toISOString() },
      ConditionExpression: 'attribute_not_exists(pk) OR #at < :dayAgo',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':dayAgo': new Date(now.getTime() - 86_400_000).toISOString() },
    }),
  );
}

export async function putTriageItem(item: TriageItem): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { ...triageKey(item.id), ...inPartition(triageQueue, `${item.at}#${item.id}`), ...item },
    }),
  );
}

export function listTriage(cursor?: string, limit = 50): Promise<Page<TriageItem>> {
  return queryPage<TriageItem>(triageQueue, { cursor, limit, newestFirst: true });
}

export function getTriageItem(id: string) {
  return getItem<TriageItem & { linkedTo?: string; dismissedAt?: string }>(triageKey(id), true);
}

/** What takes a triage item out of the queue: its index keys go. */
const leaveQueue = `REMOVE ${triageQueue.pk}, ${triageQueue.sk}`;

/**
 * Claims a triage item for a case (false when it was claimed for another). It stays in the queue,
 * marked with its case, until the mail is on the case (`markTriageLinked`): a link cut off between
 * the two is seen, and linking it again to the same case finishes it.
 */
export async function claimTriageLink(id: string, caseId: string, by: string, at: string): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: triageKey(id),
      UpdateExpression: 'SET linkedTo = :c, linkedBy = :by, linkedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(linkedTo) OR linkedTo = :c)',
      ExpressionAttributeValues: { ':c': caseId, ':by': by, ':at': at },
    }),
  );
}

/** Gives up a claim the case refused, leaving the item in the queue as it was. */
export async function releaseTriageLink(id: string, caseId: string): Promise<void> {
  await writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: triageKey(id),
      UpdateExpression: 'REMOVE linkedTo, linkedBy, linkedAt',
      // Not once another request linked it for good (its mail is on the case).
      ConditionExpression: `linkedTo = :c AND attribute_exists(${triageQueue.pk})`,
      ExpressionAttributeValues: { ':c': caseId },
    }),
  );
}

/** Takes a claimed triage item out of the queue once its mail is on the case. */
export async function markTriageLinked(id: string, caseId: string): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: triageKey(id),
      UpdateExpression: leaveQueue,
      ConditionExpression: 'linkedTo = :c',
      ExpressionAttributeValues: { ':c': caseId },
    }),
  );
}

/** Takes a triage item out of the queue unlinked (a thank-you, a duplicate); false when it was linked. */
export async function markTriageDismissed(id: string, by: string, at: string): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: triageKey(id),
      UpdateExpression: `SET dismissedBy = :by, dismissedAt = :at ${leaveQueue}`,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(linkedTo)',
      ExpressionAttributeValues: { ':by': by, ':at': at },
    }),
  );
}
