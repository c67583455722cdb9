import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { accessLevel, authorizeOnCase, mayOnAccount, mayOnCase } from '../cases/access.ts';
import { complianceChanges, complianceShareOf, tallyOf } from '../cases/compliance.ts';
import {
  type CaseRecord,
  type FeatureRequest,
  isCritical,
  type MailClaim,
  type NewCaseInput,
  type OutboxEntry,
  type StoredCase,
} from '../cases/model.ts';
import { nextDueAt, obligationsOf, slaStatus } from '../cases/sla.ts';
import { type Command, type Decision, decide } from '../cases/transitions.ts';
import type { Account, User } from '../catalogue/accounts.ts';
import { planNamed, policy } from '../catalogue/index.ts';
import { config } from '../config.ts';
import { conflict, forbidden, invalid, notFound, refused } from '../errors.ts';
import { renderMail } from '../mail/render.ts';
import { countBreaches, logger } from '../observability.ts';
import { claimGracePeriod, getAccount } from '../store/accounts.ts';
import { caseIndexKeys, changedIndexKeys } from '../store/case-index.ts';
import {
  getCase,
  insertCase,
  mailReceived,
  recordMailReceived,
  recordMailSent,
  removeOutboxEntries,
  saveCase,
} from '../store/cases.ts';
import { addToCounter } from '../store/compliance.ts';
import { allocateCaseNumber } from '../store/counters.ts';
import { claimIdempotencyKey } from '../store/idempotency.ts';
import { recordOutboundMessageId } from '../store/inbound.ts';
import { sendMail, type UndeliverableAddress, undeliverable } from '../store/mailer.ts';
import { claimFor, claimMail, completeMail, releaseMail, setMailAside } from '../store/outbox.ts';
import { putSearchItems } from '../store/search.ts';
import { publishTimelineMail, putTimelineEntry } from '../store/timeline.ts';
import { signalCaseWorkflow, startCaseWorkflow } from '../store/workflow.ts';

/** Who is calling, resolved from the verified token's e-mail claim. */
export type Caller = User;

/**
 * The case, if the caller may read it. Anything else is 404, whether the case exists or not, so
 * that nobody learns of another account's cases.
 */
export async function readableCase(caller: Caller, number: string): Promise<StoredCase> {
  const c = await getCase(number);
  if (!c) throw notFound(`case ${number} not found`);
  authorizeOnCase(caller, 'read', c);
  return c;
}

/** The case, if the caller may change it: 404 when unreadable, 403 when read-only. */
export async function writableCase(caller: Caller, number: string): Promise<StoredCase> {
  const c = await readableCase(caller, number);
  authorizeOnCase(caller, 'write', c);
  return c;
}

const sequence = (revision: number, kind: string, i: number) =>
  `${String(revision).padStart(6, '0')}-${kind}${i}`;

/**
 * A change's side effects; its mails claimed by `holder`, the writer, from the write that saves
 * them, or left unclaimed for the workflow to send.
 */
function effectsOf(
  revision: number,
  decision: Pick<Decision, 'timeline' | 'mails'>,
  holder: MailClaim | undefined,
  signal = false,
): Record<string, OutboxEntry> {
  const effects: Record<string, OutboxEntry> = {};
  // Sorted last: the workflow wakes once the change's other effects are done.
  if (signal) effects[sequence(revision, 'z', 0)] = { type: 'signal' };
  decision.timeline.forEach((entry, i) => {
    effects[sequence(revision, 't', i)] = { type: 'timeline', entry };
  });
  decision.mails.forEach((mail, i) => {
    const id = sequence(revision, 'm', i);
    effects[id] = { type: 'mail', mail: { ...mail, id }, ...(holder ? { claim: holder } : {}) };
  });
  return effects;
}

/**
 * Completes a change's side effects; safe to run any number of times, concurrently or after a crash.
 * The workflow runs it as it wakes (`awake`: no need to signal itself), from the case it just read.
 * False when a mail could not reach SES and was given back for a retry.
 */
export async function flushOutbox(
  caseId: string,
  now: Date,
  holder: string = randomUUID(),
  { awake = false, read }: { awake?: boolean; read?: StoredCase } = {},
): Promise<boolean> {
  const c = read ?? (await getCase(caseId));
  if (!c) return true;
  let allSent = true;
  // Timeline items and signals are idempotent, so finished ones are taken off together: before the
  // signal (sorted last), so that the woken workflow finds nothing left to redo, and after it. A
  // mail goes out only under its claim, and its entry leaves the outbox with its own write.
  let done: string[] = [];
  const entries = Object.entries(c.outbox ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const held = new Set(
    entries.filter(([, e]) => e.type === 'mail' && e.claim?.by === holder).map(([id]) => id),
  );
  try {
    for (const [id, effect] of entries) {
      if (effect.type === 'timeline') await putTimelineEntry(caseId, id, effect.entry);
      else if (effect.type === 'search') await putSearchItems(c);
      else if (effect.type === 'mail-received') await recordMailReceived(caseId, effect.messageId, effect.at);
      else if (effect.type === 'count') {
        const { tally, labels } = tallyOf(effect.share, effect.sign);
        await addToCounter(`${caseId}#${id}`, effect.share, tally, labels);
      } else if (effect.type === 'signal') {
        if (awake) {
          done.push(id);
          continue;
        }
        await removeOutboxEntries(caseId, done);
        done = [];
        await signalCaseWorkflow(caseId);
      } else {
        if (!held.has(id)) {
          if (!(await claimMail(caseId, id, claimFor(holder, now), now))) continue;
          held.add(id);
        }
        if (!(await sendOutboxMail(c, id, effect, holder, now))) allSent = false;
        held.delete(id);
        continue;
      }
      done.push(id);
    }
    await removeOutboxEntries(caseId, done);
    return allSent;
  } finally {
    // Failing before its mails went out, a writer gives their claims back: a retry sends them at once.
    for (const id of held) await releaseMail(caseId, id, holder).catch(() => {});
  }
}

/**
 * When the outbox next needs the workflow: a set-aside mail's retry, a holder's lease running
 * out, or soon for a mail given back because SES was out of reach.
 */
export function outboxDueAt(c: StoredCase, now: Date): Date | null {
  const due = Object.values(c.outbox ?? {}).flatMap((e) => {
    if (e.type !== 'mail') return [];
    if (e.claim) return [Date.parse(e.claim.until)];
    return [e.setAside ? Date.parse(e.setAside.nextAt) : now.getTime() + 60_000];
  });
  return due.length ? new Date(Math.min(...due)) : null;
}

/** The mails SES refused, waiting to be tried again (engineers see them on the case). */
const unsentMails = (c: StoredCase) =>
  Object.values(c.outbox ?? {}).flatMap((e) =>
    e.type === 'mail' && e.setAside
      ? [{ id: e.mail.id, kind: e.mail.kind, to: e.mail.to, ...e.setAside }]
      : [],
  );

/**
 * Mail to an address SES reported as bouncing for good, or whose owner complained: SES would
 * accept the mail and drop it (the configuration set suppresses the address), so the desk sets it
 * aside instead, where engineers see it and reach the person another way.
 */
class SuppressedAddress extends Error {
  override name = 'UndeliverableAddress';
  constructor({ address, reason, at }: UndeliverableAddress) {
    super(
      `${address} is suppressed since ${at} (${reason === 'complaint' ? 'its owner marked our mail as spam' : 'a permanent bounce'})`,
    );
  }
}

/**
 * SES refusing a mail for good (4xx other than throttling), or the desk holding it back for a
 * suppressed address: retrying at once would not help.
 */
const isRefusal = (error: unknown) => {
  if (error instanceof SuppressedAddress) return true;
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    status >= 400 &&
    status < 500 &&
    !['TooManyRequestsException', 'LimitExceededException'].includes(name ?? '')
  );
};

/** SPEC is silent: a refused mail is tried again after 15 minutes, doubling up to once a day. */
const retryDelayMs = (attempts: number) => Math.min(15 * 60_000 * 2 ** (attempts - 1), 86_400_000);

/** A write after SES accepted a mail: the mail is sent whatever happens, so it is tried again. */
async function persist<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Sends one claimed outbox mail; a mail SES refuses is set aside, never failing the change. False
 * when SES could not be reached (the claim is given back).
 */
async function sendOutboxMail(
  c: StoredCase,
  id: string,
  effect: Extract<OutboxEntry, { type: 'mail' }>,
  holder: string,
  now: Date,
): Promise<boolean> {
  const { mail } = effect;
  let messageId: string;
  try {
    const mark = await undeliverable(mail.to);
    if (mark) throw new SuppressedAddress({ address: mail.to, ...mark });
    messageId = await sendMail(mail.to, renderMail(mail, c, config));
  } catch (error) {
    logger.warn('mail not sent', { caseNumber: c.number, mail: id, error: (error as Error).message });
    if (!isRefusal(error)) {
      await releaseMail(c.caseId, id, holder);
      return false;
    }
    const attempts = (effect.setAside?.attempts ?? 0) + 1;
    const aside = {
      since: effect.setAside?.since ?? now.toISOString(),
      attempts,
      nextAt: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
      error: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500),
    };
    await setMailAside(c.caseId, id, holder, aside);
    if (attempts === 1) {
      await putTimelineEntry(c.caseId, `${id}-unsent`, {
        at: now.toISOString(),
        kind: 'mail-unsent',
        visibility: 'internal',
        actor: 'system',
        text: `The ${mail.kind} mail to ${mail.to} could not be sent (${aside.error}); it is tried again from ${aside.nextAt}.`,
      });
    }
    return true;
  }
  // SES sets the Message-ID header to <its id@its domain>: a reply names it in In-Reply-To.
  for (const domain of [`${process.env.AWS_REGION ?? 'us-east-1'}.amazonses.com`, 'email.amazonses.com']) {
    await persist(() => recordOutboundMessageId(`<${messageId}@${domain}>`, c.caseId));
  }
  await persist(() => recordMailSent(c.caseId, mail.id, messageId, now.toISOString()));
  await persist(() => completeMail(c.caseId, id, holder));
  return true;
}

const hashOf = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

/** The day (UTC, `YYYY-MM-DD`) of an instant: contracts and grace periods are counted in days. */
const dayOf = (instant: Date) => instant.toISOString().slice(0, 10);

/** Whether the account's contract, or its grace period, covers the day of `now` (UTC). */
export const contractActiveOn = (account: Account, now: Date) => {
  const day = dayOf(now);
  const contract = account.contract.start <= day && day <= account.contract.end;
  return contract || (!!account.grace && day <= account.grace.until);
};

/** SPEC §2: the SLA clock starts only once description, severity and circumstances are all there. */
const isComplete = (input: NewCaseInput) => !!(input.description && input.severity && input.circumstances);

/** What cloud cases also carry, optionally (SPEC §2). */
const CLOUD_CASE_FIELDS = ['frequency', 'firstObservedAt', 'usersWorkingHours', 'usersLocation'] as const;

/** Opens a case (SPEC §2), once per idempotency key. */
export async function openCase(
  caller: Caller,
  input: NewCaseInput,
  now: Date,
  idempotencyKey?: string,
): Promise<{ case: StoredCase; created: boolean }> {
  const account = accessLevel(caller, input.account) ? await getAccount(input.account) : undefined;
  if (!account) throw forbidden(`no access to account "${input.account}"`);
  if (!mayOnAccount(caller, 'open-case', account.id))
    throw forbidden('read-only access: only designated contacts may open cases');
  const plan = planNamed(account.plan);
  const cloudField = CLOUD_CASE_FIELDS.find((field) => input[field] !== undefined);
  if (cloudField && !plan.cloud) throw invalid(cloudField, 'carried by cloud cases only');
  const product = account.products.find((p) => p.toLowerCase() === input.product.trim().toLowerCase());
  if (!product)
    throw invalid(
      'product',
      `account ${account.id} is entitled to support for ${account.products.join(', ')}`,
    );

  let severity = input.severity;
  let criticalRequested = false;
  if (isCritical(severity) && !mayOnCase(caller, 'support', input)) {
    if (plan.criticalFromCustomer === 'refuse') {
      throw refused(
        'critical cases cannot be opened from the portal: open the case as high severity and call support, who will raise it',
        'severity',
      );
    }
    severity = 'high';
    criticalRequested = true;
  }

  const hash = hashOf(input);
  // A number first, then the key claimed for it: a retry finds the key's case (and skips a number).
  let caseId = await allocateCaseNumber();
  let stored: StoredCase | undefined;
  if (idempotencyKey) {
    const claim = await claimIdempotencyKey(caller.email, idempotencyKey, { hash, caseId });
    if (claim.hash !== hash)
      throw refused('this Idempotency-Key was used with another request body', 'Idempotency-Key');
    if (claim.caseId !== caseId) {
      caseId = claim.caseId;
      stored = await getCase(caseId);
    }
  }

  let created = false;
  if (!stored) {
    const at = now.toISOString();
    const complete = isComplete(input);
    const covered = contractActiveOn(account, now);
    const record: CaseRecord = {
      ...input,
      caseId,
      number: caseId,
      ref: randomBytes(6).toString('hex'),
      plan: account.plan,
      centre: account.centre,
      contact: caller.email,
      severity,
      ...(criticalRequested ? { criticalRequested } : {}),
      status: 'Open',
      product,
      // Without an active contract the case waits for support to decide (SPEC §3).
      subStatus: covered ? 'New' : 'Maintenance Review',
      ...(covered ? {} : { withoutContract: true }),
      completedAt: complete ? at : null,
      createdAt: at,
      updatedAt: at,
      revision: 1,
      followUp: null,
      closedAt: null,
    };
    const outbox = effectsOf(
      1,
      {
        timeline: [
          {
            at,
            kind: 'created',
            visibility: 'public',
            actor: caller.email,
            status: 'Open',
            subStatus: record.subStatus,
          },
        ],
        mails: [{ id: '', kind: 'confirmation', to: caller.email }],
      },
      undefined,
    );
    // The subject's words become searchable with the case's other effects, out of the request.
    stored = { ...record, outbox: { ...outbox, [sequence(1, 's', 0)]: { type: 'search' } } };
    created = await insertCase(stored, caseIndexKeys(stored));
    if (created) logger.info('case opened', { caseNumber: caseId, account: record.account, severity });
  }
  // A retried request completes whatever a crashed first attempt left undone; a new case's effects
  // (confirmation, timeline) are completed by its workflow's first step, out of the request.
  if (!created) await flushOutbox(caseId, now);
  await startCaseWorkflow(caseId);
  return { case: created ? (stored as StoredCase) : ((await getCase(caseId)) as StoredCase), created };
}

/**
 * Applies a command through the reducer with optimistic versioning: on a concurrent change it
 * re-reads and decides again, so no update is ever lost. `expectedRevision`, when the caller gave
 * one, must match (409 otherwise). `read` is the case as the caller just read it, decided on first.
 * The change's effects are completed by the workflow, woken with the token read with the case.
 */
export async function applyCommand(
  caseId: string,
  command: Command,
  actor: Parameters<typeof decide>[2],
  now: () => Date,
  expectedRevision?: number,
  requestId?: string,
  read?: StoredCase,
): Promise<StoredCase> {
  const mailId = command.kind === 'customer-update' ? command.mailId : undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    let c = attempt === 0 && read ? read : await getCase(caseId);
    if (!c) throw notFound(`case ${caseId} not found`);
    const unfinished = Object.values(c.outbox ?? {}).some((e) => e.type !== 'mail' || !e.setAside);
    if (attempt === 0 && unfinished) {
      // An earlier change crashed before finishing its effects: finish them first.
      await flushOutbox(caseId, now());
      c = (await getCase(caseId)) as StoredCase;
    }
    // A retry of a request whose change was made: the case as it is now, nothing made again.
    if (requestId && c.requests?.[requestId] !== undefined) return c;
    if (expectedRevision !== undefined && c.revision !== expectedRevision) {
      throw conflict(
        `case ${caseId} changed: it is at revision ${c.revision}, status ${c.status}/${c.subStatus}`,
      );
    }
    // A mail applied before changes nothing again: its record is read after the case, so a record
    // written since (by the outbox flush, before it takes the entry off) is seen.
    if (mailId && (mailPending(c, mailId) || (await mailReceived(caseId, mailId)))) return c;
    const decision = decide(c, command, actor, now());
    if (decision.unchanged) return c;
    // A case whose workflow is over has nobody else to complete its effects.
    const completeHere = !!c.workflowDone;
    const holder = randomUUID();
    const claim = completeHere ? claimFor(holder, now()) : undefined;
    const effects = effectsOf(decision.next.revision, decision, claim, true);
    if (mailId)
      effects[sequence(decision.next.revision, 'r', 0)] = {
        type: 'mail-received',
        messageId: mailId,
        at: decision.next.updatedAt,
      };
    const next: CaseRecord & Pick<StoredCase, 'counted'> = requestId
      ? { ...decision.next, requests: recentRequests(c, requestId, decision.next.revision) }
      : { ...decision.next };
    // The compliance counters follow the case in the same write: a closure adds its share, a
    // reopening takes it back (SPEC §4 report).
    const share = complianceShareOf(next);
    complianceChanges(c.counted, share).forEach((change, i) => {
      effects[sequence(next.revision, 'c', i)] = { type: 'count', ...change };
      next.counted = share;
    });
    if (await saveCase(next, c, effects, changedIndexKeys(c, next))) {
      const breaches = decision.breaches ?? [];
      logger.info('case changed', {
        caseNumber: decision.next.number,
        change: command.kind,
        status: `${decision.next.status}/${decision.next.subStatus}`,
        revision: decision.next.revision,
        ...(breaches.length ? { breaches } : {}),
      });
      // Counted with the write that records the breaches, so once each.
      countBreaches(breaches.length);
      if (completeHere) {
        await flushOutbox(caseId, now(), holder);
        return (await getCase(caseId)) as StoredCase;
      }
      await signalCaseWorkflow(caseId, c.wait?.token);
      return { ...c, ...next, outbox: { ...c.outbox, ...effects } };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt + 1, 10)));
  }
  throw conflict(`case ${caseId} is changing too often; try again`);
}

/** Whether the mail was applied by a change whose effects are not all done yet. */
const mailPending = (c: StoredCase, messageId: string) =>
  Object.values(c.outbox ?? {}).some((e) => e.type === 'mail-received' && e.messageId === messageId);

/** Request ids kept on a case: those of its last changes, so a late retry is still recognised. */
const KEPT_REQUESTS = 20;

const recentRequests = (c: StoredCase, requestId: string, revision: number) =>
  Object.fromEntries(
    [...Object.entries(c.requests ?? {}), [requestId, revision] as const]
      .sort(([, a], [, b]) => b - a)
      .slice(0, KEPT_REQUESTS),
  );

/**
 * SPEC §3: an account without an active contract may be granted one grace period (while a
 * payment is on its way), from a case of it in Maintenance Review: that case and the account's
 * cases until `until` are supported as under contract. Claimed on the account first (again for
 * the same case and day on a retry); the `grant-grace-period` command then records it on the case.
 */
export async function claimGracePeriodFor(c: StoredCase, until: string, now: Date): Promise<void> {
  if (!c.withoutContract) throw conflict(`case ${c.number} is covered by account ${c.account}'s contract`);
  const today = dayOf(now);
  const last = dayOf(new Date(now.getTime() + policy.windows.gracePeriodMaxDays * 86_400_000));
  if (!(today <= until && until <= last))
    throw invalid(
      'until',
      `a day from ${today} to ${last} (at most ${policy.windows.gracePeriodMaxDays} days)`,
    );
  if (!(await claimGracePeriod(c.account, { case: c.caseId, until }))) {
    const account = await getAccount(c.account);
    throw refused(
      `account ${c.account} has had its one grace period (until ${account?.grace?.until}, from case ${account?.grace?.case})`,
    );
  }
}

/** The case as the API shows it: no workflow internals, with its SLA clocks once complete. */
export function caseView(c: StoredCase, now: Date, viewer: Caller) {
  const internal = mayOnCase(viewer, 'read-internal', c);
  const sla = slaStatus(c, now);
  const {
    outbox: _o,
    wait: _w,
    workflowDone: _d,
    ref: _r,
    requests: _q,
    counted: _c,
    featureRequest,
    ...record
  } = c;
  return {
    ...record,
    ...(featureRequest && (internal || featureRequestVisible(featureRequest, now)) ? { featureRequest } : {}),
    owner: c.owner ?? null,
    ...(internal ? { unsentMails: unsentMails(c) } : {}),
    sla,
    nextDue: nextDueAt(c, now, sla),
    obligations: obligationsOf(c, now),
  };
}

/** SPEC §10: customers see a closed feature request for one year after it closed. */
const featureRequestVisible = (fr: FeatureRequest, now: Date) =>
  !fr.closedAt ||
  now.getTime() < Date.parse(fr.closedAt) + policy.windows.closedFeatureRequestVisibleDays * 86_400_000;

/** Publishes an inbound mail's timeline item to the customer (SPEC §6: mail stays internal until then). */
export async function publishMail(caseId: string, entryId: string): Promise<void> {
  if (!(await publishTimelineMail(caseId, entryId)))
    throw notFound(`no unpublished mail ${entryId} on case ${caseId}`);
}
