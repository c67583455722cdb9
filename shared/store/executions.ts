import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { config } from '../config.ts';
import { sfn } from './clients.ts';
import { executionName } from './workflow.ts';

/** The executions of a case's life (`<caseId>`, then `<caseId>-g2`, … after continue-as-new). */
export async function caseExecutions(caseId: string) {
  const base = config.stateMachineArn.replace(':stateMachine:', ':execution:');
  const executions = [];
  for (let generation = 1; generation < 100; generation++) {
    const name = executionName(caseId, generation);
    try {
      const e = await sfn().send(new DescribeExecutionCommand({ executionArn: `${base}:${name}` }));
      executions.push({
        name,
        executionArn: e.executionArn as string,
        status: e.status,
        startDate: e.startDate,
        stopDate: e.stopDate,
      });
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') break;
      throw error;
    }
  }
  return executions;
}

/**
 * The newest `limit` events of an execution's history, oldest first, and whether earlier ones were
 * left out: a long execution's current state is at its end (an execution may hold 25,000 events).
 */
export async function executionHistory(
  executionArn: string,
  limit = 2_000,
  pageSize = 1000,
): Promise<{ events: HistoryEvent[]; earlierLeftOut: boolean }> {
  const newestFirst: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: Math.min(pageSize, limit - newestFirst.length),
        nextToken,
      }),
    );
    newestFirst.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken && newestFirst.length < limit);
  return { events: newestFirst.reverse(), earlierLeftOut: !!nextToken };
}

export async function stateMachineDefinition(): Promise<unknown> {
  const { definition } = await sfn().send(
    new DescribeStateMachineCommand({ stateMachineArn: config.stateMachineArn }),
  );
  return JSON.parse(definition ?? '{}');
}
