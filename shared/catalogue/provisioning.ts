import * as z from 'zod';
import { type AccessLevel, type Account, accountIssues, type User } from './accounts.ts';
import { centres } from './index.ts';

/**
 * The catalogue an administrator provisions (SPEC §1): accounts, their contacts with access
 * levels, and engineers with their centres. The whole desired state, keyed by account id and
 * e-mail address: applying it adds, changes and removes entries until the desk matches it.
 */
export const ACCESS_LEVELS = { designated: 3, 'read-only': 2, 'knowledge-base': 1 } as const;
export type AccessName = keyof typeof ACCESS_LEVELS;

const AccountId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an account id: lower-case letters, digits, -');
const Email = z.email().transform((e) => e.toLowerCase());
const Name = z.string().trim().min(1).max(200);

const AccountEntry = z.strictObject({
  name: Name,
  plan: z.string(),
  centre: z.string(),
  contract: z.strictObject({ start: z.iso.date(), end: z.iso.date() }),
  products: z.array(z.string().trim().min(1)),
});

const ContactEntry = z.strictObject({
  name: Name,
  access: z.record(AccountId, z.enum(Object.keys(ACCESS_LEVELS) as [AccessName, ...AccessName[]])),
});

const EngineerEntry = z.strictObject({
  name: Name,
  /** Their queue's centres; none given: every centre. */
  centres: z.array(z.string()).min(1).optional(),
});

export const CatalogueFileSchema = z
  .strictObject({
    accounts: z.record(AccountId, AccountEntry).default({}),
    contacts: z.record(z.string(), ContactEntry).default({}),
    engineers: z.record(z.string(), EngineerEntry).default({}),
  })
  .superRefine((file, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    for (const kind of ['contacts', 'engineers'] as const) {
      for (const email of Object.keys(file[kind])) {
        if (!Email.safeParse(email).success) issue([kind, email], `not an e-mail address: "${email}"`);
      }
    }
    for (const email of Object.keys(file.contacts)) {
      if (email.toLowerCase() in file.engineers) issue(['contacts', email], 'listed as an engineer too');
      for (const account of Object.keys(file.contacts[email]?.access ?? {})) {
        if (!(account in file.accounts))
          issue(['contacts', email, 'access', account], `no account "${account}"`);
      }
    }
    for (const [email, engineer] of Object.entries(file.engineers)) {
      for (const [i, centre] of (engineer.centres ?? []).entries()) {
        if (!centres[centre]) issue(['engineers', email, 'centres', i], `unknown support centre "${centre}"`);
      }
    }
    const { accounts, users } = entriesOf(file);
    for (const account of accounts) {
      for (const { field, message } of accountIssues(account, users))
        issue(['accounts', account.id, ...field.split('.')], message);
    }
  });

export type CatalogueFile = z.output<typeof CatalogueFileSchema>;

/** The accounts and users a catalogue file describes, as the store keeps them. */
export function entriesOf(file: CatalogueFile): { accounts: Account[]; users: User[] } {
  const accounts = Object.entries(file.accounts).map(([id, a]) => ({ id, ...a }));
  const contacts = Object.entries(file.contacts).map(
    ([email, c]): User => ({
      email: email.toLowerCase(),
      name: c.name,
      role: 'customer',
      grants: Object.fromEntries(
        Object.entries(c.access).map(([account, level]) => [account, ACCESS_LEVELS[level] as AccessLevel]),
      ),
    }),
  );
  const engineers = Object.entries(file.engineers).map(
    ([email, e]): User => ({
      email: email.toLowerCase(),
      name: e.name,
      role: 'engineer',
      grants: {},
      ...(e.centres ? { centres: e.centres } : {}),
    }),
  );
  return { accounts, users: [...contacts, ...engineers] };
}

/** The catalogue file of stored accounts and users: what `GET /v1/admin/catalogue` answers. */
export function fileOf(accounts: Account[], users: User[]): CatalogueFile {
  const level = (n: AccessLevel) =>
    (Object.keys(ACCESS_LEVELS) as AccessName[]).find((k) => ACCESS_LEVELS[k] === n) as AccessName;
  const sorted = <T>(entries: [string, T][]) =>
    Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  return {
    accounts: sorted(
      accounts.map(({ id, name, plan, centre, contract, products }) => [
        id,
        { name, plan, centre, contract, products },
      ]),
    ),
    contacts: sorted(
      users
        .filter((u) => u.role === 'customer')
        .map((u) => [
          u.email,
          {
            name: u.name,
            access: Object.fromEntries(Object.entries(u.grants).map(([a, n]) => [a, level(n)])),
          },
        ]),
    ),
    engineers: sorted(
      users
        .filter((u) => u.role === 'engineer')
        .map((u) => [u.email, { name: u.name, ...(u.centres ? { centres: u.centres } : {}) }]),
    ),
  };
}
