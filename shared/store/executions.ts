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

export async function executionHistory(executionArn: string, limit = 2_000): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken && events.length < limit);
  return events;
}

export async function stateMachineDefinition(): Promise<unknown> {
  const { definition } = await sfn().send(
    new DescribeStateMachineCommand({ stateMachineArn: config.stateMachineArn }),
  );
  return JSON.parse(definition ?? '{}');
}
