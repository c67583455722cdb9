import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { FunctionName } from '#functions/registry.ts';
import type { Clock } from '#shared/clock.ts';
import { putObject } from '#shared/store/files.ts';
import { addressOf, host } from './http.ts';
import type { Invoke } from './lambda.ts';

/** The stack's receipt rule: which recipients, where in S3, which function. */
export interface ReceiptRule {
  recipients: string[];
  objectKeyPrefix: string;
  fn: FunctionName;
}

/** SES matches a rule's recipient as an address, a domain, or (with a leading dot) its subdomains. */
const matches = (address: string, recipients: string[]) => {
  const lower = address.toLowerCase();
  const domain = lower.split('@')[1] ?? '';
  return (
    recipients.length === 0 ||
    recipients.some((r) => {
      const rule = r.toLowerCase();
      return rule.includes('@')
        ? rule === lower
        : rule.startsWith('.')
          ? domain.endsWith(rule)
          : rule === domain;
    })
  );
};

/**
 * SES receiving, with a real SMTP listener in front: a recipient no receipt rule names is refused;
 * each message is written to S3 under the rule's prefix, then the rule's function is invoked with
 * the SES event.
 */
export async function startInboundMail(port: number, clock: Clock, invoke: Invoke, rule: ReceiptRule) {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    // SES receives a message of at most 40 MB, headers included.
    size: 40 * 1024 * 1024,
    logger: false,
    banner: 'casework local inbound',
    onRcptTo(address, _session, callback) {
      if (matches(address.address, rule.recipients)) return callback();
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      // Past SES's 40 MB the rest is read and dropped, and the message refused at its end.
      stream.on('data', (c: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(c);
      });
      stream.on('end', async () => {
        if (stream.sizeExceeded)
          return callback(
            Object.assign(new Error('Message size exceeds fixed maximum message size (40 MB)'), {
              responseCode: 552,
            }),
          );
        try {
          const messageId = randomUUID();
          const raw = Buffer.concat(chunks);
          await putObject(`${rule.objectKeyPrefix}${messageId}`, raw, 'message/rfc822');
          await invoke(rule.fn, {
            Records: [
              {
                eventSource: 'aws:ses',
                eventVersion: '1.0',
                ses: {
                  mail: {
                    messageId,
                    source: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                    destination: session.envelope.rcptTo.map((r) => r.address),
                    timestamp: clock.now().toISOString(),
                  },
                  receipt: verdictsOf(raw),
                },
              },
            ],
          });
          callback();
        } catch (error) {
          console.error(error);
          callback(Object.assign(new Error('temporary failure, try again later'), { responseCode: 451 }));
        }
      });
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(port, host, () => resolve(addressOf(smtp.server)));
  });
  return {
    url: `smtp://${host}:${bound}`,
    stop: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/**
 * The verdicts SES would give, read from the headers a scanning relay adds (`X-SES-Spam-Verdict`,
 * `X-SES-Virus-Verdict`, `Authentication-Results`): so local mail can be spam or fail DMARC.
 */
export function verdictsOf(raw: Buffer) {
  const head = raw
    .subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')) || Math.min(raw.length, 65_536))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const auth = header('Authentication-Results').toLowerCase();
  const verdict = (failed: boolean) => ({ status: failed ? 'FAIL' : 'PASS' });
  return {
    spamVerdict: verdict(/fail/i.test(header('X-SES-Spam-Verdict'))),
    virusVerdict: verdict(/fail/i.test(header('X-SES-Virus-Verdict'))),
    spfVerdict: verdict(/\bspf=fail/.test(auth)),
    dkimVerdict: verdict(/\bdkim=fail/.test(auth)),
    dmarcVerdict: verdict(/\bdmarc=fail/.test(auth)),
  };
}
