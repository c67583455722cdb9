import { accountProblems } from '#shared/catalogue/accounts.ts';
import { demoAccounts, demoUsers } from './demo.ts';
import type { LocalStepFunctions } from './stepfunctions.ts';

/** The demo catalogue is code: written on every start, so a data folder keeps up with it. */
export async function seedDemo(): Promise<void> {
  const problems = accountProblems(demoAccounts, demoUsers);
  if (problems.length) throw new Error(`the demo catalogue is invalid: ${problems.join('; ')}`);
  const { putUser, putAccount } = await import('#shared/store/repository.ts');
  for (const account of demoAccounts) await putAccount(account);
  for (const user of demoUsers) await putUser(user);
}

/**
 * Executions that were running when the last run stopped resume at their case's status; a case
 * without one (data from before executions were kept, or a start that never happened) gets one.
 */
export async function redrive(stepFunctions: LocalStepFunctions): Promise<void> {
  stepFunctions.redriveInterrupted();
  const { listCases } = await import('#shared/store/repository.ts');
  const { caseOfExecution, startCaseWorkflow } = await import('#shared/store/workflow.ts');
  const withExecution = new Set(stepFunctions.executionNames().map(caseOfExecution));
  let cursor: string | undefined;
  do {
    const page = await listCases('all', cursor, 100);
    for (const c of page.items)
      if (!c.workflowDone && !withExecution.has(c.caseId)) await startCaseWorkflow(c.caseId);
    cursor = page.cursor;
  } while (cursor);
}
