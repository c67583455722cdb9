import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { claimInboundMessage, getCase, getUser, putTriageItem } from '../store/repository.ts';
import { applyCommand } from './cases.ts';

export type InboundOutcome =
  | { outcome: 'linked'; caseId: string }
  | { outcome: 'triaged'; reason: string }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'duplicate' };

const TOKEN = /\[ref:(\d{10})\.([0-9a-f]{12})\]/;
const SUBJECT = /^\s*(?:(?:re|aw|fw|fwd|sv)\s*:\s*)*(?:case\s*#\s*(\d{1,10})|sr#\s*(\d{1,10}))\b/i;

/** Drops quoted history: everything from the first quote marker or "On … wrote:" line. */
function trimQuoted(text: string): string {
  const lines = text.split(/\r?\n/);
  const cut = lines.findIndex(
    (line) => /^>/.test(line) || /^On .+wrote:\s*$/.test(line) || /^-{2,}\s*Original Message/i.test(line),
  );
  return (cut >= 0 ? lines.slice(0, cut) : lines).join('\n').trim();
}

/**
 * An inbound mail (SPEC §6): linked by reference token, then by subject number, only from a
 * designated contact of the case's account; otherwise to triage with the reason. One effect per
 * Message-ID.
 */
export async function receiveMail(
  raw: Buffer,
  meta: { sesMessageId: string; verdicts: string[] },
  now: () => Date,
): Promise<InboundOutcome> {
  const parsed = await simpleParser(raw);
  const messageId = parsed.messageId ?? `<sha256:${createHash('sha256').update(raw).digest('hex')}>`;
  const at = now().toISOString();
  if (!(await claimInboundMessage(messageId, at))) return { outcome: 'duplicate' };
  const from = parsed.from?.value[0]?.address?.toLowerCase() ?? '';
  const subject = parsed.subject ?? '';
  const triage = async (reason: string, outcome: 'triaged' | 'quarantined' = 'triaged') => {
    const id = createHash('sha256').update(messageId).digest('hex').slice(0, 16);
    await putTriageItem({ id, at, from, subject, reason, rawKey: `inbox/${meta.sesMessageId}` });
    return { outcome, reason } as InboundOutcome;
  };
  if (meta.verdicts.some((v) => v === 'FAIL'))
    return triage('failed SES spam, virus or authentication checks', 'quarantined');

  const text = parsed.text ?? '';
  const token = TOKEN.exec(text);
  let caseId: string | undefined;
  if (token?.[1]) {
    const c = await getCase(token[1]);
    if (c && c.ref === token[2]) caseId = c.caseId;
  }
  if (!caseId) {
    const m = SUBJECT.exec(subject);
    const n = m?.[1] ?? m?.[2];
    if (n) caseId = n.padStart(10, '0');
  }
  if (!caseId) return triage('no case reference token or case number');
  const c = await getCase(caseId);
  if (!c) return triage(`case ${caseId} does not exist`);
  const user = await getUser(from);
  if (user?.role !== 'customer' || user.grants[c.account] !== 3) {
    return triage(`sender ${from || '(none)'} is not a designated contact of the case's account`);
  }
  const note = trimQuoted(text) || '(empty message)';
  await applyCommand(
    c.caseId,
    { kind: 'customer-update', note, channel: 'mail' },
    { kind: 'contact', email: from },
    now,
  );
  return { outcome: 'linked', caseId: c.caseId };
}
