import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { clock } from '#shared/clock.ts';
import { logger, observed } from '#shared/observability.ts';
import { markUndeliverable } from '#shared/store/mailer.ts';

/** The SES events the configuration set sends to EventBridge (only the fields read here). */
interface SesEvent {
  eventType: string;
  mail?: { messageId?: string };
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress: string }[] };
  complaint?: { complainedRecipients?: { emailAddress: string }[] };
}

/**
 * A permanent bounce or a complaint marks the address: SES suppresses it for this configuration
 * set (no more mail goes to it), and the desk records why, for engineers to see and correct.
 * A transient bounce changes nothing: SES retries it.
 */
async function markAddresses(event: EventBridgeEvent<string, SesEvent>) {
  const { detail } = event;
  const recipients =
    detail.eventType === 'Complaint'
      ? (detail.complaint?.complainedRecipients ?? [])
      : detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent'
        ? (detail.bounce.bouncedRecipients ?? [])
        : [];
  const reason = detail.eventType === 'Complaint' ? 'complaint' : 'bounce';
  for (const { emailAddress } of recipients) {
    await markUndeliverable(emailAddress, reason, clock.now().toISOString());
    logger.warn('address marked undeliverable', { address: emailAddress, reason });
  }
  return { marked: recipients.length };
}

export const handler = middy<EventBridgeEvent<string, SesEvent>>()
  .use(observed<EventBridgeEvent<string, SesEvent>>((event) => event.detail?.mail?.messageId))
  .handler(markAddresses);
