import type { LocalStepFunctions } from './stepfunctions.ts';

/**
 * Executions that were running when the last run stopped resume at their case's status; a case
 * without one (data from before executions were kept, or a start that never happened) gets one.
 */
export async function redrive(stepFunctions: LocalStepFunctions): Promise<void> {
  stepFunctions.redriveInterrupted();
  const { listCases } = await import('#shared/store/cases.ts');
  const { caseOfExecution, startCaseWorkflow } = await import('#shared/store/workflow.ts');
  const withExecution = new Set(stepFunctions.executionNames().map(caseOfExecution));
  let cursor: string | undefined;
  do {
    const page = await listCases({}, cursor, 100);
    for (const c of page.items)
      if (!c.workflowDone && !withExecution.has(c.caseId)) await startCaseWorkflow(c.caseId);
    cursor = page.cursor;
  } while (cursor);
}
