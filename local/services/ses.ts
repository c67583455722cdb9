import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Clock } from '#shared/clock.ts';
import { addressOf, close, host, type Service, send } from '../http.ts';
import { REGION } from '../lambda.ts';
import type { Iam } from './iam.ts';
import { startSignedFront } from './signed-front.ts';

interface StoredMail {
  /** When it was sent, in seconds: the mail viewer shows it. */
  at: number;
  [field: string]: unknown;
}

interface SesStore {
  saveEmail: (mail: StoredMail) => void;
  clearStore: () => void;
  getStoreReadonly: () => { emails: StoredMail[] };
}

type StartSes = (config: object) => Promise<Server>;

/** The emulator's own `clearStore`, before a start (of this process) replaced it. */
let originalClear: SesStore['clearStore'] | undefined;

/**
 * SES v2: aws-ses-v2-local and its mail viewer. The emulator keeps sent mail in module memory and
 * stamps it with the machine's time; here each mail is stamped with the virtual clock and kept in
 * `<dataDir>/ses/sent.jsonl`, so the viewer shows business dates and keeps mail across restarts.
 * The viewer's pages are open; the SES API takes only signed requests.
 */
export async function startSes(
  port: number,
  dataDir: string,
  clock: Clock,
  sandbox?: SesSandbox,
  iam?: Iam,
): Promise<Service & { mailViewer: string; deliver: (mail: DeliveredMail) => void }> {
  // A CommonJS module: its export sits one `default` deeper under Node than under a bundler.
  const sesModule = (await import('aws-ses-v2-local')) as unknown as {
    default: StartSes | { default: StartSes };
  };
  const start = typeof sesModule.default === 'function' ? sesModule.default : sesModule.default.default;
  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesStore;

  const file = path.join(dataDir, 'ses', 'sent.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  originalClear ??= store.clearStore;
  const clear = originalClear;
  clear();
  const { emails } = store.getStoreReadonly();
  if (existsSync(file))
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean))
      emails.push(JSON.parse(line) as StoredMail);
  // The senders call `store.saveEmail` through the module's exports, so replacing it takes effect.
  store.saveEmail = (mail) => {
    mail.at = Math.floor(clock.now().getTime() / 1000);
    appendFileSync(file, `${JSON.stringify(mail)}\n`);
    store.getStoreReadonly().emails.push(mail);
  };
  // The viewer's "clear" empties the kept mail too.
  store.clearStore = () => {
    clear();
    writeFileSync(file, '');
  };

  const server = await start({ host, port: 0 });
  const front = await startSignedFront({
    iam,
    port,
    backend: addressOf(server),
    service: 'ses',
    protocol: 'rest-json',
    open: (req) => req.method === 'GET' || req.url === '/clear-store',
    answer: (req, body, res) =>
      suppressionListAnswer(req, res) || (!!sandbox && sandboxRefusal(sandbox)(req, body, res)),
  });
  return {
    url: front.url,
    server: front.server,
    mailViewer: `${front.url}/`,
    // Mail AWS sends for the stack without SES's API (Cognito's invitations), into the same store.
    deliver: ({ from, to, subject, html }) =>
      store.saveEmail({
        messageId: randomUUID(),
        from,
        replyTo: [],
        destination: { to: [to], cc: [], bcc: [] },
        subject,
        body: { html, text: html.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]*>/g, '') },
        attachments: [],
        at: 0,
      }),
    stop: async () => {
      await front.stop();
      await close(server);
    },
  };
}

/**
 * SES's account-level suppression list, which the emulator lacks. Locally no mail bounces, so no
 * address is ever on it: taking one off answers as SES does for an address not listed.
 */
function suppressionListAnswer(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const prefix = '/v2/email/suppression/addresses/';
  if (req.method !== 'DELETE' || !path.startsWith(prefix)) return false;
  const address = decodeURIComponent(path.slice(prefix.length));
  send(
    res,
    404,
    { message: `Email address (${address}) does not exist on your suppression list.` },
    {
      'x-amzn-errortype': 'NotFoundException',
    },
  );
  return true;
}

/** A mail delivered into the local mail store without SES's API. */
export interface DeliveredMail {
  from: string;
  to: string;
  subject: string;
  html: string;
}

/** An account in SES's sandbox: mail goes only to verified identities (addresses or domains). */
export interface SesSandbox {
  verified: string[];
}

/** SES v2 `SendEmail`'s recipients: To, Cc and Bcc. */
const recipientsOf = (request: { Destination?: Record<string, string[] | undefined> }) =>
  ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((k) => request.Destination?.[k] ?? []);

/**
 * SES's sandbox rule: a `SendEmail` to an unverified recipient is refused with SES's own error
 * (400 `MessageRejected`), as on an account without production access.
 */
function sandboxRefusal(sandbox: SesSandbox) {
  const verified = (address: string) => {
    const a = address.toLowerCase();
    return sandbox.verified.some((v) => a === v.toLowerCase() || a.endsWith(`@${v.toLowerCase()}`));
  };
  return (req: IncomingMessage, body: Buffer, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails') return false;
    let refused: string[] = [];
    try {
      refused = recipientsOf(JSON.parse(body.toString())).filter((a) => !verified(a));
    } catch {}
    if (!refused.length) return false;
    const message = `Email address is not verified. The following identities failed the check in region ${REGION.toUpperCase()}: ${refused.join(', ')}`;
    send(res, 400, { message }, { 'x-amzn-errortype': 'MessageRejected' });
    return true;
  };
}
