import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { config } from '../config.ts';
import { getCase } from '../store/cases.ts';
import { sfn } from '../store/clients.ts';
import { caseOfExecution, executionName, startCaseWorkflow } from '../store/workflow.ts';

/** Executions that ended without finishing their case's life; an aborted one was stopped by a person. */
const ENDED_BADLY = ['FAILED', 'TIMED_OUT'] as const;

const generationOf = (name: string) => Number(/-g(\d+)$/.exec(name)?.[1] ?? 1);

async function exists(name: string): Promise<boolean> {
  const executionArn = `${config.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    await sfn().send(new DescribeExecutionCommand({ executionArn }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return false;
    throw error;
  }
}

/**
 * Restarts the workflow of every case whose execution failed (a bug, an outage longer than the
 * retries): the next generation resumes at the case's status. Starting a generation that exists
 * is a no-op, and one that was started already is skipped, so a case is restarted once however
 * often the sweep runs; a case whose life is over is left alone. Answers the cases restarted.
 */
export async function restartFailedExecutions(): Promise<string[]> {
  const restarted: string[] = [];
  const seen = new Set<string>();
  for (const statusFilter of ENDED_BADLY) {
    let nextToken: string | undefined;
    do {
      const page = await sfn().send(
        new ListExecutionsCommand({ stateMachineArn: config.stateMachineArn, statusFilter, nextToken }),
      );
      for (const execution of page.executions ?? []) {
        const name = execution.name as string;
        const caseId = caseOfExecution(name);
        if (seen.has(name)) continue;
        seen.add(name);
        const c = await getCase(caseId);
        if (!c || c.workflowDone) continue;
        const next = generationOf(name) + 1;
        if (await exists(executionName(caseId, next))) continue;
        if (await startCaseWorkflow(caseId, next)) restarted.push(caseId);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return restarted;
}
