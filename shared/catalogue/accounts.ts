import { centres, policy } from './index.ts';

export type AccessLevel = 1 | 2 | 3;

export interface User {
  email: string;
  name: string;
  role: 'engineer' | 'customer';
  /** Access level per account (SPEC §1): 3 designated, 2 read-only, 1 knowledge base. */
  grants: Record<string, AccessLevel>;
  /** An engineer's support centres (their unowned-cases queue); none given: every centre. */
  centres?: string[];
  /** The identity provider's immutable id of the user (the token's `sub`), linked at provisioning. */
  sub?: string;
}

/** A Sold-To / End-User combination with a support contract (SPEC §1). */
export interface Account {
  id: string;
  name: string;
  plan: string;
  centre: string;
  /** The support contract's first and last day (ISO dates, inclusive). */
  contract: { start: string; end: string };
  /** The products the contract entitles to support. */
  products: string[];
  /** The account's one grace period, once granted: support is given until `until` (inclusive). */
  grace?: { case: string; until: string };
}

/** One thing wrong with an account, and the field of the account it is about. */
export interface AccountIssue {
  field: string;
  message: string;
}

/**
 * What is wrong with one account and its contacts (SPEC §1): a known plan and centre, a contract
 * that ends after it starts, at least one product, and for cloud plans at least two designated
 * contacts.
 */
export function accountIssues(account: Account, users: User[]): AccountIssue[] {
  const issues: AccountIssue[] = [];
  const plan = policy.plans[account.plan];
  if (!plan) issues.push({ field: 'plan', message: `unknown plan "${account.plan}"` });
  if (!centres[account.centre])
    issues.push({ field: 'centre', message: `unknown support centre "${account.centre}"` });
  if (!(account.contract.start <= account.contract.end))
    issues.push({
      field: 'contract.end',
      message: `its contract ends (${account.contract.end}) before it starts (${account.contract.start})`,
    });
  if (account.products.length === 0)
    issues.push({ field: 'products', message: 'its contract covers no product' });
  const designated = users.filter((u) => u.grants[account.id] === 3).length;
  if (plan?.cloud && designated < 2)
    issues.push({
      field: 'plan',
      message: `a cloud plan needs at least two designated contacts, it has ${designated}`,
    });
  return issues;
}

/** The issues of a set of accounts, one message each. */
export function accountProblems(accounts: Account[], users: User[]): string[] {
  return accounts.flatMap((account) =>
    accountIssues(account, users).map((issue) => `account ${account.id}: ${issue.message}`),
  );
}
