import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, User } from '../catalogue/accounts.ts';
import { ddb } from './clients.ts';
import { getItem, queryAllOf, table, writeIf } from './dynamo.ts';
import { accountKey, accountList, identityKey, inPartition, userKey, userList } from './keys.ts';

/** The provisioned catalogue: accounts and users, each listed in `byKind`. */

export const getUser = (email: string) => getItem<User>(userKey(email));

/** The user a token's `sub` belongs to: one read per request. */
export const getUserBySub = (sub: string) => getItem<User>(identityKey(sub));

/**
 * Writes a user under its e-mail (mail from it is theirs; `byKind` lists it under `USERS`) and,
 * once linked, under its `sub` (the API's caller), the same fields in both.
 */
export async function putUser(user: User): Promise<void> {
  const email = user.email.toLowerCase();
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { ...userKey(email), ...inPartition(userList, email), ...user },
    }),
  );
  if (user.sub)
    await ddb().send(new PutCommand({ TableName: table(), Item: { ...identityKey(user.sub), ...user } }));
}

/** Removes a user: its identity first, so a crash in between leaves no caller without a user. */
export async function deleteUser(user: User): Promise<void> {
  if (user.sub) await ddb().send(new DeleteCommand({ TableName: table(), Key: identityKey(user.sub) }));
  await ddb().send(new DeleteCommand({ TableName: table(), Key: userKey(user.email) }));
}

export async function deleteAccount(id: string): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: table(), Key: accountKey(id) }));
}

export const listUsers = () => queryAllOf<User>(userList);
export const listAccounts = () => queryAllOf<Account>(accountList);

export const getAccount = (id: string) => getItem<Account>(accountKey(id));

/** Writes an account's catalogue fields, keeping what the desk recorded on it (its grace period). */
export async function putAccount(account: Account): Promise<void> {
  const { grace: _g, ...catalogued } = account;
  const fields = { ...catalogued, ...inPartition(accountList, account.id) };
  const names = Object.keys(fields);
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: accountKey(account.id),
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(fields).map((v, i) => [`:f${i}`, v])),
    }),
  );
}

/**
 * Claims the account's one grace period (SPEC §3) for a case, until a day: true the first time,
 * and again for the same case and day (a retry); false once it was granted otherwise.
 */
export async function claimGracePeriod(
  accountId: string,
  grace: { case: string; until: string },
): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: accountKey(accountId),
      UpdateExpression: 'SET grace = :g',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(grace) OR grace = :g)',
      ExpressionAttributeValues: { ':g': grace },
    }),
  );
}
