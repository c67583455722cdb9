import type { CaseRecord, MailIntent } from '../cases/model.ts';
import { policy } from '../catalogue/index.ts';

/** How a breach notice names an obligation (SPEC §10, §11). */
const OBLIGATIONS: Record<string, string> = {
  acknowledgeChange: 'change-request acknowledgement (1 BD)',
  decideChange: 'change-request decision (2 BD)',
  postMortem: 'post-mortem (2 BD after restoration)',
  incidentReport: 'incident report (3 BD after the post-mortem)',
};

/**
 * A value fit for a mail header: control characters (CR and LF above all, which would start a
 * header of the sender's choosing: `Bcc:`) and Unicode line separators become spaces.
 */
export const headerValue = (value: string) =>
  value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/** The case reference token every outbound case mail carries (SPEC §6): case number and secret. */
export const referenceToken = (c: Pick<CaseRecord, 'number' | 'ref'>) => `[ref:${c.number}.${c.ref}]`;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** Mail the system sends on its own carries `Auto-Submitted: auto-generated`. */
  automated: boolean;
  /** An automatic answer to a mail carries `Auto-Submitted: auto-replied` instead. */
  autoReplied?: boolean;
}

interface Template {
  subject: string;
  /** Paragraphs of the body; the text and HTML parts are both rendered from these. */
  body: string[];
  automated: boolean;
}

const ACTION_REQUESTED = {
  'provide-information': 'Please provide the information requested so that we can continue.',
  'accept-or-reject-solution':
    'Please tell us whether the proposed solution resolves the problem: accept or reject it.',
} as const;

function template(mail: MailIntent, c: CaseRecord, caseUrl: string): Template {
  const title = `Case # ${c.number}: ${c.subject}`;
  switch (mail.kind) {
    case 'confirmation':
      return {
        subject: `${title} (opened)`,
        automated: true,
        body: [
          `We have opened case ${c.number} for you.`,
          `Product: ${c.product}${c.version ? ` ${c.version}` : ''}\nSeverity: ${c.severity}\nStatus: ${c.status}/${c.subStatus}`,
          `You can follow and update the case at ${caseUrl}, or reply to this e-mail.`,
        ],
      };
    case 'info-requested':
      return {
        subject: `${title} (information requested)`,
        automated: false,
        body: [mail.note ?? '', ACTION_REQUESTED['provide-information'], `Case: ${caseUrl}`],
      };
    case 'solution-proposed':
      return {
        subject: `${title} (solution proposed)`,
        automated: false,
        body: [mail.note ?? '', ACTION_REQUESTED['accept-or-reject-solution'], `Case: ${caseUrl}`],
      };
    case 'reminder':
      return {
        subject: `${title} (reminder ${mail.reminder ?? ''})`.replace(' )', ')'),
        automated: true,
        body: [
          `Case ${c.number} is waiting for you.`,
          c.followUp ? ACTION_REQUESTED[c.followUp.action] : '',
          `Without an answer the case will be closed automatically. Case: ${caseUrl}`,
        ],
      };
    case 'response':
      return {
        subject: `${title} (update from support)`,
        automated: false,
        body: [mail.note ?? '', `Case: ${caseUrl}`],
      };
    case 'closed':
      return {
        subject: `${title} (closed)`,
        automated: true,
        body: [
          `Case ${c.number} is closed (${c.subStatus}).`,
          mail.note ? `Closure comment: ${mail.note}` : '',
          `Please tell us how we did: ${caseUrl}/survey (six questions, open for ${policy.windows.surveyDays} days).`,
          `You may reopen the case within ${policy.windows.reopenDays} days with new information at ${caseUrl}.`,
        ],
      };
    case 'reopened':
      return {
        subject: `${title} (reopened)`,
        automated: true,
        body: [
          `Case ${c.number} is open again.`,
          mail.note ? `New information: ${mail.note}` : '',
          `Case: ${caseUrl}`,
        ],
      };
    case 'escalation':
      return {
        subject: `Escalation level ${mail.level ?? 1}: Case # ${c.number} (${c.severity}) for ${c.account}`,
        automated: true,
        body: [
          `Customer: ${c.account}, contact ${c.contact}${c.contactPhone ? `, ${c.contactPhone}` : ''}`,
          `Case: ${c.number}, ${c.status}/${c.subStatus}, severity ${c.severity}`,
          `Product: ${c.product}${c.version ? ` ${c.version}` : ''}`,
          `Summary: ${c.subject}`,
          `Description: ${c.description}`,
          `Reason for escalation: ${mail.note ?? ''}`,
          `Critical dates: opened ${c.createdAt}${c.completedAt ? `, complete ${c.completedAt}` : ''}${c.restoredAt ? `, restored ${c.restoredAt}` : ''}`,
          `Expectations: ${c.businessImpact ?? 'see the case'}`,
          `Case: ${caseUrl}`,
        ],
      };
    case 'sla-breach': {
      const what = OBLIGATIONS[mail.target ?? ''] ?? `${mail.target} target`;
      return {
        subject: `SLA breach: Case # ${c.number} ${what} (${c.plan}, ${c.severity})`,
        automated: true,
        body: [`The ${what} of case ${c.number} for ${c.account} was breached.`, `Case: ${caseUrl}`],
      };
    }
    case 'closed-no-response':
      return {
        subject: `${title} (closed: no response)`,
        automated: true,
        body: [
          `We closed case ${c.number} because we did not hear back from you.`,
          `You may reopen it within 30 days with new information at ${caseUrl}; its files are kept for 30 days.`,
        ],
      };
  }
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );

/** Where a mail's links lead: the customer portal, or the engineers' console for the desk's own people. */
export interface SiteUrls {
  portalUrl: string;
  consoleUrl: string;
}

/** Mails to the desk's own managers (escalations, SLA breaches): their link opens the console. */
const INTERNAL_MAILS: ReadonlySet<MailIntent['kind']> = new Set(['escalation', 'sla-breach']);

/** Renders one outbound mail: a text and an HTML part from one template, with the reference token. */
export function renderMail(mail: MailIntent, c: CaseRecord, sites: SiteUrls): RenderedMail {
  const caseUrl = INTERNAL_MAILS.has(mail.kind)
    ? `${sites.consoleUrl}/#/case/${c.number}`
    : `${sites.portalUrl}/cases/${c.number}`;
  const t = template(mail, c, caseUrl);
  const paragraphs = [
    ...t.body.filter(Boolean),
    `Reference: ${referenceToken(c)} (please keep this line when you reply)`,
  ];
  return {
    subject: t.subject,
    automated: t.automated,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html><body>${paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('')}</body></html>`,
  };
}
