import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MailClaim, SetAside } from '../cases/model.ts';
import { ddb } from './clients.ts';
import { isConditionFailure, table } from './dynamo.ts';
import { caseKey } from './keys.ts';

/**
 * The claims on a case's outbox mails. A mail is sent only by the holder of its claim, a field of
 * its outbox entry on the case item set by a conditional write: the writer that saved a change
 * holds its mails' claims from that very write; anyone else (a concurrent writer, a retry, the
 * workflow) must take the claim first, which succeeds only for an unclaimed entry or one whose
 * holder's lease ran out (it crashed). The holder ends the claim by removing the entry (sent), by
 * setting the mail aside (SES refused it), or by releasing it (SES could not be reached).
 */

export const LEASE_MS = 5 * 60_000;

export const claimFor = (by: string, now: Date): MailClaim => ({
  by,
  until: new Date(now.getTime() + LEASE_MS).toISOString(),
});

const NAMES = {
  '#outbox': 'outbox',
  '#claim': 'claim',
  '#aside': 'setAside',
  '#by': 'by',
  '#until': 'until',
  '#next': 'nextAt',
};

async function entryWrite(
  caseId: string,
  entryId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: caseKey(caseId),
        UpdateExpression: update,
        ConditionExpression: condition,
        // DynamoDB refuses names an expression does not use.
        ExpressionAttributeNames: Object.fromEntries(
          Object.entries({ ...NAMES, '#e': entryId }).filter(([n]) => `${update} ${condition}`.includes(n)),
        ),
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Takes the claim on an outbox mail: false when it is gone (sent), held by a live holder, or set
 * aside until later.
 */
export const claimMail = (caseId: string, entryId: string, claim: MailClaim, now: Date) =>
  entryWrite(
    caseId,
    entryId,
    'SET #outbox.#e.#claim = :claim',
    'attribute_exists(#outbox.#e) AND (attribute_not_exists(#outbox.#e.#claim) OR #outbox.#e.#claim.#until < :now)' +
      ' AND (attribute_not_exists(#outbox.#e.#aside) OR #outbox.#e.#aside.#next <= :now)',
    { ':claim': claim, ':now': now.toISOString() },
  );

/** The mail was sent: its entry leaves the outbox (only its holder's write does it). */
export const completeMail = (caseId: string, entryId: string, by: string) =>
  entryWrite(caseId, entryId, 'REMOVE #outbox.#e', '#outbox.#e.#claim.#by = :by', { ':by': by });

/** The mail was not sent and may be at once by anyone: the claim is given back. */
export const releaseMail = (caseId: string, entryId: string, by: string) =>
  entryWrite(caseId, entryId, 'REMOVE #outbox.#e.#claim', '#outbox.#e.#claim.#by = :by', { ':by': by });

/** SES refused the mail: it waits until `aside.nextAt`, and the claim is given back. */
export const setMailAside = (caseId: string, entryId: string, by: string, aside: SetAside) =>
  entryWrite(
    caseId,
    entryId,
    'SET #outbox.#e.#aside = :aside REMOVE #outbox.#e.#claim',
    '#outbox.#e.#claim.#by = :by',
    { ':by': by, ':aside': aside },
  );
