import type { Account, User } from '../store/repository.ts';
import { centres, policy } from './index.ts';

/**
 * What is wrong with a set of accounts and their contacts, one message each (SPEC §1): a known
 * plan and centre, a contract that ends after it starts, at least one product, and for cloud plans
 * at least two designated contacts.
 */
export function accountProblems(accounts: Account[], users: User[]): string[] {
  const problems: string[] = [];
  for (const account of accounts) {
    const at = `account ${account.id}`;
    const plan = policy.plans[account.plan];
    if (!plan) problems.push(`${at}: unknown plan "${account.plan}"`);
    if (!centres[account.centre]) problems.push(`${at}: unknown support centre "${account.centre}"`);
    if (!(account.contract.start <= account.contract.end))
      problems.push(
        `${at}: its contract ends (${account.contract.end}) before it starts (${account.contract.start})`,
      );
    if (account.products.length === 0) problems.push(`${at}: its contract covers no product`);
    const designated = users.filter((u) => u.grants[account.id] === 3).length;
    if (plan?.cloud && designated < 2)
      problems.push(`${at}: a cloud plan needs at least two designated contacts, it has ${designated}`);
  }
  return problems;
}
