import { GetObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { SESEvent } from 'aws-lambda';
import { clock } from '#shared/clock.ts';
import { config } from '#shared/config.ts';
import { logger, observed } from '#shared/observability.ts';
import { receiveMail } from '#shared/service/inbound.ts';
import { s3 } from '#shared/store/clients.ts';

/** SES receipt rule → S3 (`inbox/<messageId>`) → this function: one raw message per record. */
async function inbound(event: SESEvent) {
  const results = [];
  for (const record of event.Records) {
    const { mail, receipt } = record.ses;
    const object = await s3().send(
      new GetObjectCommand({ Bucket: config.bucketName, Key: `inbox/${mail.messageId}` }),
    );
    const raw = Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
    const verdicts = {
      spam: receipt.spamVerdict?.status ?? 'PASS',
      virus: receipt.virusVerdict?.status ?? 'PASS',
      spf: receipt.spfVerdict?.status ?? 'PASS',
      dkim: receipt.dkimVerdict?.status ?? 'PASS',
      dmarc: receipt.dmarcVerdict?.status ?? 'PASS',
    };
    const result = await receiveMail(
      raw,
      { sesMessageId: mail.messageId, envelopeSender: mail.source, verdicts },
      () => clock.now(),
    );
    logger.info('mail received', { messageId: mail.messageId, ...result });
    results.push(result);
  }
  return results;
}

export const handler = middy<SESEvent>()
  .use(observed<SESEvent>((event) => event.Records[0]?.ses.mail.messageId))
  .handler(inbound);
