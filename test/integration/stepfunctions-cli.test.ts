import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from './aws-cli.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

const MONDAY = '2026-03-02T09:00:00Z';

/** The Step Functions endpoint as operators reach it: the AWS CLI, a client nobody here wrote. */
describe('the AWS CLI works against the printed Step Functions endpoint', () => {
  let t: TestRuntime;
  let stateMachineArn: string;
  const executionArn = (name: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const aws = awsCli('stepfunctions', () => t.runtime.urls.stepfunctions);
  /** The error code the CLI reports, as it names AWS's errors: "An error occurred (Code) when calling …". */
  const errorOf = (args: string[]) =>
    aws(...args).then(
      () => 'no error',
      (error: { stderr: string }) => /An error occurred \((\w+)\)/.exec(error.stderr)?.[1] ?? error.stderr,
    );

  const numbers: string[] = [];
  beforeAll(async () => {
    t = await startTestRuntime(MONDAY);
    for (const subject of ['one', 'two', 'three']) {
      const res = await t.api('POST', '/v1/cases', {
        as: 'dana@acme.example',
        body: { ...acmeHighCase, subject },
      });
      numbers.push(res.body.number);
    }
    stateMachineArn = process.env.CASEWORK_STATE_MACHINE_ARN as string;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('list-state-machines and describe-state-machine name the case state machine and its definition', async () => {
    const { stateMachines } = await aws('list-state-machines');
    expect(stateMachines).toEqual([expect.objectContaining({ stateMachineArn, type: 'STANDARD' })]);
    const described = await aws('describe-state-machine', '--state-machine-arn', stateMachineArn);
    expect(described.status).toBe('ACTIVE');
    expect(Object.keys(JSON.parse(described.definition).States)).toContain('Route');
  });

  it('list-executions filters by status and pages one execution at a time', async () => {
    const { executions } = await aws(
      'list-executions',
      '--state-machine-arn',
      stateMachineArn,
      '--status-filter',
      'RUNNING',
      '--page-size',
      '1',
    );
    expect(executions.map((e: { name: string }) => e.name).sort()).toEqual([...numbers].sort());
    const firstPage = await aws(
      'list-executions',
      '--state-machine-arn',
      stateMachineArn,
      '--max-items',
      '2',
    );
    expect(firstPage.executions).toHaveLength(2);
    expect(firstPage.NextToken).toBeTruthy();
    const succeeded = await aws(
      'list-executions',
      '--state-machine-arn',
      stateMachineArn,
      '--status-filter',
      'SUCCEEDED',
    );
    expect(succeeded.executions).toEqual([]);
  });

  it('get-execution-history pages and reads newest first with --reverse-order', async () => {
    const arn = executionArn(numbers[0] as string);
    const forward = (await aws('get-execution-history', '--execution-arn', arn, '--page-size', '2')).events;
    expect(forward[0].type).toBe('ExecutionStarted');
    expect(forward.map((e: { id: number }) => e.id)).toEqual(forward.map((_: unknown, i: number) => i + 1));
    const reverse = (
      await aws('get-execution-history', '--execution-arn', arn, '--reverse-order', '--page-size', '2')
    ).events;
    expect(reverse.map((e: { id: number }) => e.id)).toEqual(
      forward.map((e: { id: number }) => e.id).reverse(),
    );
  });

  it('describe-state-machine-for-execution, stop-execution and redrive-execution act on one case execution', async () => {
    const arn = executionArn(numbers[2] as string);
    expect((await aws('describe-state-machine-for-execution', '--execution-arn', arn)).stateMachineArn).toBe(
      stateMachineArn,
    );
    expect(await errorOf(['redrive-execution', '--execution-arn', arn])).toBe('ExecutionNotRedrivable');
    await aws('stop-execution', '--execution-arn', arn, '--error', 'Operator', '--cause', 'stopped by hand');
    expect(await aws('describe-execution', '--execution-arn', arn)).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      redriveStatus: 'REDRIVABLE',
    });
    await aws('redrive-execution', '--execution-arn', arn);
    await t.runtime.settled();
    expect(await aws('describe-execution', '--execution-arn', arn)).toMatchObject({
      status: 'RUNNING',
      redriveCount: 1,
    });
    const { events } = await aws('get-execution-history', '--execution-arn', arn, '--reverse-order');
    expect(events.map((e: { type: string }) => e.type)).toContain('ExecutionRedriven');
  });

  it('answers errors by the names Step Functions gives them', async () => {
    expect(await errorOf(['describe-execution', '--execution-arn', executionArn('9999999999')])).toBe(
      'ExecutionDoesNotExist',
    );
    expect(await errorOf(['describe-execution', '--execution-arn', 'not-an-arn'])).toBe('InvalidArn');
    expect(await errorOf(['describe-execution', '--execution-arn', stateMachineArn])).toBe('InvalidArn');
    expect(await errorOf(['describe-state-machine', '--state-machine-arn', `${stateMachineArn}-other`])).toBe(
      'StateMachineDoesNotExist',
    );
    expect(
      await errorOf(['list-executions', '--state-machine-arn', stateMachineArn, '--status-filter', 'PAUSED']),
    ).toBe('ValidationException');
    expect(
      await errorOf([
        'get-execution-history',
        '--execution-arn',
        executionArn(numbers[0] as string),
        '--starting-token',
        'garbage',
      ]),
    ).toBe('InvalidToken');
  });
});
