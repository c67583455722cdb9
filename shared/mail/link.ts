/**
 * What an inbound mail says about where it belongs and whether it may be answered (SPEC §6).
 * Pure: headers and text in, facts out.
 */

/** The reference token of outbound case mail: `[ref:<10-digit case number>.<12 hex secret>]`. */
const TOKEN = /\[ref:(\d{10})\.([0-9a-f]{12})\]/i;

/** `Case # 1234567890` anywhere in the subject ("the subject line must contain…", SPEC §6). */
const CASE_IN_SUBJECT = /(?<![\p{L}\p{N}])case\s+#\s*(\d{1,10})(?!\d)/iu;
/** `SR# 12345` only at the start of the subject, after reply/forward prefixes. */
const SR_AT_START =
  /^\s*(?:(?:re|aw|fw|fwd|wg|sv|vs|antw|r|tr)\s*(?:\[\d+\])?\s*:\s*)*sr\s*#\s*(\d{1,10})(?!\d)/i;

export interface TokenRef {
  caseId: string;
  secret: string;
}

export function referenceToken(text: string): TokenRef | null {
  const m = TOKEN.exec(text);
  return m?.[1] && m[2] ? { caseId: m[1], secret: m[2].toLowerCase() } : null;
}

export function subjectCaseNumber(subject: string): string | null {
  const n = CASE_IN_SUBJECT.exec(subject)?.[1] ?? SR_AT_START.exec(subject)?.[1];
  return n ? n.padStart(10, '0') : null;
}

/** Message-IDs a reply names: its `In-Reply-To` and `References`. */
export function referencedMessageIds(
  inReplyTo: string | undefined,
  references: string | string[] | undefined,
): string[] {
  const all = [inReplyTo ?? '', ...(Array.isArray(references) ? references : [references ?? ''])].join(' ');
  return [...new Set(all.match(/<[^<>\s]+>/g) ?? [])];
}

export type HeaderLookup = (name: string) => string | undefined;

/**
 * Mail that must never get an automatic answer: auto-submitted, bulk or list mail, autoreplies,
 * bounces (null or MAILER-DAEMON sender). Two systems answering each other would loop forever.
 */
export function isAutomated(header: HeaderLookup, sender: string): string | null {
  const autoSubmitted = header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header('precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  if (header('x-autoreply') !== undefined) return 'X-Autoreply';
  if (header('x-autorespond') !== undefined) return 'X-Autorespond';
  if (header('x-auto-response-suppress') !== undefined) return 'X-Auto-Response-Suppress';
  if (header('list-id') !== undefined) return 'List-Id';
  const local = sender.split('@')[0]?.toLowerCase() ?? '';
  if (!sender || ['mailer-daemon', 'postmaster'].includes(local)) return 'null or MAILER-DAEMON sender';
  if (/multipart\/report/i.test(header('content-type') ?? '')) return 'delivery status report';
  return null;
}

/**
 * SES receipt verdicts (SPEC §6): spam or virus found, or a failed DMARC check (or SPF and DKIM
 * both failed, where no DMARC verdict is given) quarantines the mail.
 */
export function quarantineReason(verdicts: {
  spam: string;
  virus: string;
  spf: string;
  dkim: string;
  dmarc: string;
}): string | null {
  if (verdicts.virus === 'FAIL') return 'virus found';
  if (verdicts.spam === 'FAIL') return 'marked as spam';
  if (verdicts.dmarc === 'FAIL') return 'failed DMARC';
  if (verdicts.spf === 'FAIL' && verdicts.dkim === 'FAIL') return 'failed SPF and DKIM';
  return null;
}
