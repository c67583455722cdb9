import { DeleteSuppressedDestinationCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { headerValue, type RenderedMail } from '../mail/render.ts';
import { ddb, ses } from './clients.ts';
import { getItem, type Page, queryPage, table } from './dynamo.ts';
import { inPartition, undeliverableKey, undeliverableList } from './keys.ts';

/**
 * Sends one rendered mail through SES; answers the Message-ID SES assigned, to record for
 * threading. Every header value written is cleaned of control characters here, the one way out.
 */
export async function sendMail(to: string, mail: RenderedMail): Promise<string> {
  const autoSubmitted = mail.autoReplied ? 'auto-replied' : mail.automated ? 'auto-generated' : undefined;
  const headers = autoSubmitted ? [{ Name: 'Auto-Submitted', Value: autoSubmitted }] : [];
  const out = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: config.mailFrom,
      Destination: { ToAddresses: [headerValue(to)] },
      ReplyToAddresses: [config.inboundAddress],
      Content: {
        Simple: {
          Subject: { Data: headerValue(mail.subject), Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
          Headers: headers,
        },
      },
    }),
  );
  return out.MessageId ?? '';
}

/** An address SES reported as bouncing for good, or whose owner complained. */
export interface UndeliverableAddress {
  address: string;
  reason: 'bounce' | 'complaint';
  at: string;
}

/** An address SES reported as bouncing for good or complaining: no mail should go to it. */
export async function markUndeliverable(address: string, reason: 'bounce' | 'complaint', at: string) {
  const lower = address.toLowerCase();
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...undeliverableKey(lower),
        ...inPartition(undeliverableList, lower),
        address: lower,
        reason,
        at,
      },
    }),
  );
}

/** The addresses marked undeliverable, by address, a page at a time. */
export function listUndeliverable(cursor?: string): Promise<Page<UndeliverableAddress>> {
  return queryPage<UndeliverableAddress>(undeliverableList, { cursor, limit: 100 });
}

/**
 * Mail may go to the address again (its owner fixed the mailbox): the desk's record goes, and so
 * does the address from SES's account-level suppression list (absent from it already: done).
 * False when the desk had no record of it.
 */
export async function clearUndeliverable(address: string): Promise<boolean> {
  const lower = address.toLowerCase();
  try {
    await ses().send(new DeleteSuppressedDestinationCommand({ EmailAddress: lower }));
  } catch (error) {
    if ((error as Error).name !== 'NotFoundException') throw error;
  }
  const { Attributes } = await ddb().send(
    new DeleteCommand({ TableName: table(), Key: undeliverableKey(lower), ReturnValues: 'ALL_OLD' }),
  );
  return !!Attributes;
}

/** The desk's record of an address mail does not reach, if any. */
export async function undeliverable(
  address: string,
): Promise<Pick<UndeliverableAddress, 'reason' | 'at'> | undefined> {
  const item = await getItem<UndeliverableAddress>(undeliverableKey(address));
  return item ? { reason: item.reason, at: item.at } : undefined;
}
