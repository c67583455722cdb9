import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { clock } from '../clock.ts';
import { config } from '../config.ts';
import { clearWaitToken, waitToken } from './cases.ts';
import { sfn } from './clients.ts';

/** A case's execution is named after it: `<caseId>`, then `<caseId>-g2`, … after continue-as-new. */
export const executionName = (caseId: string, generation: number) =>
  generation === 1 ? caseId : `${caseId}-g${generation}`;

/** The case an execution belongs to, from its name (see `executionName`). */
export const caseOfExecution = (name: string) => name.replace(/-g\d+$/, '');

/**
 * Starts the case's execution, named after the case id (a second start is a no-op); a continued
 * life runs as `<caseId>-g<generation>`. Answers whether this call started it.
 */
export async function startCaseWorkflow(caseId: string, generation = 1): Promise<boolean> {
  const name = executionName(caseId, generation);
  try {
    await sfn().send(
      new StartExecutionCommand({
        stateMachineArn: config.stateMachineArn,
        name,
        // The start instant travels in the input: it tells the route when to continue as new.
        input: JSON.stringify({ caseId, cycles: 0, generation, startedAt: clock.now().toISOString() }),
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    return false;
  }
}

/** Errors that mean the wait this token belonged to is already over: nothing left to signal. */
const GONE = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** Answers a wait's task token: false when that wait is already over. */
async function answerWait(caseId: string, token: string): Promise<boolean> {
  try {
    await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ caseId }) }));
    return true;
  } catch (error) {
    if (!GONE.has((error as Error).name)) throw error;
    return false;
  }
}

/**
 * Wakes the case's workflow so that it re-reads the case and waits for the next deadline: with the
 * token the caller read with the case, else (or when that wait is over) the stored one. A stored
 * token is cleared only once answered, so a crash in between leaves it for the retry; answering a
 * token twice is harmless (the second answer finds the wait over).
 */
export async function signalCaseWorkflow(caseId: string, read?: string): Promise<void> {
  if (read && (await answerWait(caseId, read))) return;
  const token = await waitToken(caseId);
  if (!token || token === read) return;
  await answerWait(caseId, token);
  await clearWaitToken(caseId, token);
}
