import { createHash } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import { type ParsedMail, simpleParser } from 'mailparser';
import { mayOnCase } from '../cases/access.ts';
import type { StoredCase } from '../cases/model.ts';
import type { User } from '../catalogue/accounts.ts';
import { planNamed } from '../catalogue/index.ts';
import { config } from '../config.ts';
import { conflict, DomainError, forbidden, notFound } from '../errors.ts';
import { safeContentType, safeFileName } from '../files/names.ts';
import {
  isAutomated,
  quarantineReason,
  referencedMessageIds,
  referenceToken,
  subjectCaseNumber,
} from '../mail/link.ts';
import { headerValue } from '../mail/render.ts';
import { getCase, getCaseAndUser } from '../store/cases.ts';
import { putFileRecord } from '../store/file-records.ts';
import { fileKey, putObject } from '../store/files.ts';
import {
  caseOfMessageId,
  claimAutoReply,
  claimTriageLink,
  getTriageItem,
  inboundDone,
  markInboundDone,
  markTriageLinked,
  putTriageItem,
  releaseTriageLink,
} from '../store/inbound.ts';
import { sendMail } from '../store/mailer.ts';
import { applyCommand } from './cases.ts';

export type InboundOutcome =
  | { outcome: 'linked'; caseId: string; attachments: number }
  | { outcome: 'triaged'; reason: string; autoReply: boolean }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'duplicate' };

export interface Receipt {
  /** The SES message id: the raw mail is in S3 under `inbox/<it>`. */
  sesMessageId: string;
  /** The envelope sender (SMTP `MAIL FROM`): empty for a bounce, whatever its From says. */
  envelopeSender?: string;
  verdicts: { spam: string; virus: string; spf: string; dkim: string; dmarc: string };
}

/** Quoted history trimmed by a maintained reply parser (GitHub's EmailReplyParser rules). */
export function replyText(text: string): string {
  return new EmailReplyParser().parseReply(text).trim();
}

const idOf = (messageId: string) => createHash('sha256').update(messageId).digest('hex').slice(0, 20);

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Identifiers become keys (DynamoDB's limit is 2 KB): a long or missing one is replaced by a hash. */
const MAX_ID = 250;

function messageIdOf(messageId: string | undefined, raw: Buffer): string {
  if (!messageId) return `<sha256.${sha256(raw)}@casework.invalid>`;
  return messageId.length <= MAX_ID ? messageId : `<sha256.${sha256(messageId)}@casework.invalid>`;
}

/** A mail the parser refuses (nested too deep, broken beyond repair): triaged with the reason. */
async function parse(raw: Buffer): Promise<ParsedMail | Error> {
  try {
    return await simpleParser(raw, { skipHtmlToText: false, skipTextLinks: true });
  } catch (error) {
    return error as Error;
  }
}

/**
 * Where a mail belongs: a case, with the sender's user read in the same round trip, or why none
 * (SPEC §6 order: token, Message-ID, subject).
 */
async function findCase(
  parsed: ParsedMail,
  text: string,
  from: string,
): Promise<{ c: StoredCase; user?: User; via: string } | { reason: string }> {
  const token = referenceToken(text) ?? referenceToken(parsed.subject ?? '');
  if (token) {
    const { c, user } = await getCaseAndUser(token.caseId, from);
    if (c && c.ref === token.secret) return { c, user, via: 'reference token' };
    return { reason: 'the reference token matches no case' };
  }
  for (const id of referencedMessageIds(parsed.inReplyTo, parsed.references).filter(
    (i) => i.length <= MAX_ID,
  )) {
    const caseId = await caseOfMessageId(id);
    const { c, user } = caseId ? await getCaseAndUser(caseId, from) : {};
    if (c) return { c, user, via: 'In-Reply-To/References' };
  }
  const number = subjectCaseNumber(parsed.subject ?? '');
  if (!number) return { reason: 'no case reference: e-mail cannot open cases' };
  const { c, user } = await getCaseAndUser(number, from);
  if (!c) return { reason: `case ${number} named in the subject does not exist` };
  if (planNamed(c.plan).mailRequiresToken)
    return { reason: `the plan of case ${number} requires the reference token, not only the subject` };
  return { c, user, via: 'subject' };
}

async function autoReply(to: string, subject: string, reason: string, now: Date): Promise<boolean> {
  if (!(await claimAutoReply(to, now))) return false;
  const text = `Thank you for your message "${subject}".\n\nWe could not add it to a support case (${reason}). E-mail can update existing cases only; please open or update your case on the support portal: ${config.portalUrl}\n\nThis is an automatic answer, sent at most once a day.\n`;
  await sendMail(to, {
    subject: `Re: ${subject}`.slice(0, 200),
    text,
    html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n\n/g, '</p><p>')}</p>`,
    automated: true,
    autoReplied: true,
  });
  return true;
}

/**
 * An inbound mail (SPEC §6): quarantined on bad verdicts; linked by reference token, recorded
 * Message-ID, then subject number, only from a designated contact of the case's account;
 * otherwise triaged with the reason and, unless automated, answered once. Any number of deliveries
 * of one Message-ID have one effect.
 */
export async function receiveMail(raw: Buffer, receipt: Receipt, now: () => Date): Promise<InboundOutcome> {
  const parsed = await parse(raw);
  const messageId = messageIdOf(parsed instanceof Error ? undefined : parsed.messageId, raw);
  if (await inboundDone(messageId)) return { outcome: 'duplicate' };
  const at = now().toISOString();
  const rawKey = `inbox/${receipt.sesMessageId}`;
  const finish = async (outcome: InboundOutcome) => {
    await markInboundDone(messageId, { ...outcome }, at);
    return outcome;
  };
  if (parsed instanceof Error) {
    const reason = `the mail could not be read: ${parsed.message}`.slice(0, 500);
    await putTriageItem({ id: idOf(messageId), at, from: '', subject: '', rawKey, messageId, reason });
    return finish({ outcome: 'triaged', reason, autoReply: false });
  }
  const address = (parsed.from?.value[0]?.address ?? '').toLowerCase();
  // An address longer than any real one (254) is no one's: nothing is looked up or answered.
  const from = address.length <= 254 ? address : '';
  const subject = headerValue(parsed.subject ?? '').slice(0, 500);
  const base = { id: idOf(messageId), at, from, subject, rawKey, messageId };

  const quarantine = quarantineReason(receipt.verdicts);
  if (quarantine) {
    await putTriageItem({ ...base, reason: `quarantined: ${quarantine}`, quarantined: true });
    return finish({ outcome: 'quarantined', reason: quarantine });
  }

  const automated = isAutomated((name) => headerText(parsed, name), from, receipt.envelopeSender);
  const triage = async (reason: string) => {
    // The start of the message, for the engineer who decides where it belongs (quarantined mail has none).
    await putTriageItem({ ...base, reason, text: (parsed.text ?? '').trim().slice(0, 2_000) });
    const answered = !automated && (await autoReply(from, subject || '(no subject)', reason, now()));
    return finish({ outcome: 'triaged', reason, autoReply: answered });
  };

  // An out-of-office or other automatic mail is not the customer answering: it never moves a case.
  if (automated) return triage(`automatic mail (${automated})`);
  const text = parsed.text ?? '';
  const found = await findCase(parsed, text, from);
  if ('reason' in found) return triage(found.reason);
  const { c, user } = found;
  if (!user || !mayOnCase(user, 'customer', c)) {
    return triage(
      `the sender ${from || '(none)'} is not a designated contact of the account of case ${c.number}`,
    );
  }
  if (c.status === 'Closed')
    return triage(`case ${c.number} is closed: reopen it on the portal with the new information`);
  return finish(await linkToCase(c, parsed, messageId, from, now));
}

/** Adds a mail to a case: the reply text (internal until published) and its attachments as case files. */
async function linkToCase(
  c: StoredCase,
  parsed: ParsedMail,
  messageId: string,
  from: string,
  now: () => Date,
): Promise<InboundOutcome> {
  const fileBase = idOf(messageId);
  let count = 0;
  for (const [i, attachment] of (parsed.attachments ?? []).entries()) {
    if (attachment.related) continue; // inline images of the HTML body
    const fileId = `m${fileBase}${i}`;
    const name = safeFileName(
      typeof attachment.filename === 'string' ? attachment.filename : `attachment-${i + 1}`,
    );
    const key = fileKey(c.caseId, fileId, name);
    const contentType = safeContentType(attachment.contentType);
    await putObject(key, attachment.content, contentType);
    await putFileRecord({
      fileId,
      caseId: c.caseId,
      name,
      key,
      size: attachment.size,
      contentType,
      sha256: createHash('sha256').update(attachment.content).digest('hex'),
      source: 'mail',
      status: 'uploaded',
      createdAt: now().toISOString(),
    });
    count++;
  }
  const note =
    replyText(parsed.text ?? '') ||
    (count ? `(${count} attachment${count > 1 ? 's' : ''})` : '(empty message)');
  await applyCommand(
    c.caseId,
    { kind: 'customer-update', note: note.slice(0, 20_000), channel: 'mail', mailId: messageId },
    { kind: 'contact', email: from },
    now,
    undefined,
    undefined,
    c,
  );
  return { outcome: 'linked', caseId: c.caseId, attachments: count };
}

function headerText(parsed: ParsedMail, name: string): string | undefined {
  // mailparser folds every List-* header into one `list` header: `{ id: …, unsubscribe: … }`.
  if (name.startsWith('list-')) {
    const list = parsed.headers.get('list') as Record<string, unknown> | undefined;
    return list && Object.hasOwn(list, name.slice(5)) ? JSON.stringify(list[name.slice(5)]) : undefined;
  }
  const value = parsed.headers.get(name);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  // Address headers come parsed: their text (`<>` reads as empty).
  if (value && typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  if (value && typeof value === 'object' && 'value' in value)
    return String((value as { value: unknown }).value);
  return String(value);
}

/**
 * An engineer links a triaged mail to a case (SPEC §6): once; quarantined mail never. The link
 * is claimed on the triage item first (one case wins however many engineers link at once), then
 * made: a retry to the same case completes it, the mail's id making the case change once.
 */
export async function linkTriagedMail(
  id: string,
  caseId: string,
  engineer: string,
  raw: (key: string) => Promise<Buffer>,
  now: () => Date,
) {
  const item = await getTriageItem(id);
  if (!item) throw notFound(`no triaged mail ${id}`);
  if (item.quarantined) throw forbidden('quarantined mail is never linked');
  if (item.linkedTo && item.linkedTo !== caseId)
    throw conflict(`mail ${id} is already linked to case ${item.linkedTo}`);
  const c = await getCase(caseId);
  if (!c) throw notFound(`case ${caseId} not found`);
  if (!(await claimTriageLink(id, c.caseId, engineer, now().toISOString()))) {
    const linked = await getTriageItem(id);
    throw conflict(`mail ${id} is already linked to case ${linked?.linkedTo}`);
  }
  const parsed = await simpleParser(await raw(item.rawKey));
  // Applied as the case contact's update, marked with who linked it; internal until published.
  try {
    await applyCommand(
      c.caseId,
      {
        kind: 'customer-update',
        note: `${replyText(parsed.text ?? '') || '(empty message)'}\n\n(mail from ${item.from}, linked by ${engineer})`,
        channel: 'mail',
        mailId: item.messageId,
      },
      { kind: 'contact', email: c.contact },
      now,
    );
  } catch (error) {
    // The case refuses the mail (closed, say): the claim goes, so it can be linked elsewhere or dismissed.
    if (error instanceof DomainError) await releaseTriageLink(id, c.caseId);
    throw error;
  }
  await markTriageLinked(id, c.caseId);
  return c.caseId;
}
