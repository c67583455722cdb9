import type { Account, User } from '../store/repository.ts';
import { centres, policy } from './index.ts';

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
