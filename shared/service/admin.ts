import type { Account, User } from '../catalogue/accounts.ts';
import { type CatalogueFile, entriesOf, fileOf } from '../catalogue/provisioning.ts';
import { conflict, notFound } from '../errors.ts';
import { GROUPS } from '../identity.ts';
import {
  deleteAccount,
  deleteUser,
  listAccounts,
  listUsers,
  putAccount,
  putUser,
} from '../store/accounts.ts';
import {
  directoryUserState,
  disableDirectoryUser,
  ensureDirectoryUser,
  resendInvitation,
} from '../store/directory.ts';
import { clearUndeliverable } from '../store/mailer.ts';

export { listUndeliverable } from '../store/mailer.ts';

/** One difference between the catalogue file and the desk: what applying it does. */
export interface CatalogueChange {
  action: 'add' | 'change' | 'remove';
  kind: 'account' | 'contact' | 'engineer';
  id: string;
  /** The fields that differ, for a change. */
  fields?: string[];
}

const kindOf = (user: User) => (user.role === 'engineer' ? 'engineer' : 'contact');

/** The catalogue fields of an entry, in a stable form (stored extras such as a grace period aside). */
const accountFields = ({ name, plan, centre, contract, products }: Account) => ({
  name,
  plan,
  centre,
  contract: { start: contract.start, end: contract.end },
  products,
});
const userFields = ({ name, role, grants, centres }: User) => ({
  name,
  role,
  grants,
  centres: centres ?? [],
});

function differing(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_, x) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([k], [l]) => k.localeCompare(l)))
        : x,
    );
  return Object.keys(a).filter((k) => canonical(a[k]) !== canonical(b[k]));
}

interface Plan {
  changes: CatalogueChange[];
  run: () => Promise<void>;
}

/** Compares the file with what is provisioned, and the steps that would make them equal. */
async function plan(file: CatalogueFile): Promise<Plan> {
  const wanted = entriesOf(file);
  const [accounts, users] = await Promise.all([listAccounts(), listUsers()]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const userByEmail = new Map(users.map((u) => [u.email, u]));
  const changes: CatalogueChange[] = [];
  const steps: (() => Promise<void>)[] = [];
  const removals: (() => Promise<void>)[] = [];

  for (const account of wanted.accounts) {
    const stored = accountById.get(account.id);
    const fields = stored ? differing(accountFields(account), accountFields(stored)) : [];
    if (stored && !fields.length) continue;
    changes.push({
      action: stored ? 'change' : 'add',
      kind: 'account',
      id: account.id,
      ...(stored ? { fields } : {}),
    });
    steps.push(() => putAccount(account));
  }
  for (const user of wanted.users) {
    const stored = userByEmail.get(user.email);
    // A user is only complete once linked to its directory entry (its sub).
    const fields = stored
      ? [...differing(userFields(user), userFields(stored)), ...(stored.sub ? [] : ['sub'])]
      : [];
    if (stored && !fields.length) continue;
    changes.push({
      action: stored ? 'change' : 'add',
      kind: kindOf(user),
      id: user.email,
      ...(stored ? { fields } : {}),
    });
    steps.push(async () => {
      const groups = user.role === 'engineer' ? [GROUPS.engineer] : [];
      const sub = await ensureDirectoryUser(user.email, user.name, groups);
      await putUser({ ...user, sub });
    });
  }
  const wantedEmails = new Set(wanted.users.map((u) => u.email));
  for (const user of users.filter((u) => !wantedEmails.has(u.email))) {
    changes.push({ action: 'remove', kind: kindOf(user), id: user.email });
    removals.push(async () => {
      await disableDirectoryUser(user.email);
      await deleteUser(user);
    });
  }
  const wantedIds = new Set(wanted.accounts.map((a) => a.id));
  for (const account of accounts.filter((a) => !wantedIds.has(a.id))) {
    changes.push({ action: 'remove', kind: 'account', id: account.id });
    removals.push(() => deleteAccount(account.id));
  }
  return {
    changes,
    // Additions and changes first, users after their accounts; removals last, accounts after their
    // users. Every step is idempotent, so applying again after a crash finishes the work.
    run: async () => {
      for (const step of [...steps, ...removals]) await step();
    },
  };
}

/**
 * Makes the desk match the catalogue file (already validated): idempotent, a second apply changes
 * nothing. A dry run answers the same changes and applies none.
 */
export async function applyCatalogue(file: CatalogueFile, dryRun: boolean): Promise<CatalogueChange[]> {
  const { changes, run } = await plan(file);
  if (!dryRun) await run();
  return changes;
}

/** The provisioned catalogue, as a catalogue file. */
export async function provisionedCatalogue(): Promise<CatalogueFile> {
  const [accounts, users] = await Promise.all([listAccounts(), listUsers()]);
  return fileOf(accounts, users);
}

/**
 * Sends an invited person a new invitation (a new temporary password, for another
 * `TemporaryPasswordValidityDays`): for someone whose invitation expired or was lost. Someone who
 * already chose a password, or was removed from the catalogue (disabled), is refused.
 */
export async function reinvite(email: string): Promise<void> {
  const state = await directoryUserState(email);
  if (!state) throw notFound(`${email} has no account: add them to the catalogue (casework admin apply)`);
  if (!state.enabled)
    throw conflict(`${email} was removed from the catalogue: add them again (casework admin apply)`);
  const already = `${email} has already chosen a password: they can reset it with “Forgot your password?”`;
  if (!state.invited || !(await resendInvitation(email))) throw conflict(already);
}

/** Lets mail go to an address again (its owner fixed the mailbox); 404 when it is not marked. */
export async function clearAddress(address: string): Promise<void> {
  if (!(await clearUndeliverable(address))) throw notFound(`${address} is not marked undeliverable`);
}
