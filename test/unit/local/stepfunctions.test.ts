import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '#local/stepfunctions.ts';
import { VirtualClock } from '#local/virtual-clock.ts';

describe('the local Step Functions keeps closed executions 90 days, as Step Functions does', () => {
  it('drops, at start, executions closed more than 90 days ago, and keeps the others', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'casework-sfn-'));
    const now = Date.parse('2026-06-30T00:00:00Z');
    const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:casework:${name}`;
    const closedDaysAgo = (name: string, days: number) => {
      const stopDate = (now - days * 86_400_000) / 1000;
      const summary = {
        executionArn: arn(name),
        name,
        input: '{}',
        status: 'SUCCEEDED',
        startDate: stopDate - 60,
        stopDate,
        events: 1,
      };
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary));
      writeFileSync(
        path.join(dir, `${name}.events.jsonl`),
        `${JSON.stringify({ id: 1, type: 'ExecutionStarted' })}\n`,
      );
    };
    closedDaysAgo('old', 91);
    closedDaysAgo('recent', 89);
    const sfn = new LocalStepFunctions({
      definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
      name: 'casework',
      region: 'us-east-1',
      account: '000000000000',
      clock: new VirtualClock({ frozenAt: new Date(now) }),
      invoke: async () => null,
      dir,
    });
    const listed = sfn.listExecutions({ stateMachineArn: sfn.stateMachineArn }).executions.map((e) => e.name);
    expect(listed).toEqual(['recent']);
    expect(existsSync(path.join(dir, 'old.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'old.events.jsonl'))).toBe(false);
    expect(sfn.getExecutionHistory({ executionArn: arn('recent') }).events).toHaveLength(1);
  });
});

describe('the local Step Functions forgets a wait whose task fails before the wait begins', () => {
  it('a task failing with CaseMoved leaves no timer behind: its timeout never fires into the history', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'casework-sfn-'));
    const clock = new VirtualClock({ frozenAt: new Date('2026-03-02T09:00:00Z') });
    const sfn = new LocalStepFunctions({
      definition: {
        StartAt: 'Wait',
        States: {
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'workflow', Payload: { 'token.$': '$$.Task.Token' } },
            TimeoutSeconds: 3600,
            Catch: [{ ErrorEquals: ['CaseMoved'], Next: 'Done' }],
            End: true,
          },
          Done: { Type: 'Succeed' },
        },
      },
      name: 'casework',
      region: 'us-east-1',
      account: '000000000000',
      clock,
      invoke: async () => {
        throw Object.assign(new Error('case 1 changed before its wait started'), { name: 'CaseMoved' });
      },
      dir,
    });
    clock.settled = () => sfn.settled();
    const { executionArn } = sfn.startExecution({ stateMachineArn: sfn.stateMachineArn, name: 'one' });
    await sfn.settled();
    expect(sfn.describeExecution({ executionArn }).status).toBe('SUCCEEDED');
    await clock.advance(2 * 3600 * 1000);
    const types = sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(types).toContain('TaskFailed');
    expect(types).not.toContain('TaskTimedOut');
    expect(types).toContain('ExecutionSucceeded');
  });
});
