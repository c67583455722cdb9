import type { AccessLevel, User } from '../catalogue/accounts.ts';
import { forbidden, notFound } from '../errors.ts';
import type { Actor } from './model.ts';

/**
 * Who may do what (SPEC §1): the one place that decides access, asked by every route, the
 * reducer and the mail path. Pure: principals and operations in, yes or no out.
 */

/** Whoever acts: a support engineer, a customer with a level per account, or the system itself. */
export type Principal =
  | { kind: 'engineer'; email: string }
  | { kind: 'customer'; email: string; grants: Record<string, AccessLevel> }
  | { kind: 'system' };

/** What may be done to a case. */
export type CaseOperation =
  /** See the case and its public timeline and files. */
  | 'read'
  /** Add notes and files, answer the survey: change the case as its account's designated contact may. */
  | 'write'
  /** See internal items: engineer notes, unpublished mail, mail set aside, executions. */
  | 'read-internal'
  /** Act as support: the support actions, publishing mail, assigning, granting a grace period. */
  | 'support'
  /** Act as the customer: accept or reject a solution, escalate, ask for another severity. */
  | 'customer';

/** What may be done with an account. */
export type AccountOperation = 'list-cases' | 'open-case';

/** What only the support desk does, about no one case: the triage queue and its items, queues, reports. */
export type DeskOperation = 'triage' | 'queues' | 'reports';

export const principalOf = (user: User): Principal =>
  user.role === 'engineer'
    ? { kind: 'engineer', email: user.email }
    : { kind: 'customer', email: user.email, grants: user.grants };

/**
 * A case change's actor: a contact acts with the designated access that its route, or the mail
 * path, checked before the change was asked for.
 */
export const principalOfActor = (actor: Actor, account: string): Principal =>
  actor.kind === 'contact'
    ? { kind: 'customer', email: actor.email, grants: { [account]: 3 } }
    : actor.kind === 'engineer'
      ? { kind: 'engineer', email: actor.email }
      : { kind: 'system' };

type Who = Principal | User;
const asPrincipal = (who: Who): Principal => ('role' in who ? principalOf(who) : who);

/** The access level to an account (SPEC §1): 3 designated, 2 read-only, 1 knowledge base, 0 none. */
export function accessLevel(who: Who, account: string): AccessLevel | 0 {
  const p = asPrincipal(who);
  if (p.kind === 'engineer') return 3;
  if (p.kind === 'system') return 0;
  // Own keys only: an account named `__proto__` or `constructor` is nobody's.
  return Object.hasOwn(p.grants, account) ? (p.grants[account] ?? 0) : 0;
}

const engineer = (p: Principal) => p.kind === 'engineer';

const CASE: Record<CaseOperation, (p: Principal, account: string) => boolean> = {
  read: (p, account) => accessLevel(p, account) >= 2,
  write: (p, account) => accessLevel(p, account) >= 3,
  'read-internal': engineer,
  support: engineer,
  customer: (p, account) => p.kind === 'customer' && accessLevel(p, account) === 3,
};

const ACCOUNT: Record<AccountOperation, (p: Principal, account: string) => boolean> = {
  'list-cases': (p, account) => accessLevel(p, account) >= 2,
  'open-case': (p, account) => accessLevel(p, account) >= 3,
};

const DESK: Record<DeskOperation, (p: Principal) => boolean> = {
  triage: engineer,
  queues: engineer,
  reports: engineer,
};

export const mayOnCase = (who: Who, operation: CaseOperation, c: { account: string }) =>
  CASE[operation](asPrincipal(who), c.account);

export const mayOnAccount = (who: Who, operation: AccountOperation, account: string) =>
  ACCOUNT[operation](asPrincipal(who), account);

export const mayAtDesk = (who: Who, operation: DeskOperation) => DESK[operation](asPrincipal(who));

/** The accounts whose cases a principal may list: engineers all of them ('all'). */
export function readableAccounts(who: Who): string[] | 'all' {
  const p = asPrincipal(who);
  if (p.kind === 'engineer') return 'all';
  if (p.kind === 'system') return [];
  return Object.keys(p.grants).filter((account) => mayOnAccount(p, 'list-cases', account));
}

/**
 * Refuses an operation on a case as the API words it: a case the principal may not read is 404
 * whether it exists or not (nobody learns of another account's cases); anything else is 403.
 */
export function authorizeOnCase(who: Who, operation: CaseOperation, c: { account: string; number: string }) {
  if (!mayOnCase(who, 'read', c)) throw notFound(`case ${c.number} not found`);
  if (!mayOnCase(who, operation, c)) throw forbidden(CASE_REFUSALS[operation]);
}

const CASE_REFUSALS: Record<CaseOperation, string> = {
  read: 'no access to this case',
  write: 'read-only access: only designated contacts may change a case',
  'read-internal': 'internal items and executions are for support engineers',
  support: 'only a support engineer may do this',
  customer: 'only a designated contact of the account may do this',
};

export function authorizeAtDesk(who: Who, operation: DeskOperation) {
  if (!mayAtDesk(who, operation)) throw forbidden(DESK_REFUSALS[operation]);
}

const DESK_REFUSALS: Record<DeskOperation, string> = {
  triage: 'the triage queue is for support engineers',
  queues: 'queues are for support engineers',
  reports: 'reports are for support engineers',
};
