import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { headerValue, type RenderedMail } from '../mail/render.ts';
import { ddb, ses } from './clients.ts';
import { getItem, table } from './dynamo.ts';
import { undeliverableKey } from './keys.ts';

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

/** An address SES reported as bouncing for good or complaining: no mail should go to it. */
export async function markUndeliverable(address: string, reason: 'bounce' | 'complaint', at: string) {
  await ddb().send(
    new PutCommand({ TableName: table(), Item: { ...undeliverableKey(address), reason, at } }),
  );
}

export async function undeliverable(address: string): Promise<{ reason: string; at: string } | undefined> {
  const item = await getItem<{ reason: string; at: string }>(undeliverableKey(address));
  return item ? { reason: item.reason, at: item.at } : undefined;
}
