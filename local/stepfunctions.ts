import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * A Step Functions endpoint over the ASL interpreter aws-local-stepfunctions, for the real
 * `@aws-sdk/client-sfn`. The interpreter has no callbacks, so `.waitForTaskToken` is emulated here:
 * each wait gets a fresh token, registered until SendTaskSuccess/SendTaskFailure or its timeout,
 * which the virtual clock (not a real timer) fires as `States.Timeout`.
 *
 * Executions are kept in `dir` as Step Functions keeps them: a summary and the event history of
 * each, on disk, so that they outlive a restart, until 90 days after they closed. An execution that was running when the last run
 * stopped is redriven from its start state with its original input (an `ExecutionRedriven` event
 * in the same history): the entry Choice resumes it at its case's status.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Definition = {
  States: Record<string, Record<string, Json>>;
  [key: string]: Json | Record<string, Record<string, Json>>;
};

export type Invoke = (functionName: string, payload: Json) => Promise<Json>;

const TOKEN_PLACEHOLDER = '__casework_task_token__';
/** Longest timeout Node's timers take; the virtual clock, not the interpreter, times waits out. */
const NO_INTERPRETER_TIMEOUT = 2_147_483;

export class SfnError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

interface Execution {
  executionArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Events recorded so far; the events themselves are in the execution's history file. */
  events: number;
  redriveCount?: number;
  redriveDate?: number;
  busy: boolean;
  abort: () => void;
}

/** What is kept of an execution besides its history. */
type Summary = Omit<Execution, 'busy' | 'abort'>;

interface PendingWait {
  execution: Execution;
  resolve: (output: Json) => void;
  reject: (error: Error) => void;
  cancelTimer: () => void;
}

/** Moves a wait's timeout into its parameters, where the local handler reads it from the state input. */
function localDefinition(definition: Definition): {
  definition: Definition;
  tokenStates: Set<string>;
  taskStates: string[];
} {
  const copy = structuredClone(definition);
  const tokenStates = new Set<string>();
  const taskStates: string[] = [];
  for (const [name, state] of Object.entries(copy.States)) {
    if (state.Type !== 'Task') continue;
    taskStates.push(name);
    if (String(state.Resource).endsWith('.waitForTaskToken')) {
      tokenStates.add(name);
      const parameters = (state.Parameters ?? {}) as Record<string, Json>;
      if (state.TimeoutSecondsPath) parameters['__timeoutSeconds.$'] = state.TimeoutSecondsPath;
      else if (state.TimeoutSeconds) parameters.__timeoutSeconds = state.TimeoutSeconds;
      state.Parameters = parameters;
      delete state.TimeoutSecondsPath;
    }
    state.TimeoutSeconds = NO_INTERPRETER_TIMEOUT;
  }
  return { definition: copy, tokenStates, taskStates };
}

function replaceToken(value: Json, token: string): Json {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((v) => replaceToken(v, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
  }
  return value;
}

const seconds = (ms: number) => ms / 1000;

/** Step Functions keeps a closed Standard execution for 90 days; so does the local endpoint. */
const RETENTION_MS = 90 * 86_400_000;
/** A closed execution may be redriven for 14 days. */
const REDRIVE_MS = 14 * 86_400_000;

const ARN = /^arn:aws:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):[\w-]{1,80}(:[\w-]{1,80})?$/;

/** Step Functions answers InvalidArn for an ARN it cannot parse or of the wrong resource type. */
function validArn(arn: unknown, type: 'stateMachine' | 'execution'): asserts arn is string {
  const match = typeof arn === 'string' ? ARN.exec(arn) : null;
  if (!match) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  if (match[1] !== type || (type === 'execution') !== Boolean(match[2]))
    throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${match[1]}'`);
}

const validation = (field: string, value: unknown, constraint: string) =>
  new SfnError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );

/**
 * One page of `all`: `maxResults` (0 or absent means the default, at most 1000) from the position
 * an opaque `nextToken` names; an unreadable token is InvalidToken, as Step Functions answers.
 */
/** The event a history page's token names; an invalid token is refused as Step Functions does. */
function tokenEventId(token: unknown): number {
  const eventId = (() => {
    try {
      return JSON.parse(Buffer.from(String(token), 'base64url').toString()).eventId;
    } catch {
      return undefined;
    }
  })();
  if (!Number.isInteger(eventId) || eventId < 0)
    throw new SfnError('InvalidToken', `Invalid Token: '${String(token)}'`);
  return eventId;
}

function page<T>(all: T[], body: { maxResults?: unknown; nextToken?: unknown }, byDefault: number) {
  const max = body.maxResults ?? 0;
  if (!Number.isInteger(max) || (max as number) < 0 || (max as number) > 1000)
    throw validation('maxResults', max, 'Member must have value between 0 and 1000');
  const size = (max as number) || byDefault;
  let start = 0;
  if (body.nextToken !== undefined) {
    const offset = (() => {
      try {
        return JSON.parse(Buffer.from(String(body.nextToken), 'base64url').toString()).offset;
      } catch {
        return undefined;
      }
    })();
    if (!Number.isInteger(offset) || offset < 0 || offset > all.length)
      throw new SfnError('InvalidToken', `Invalid Token: '${String(body.nextToken)}'`);
    start = offset;
  }
  const end = start + size;
  return {
    items: all.slice(start, end),
    nextToken:
      end < all.length ? Buffer.from(JSON.stringify({ offset: end })).toString('base64url') : undefined,
  };
}

/** An event without its input and output, as `includeExecutionData: false` asks. */
function withoutData(event: HistoryEvent): HistoryEvent {
  const copy = structuredClone(event);
  for (const value of Object.values(copy))
    if (value && typeof value === 'object')
      for (const field of ['input', 'output'])
        if (field in value) delete (value as Record<string, unknown>)[field];
  return copy;
}

export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  private readonly tokenStates: Set<string>;
  private readonly taskStates: string[];
  private readonly executions = new Map<string, Execution>();
  private readonly waits = new Map<string, PendingWait>();
  private readonly finishedTokens = new Set<string>();
  /** Set on shutdown: what the interrupted executions still do is not recorded. */
  private closed = false;
  /** Executions found running on disk at start: the last run stopped under them. */
  private readonly interrupted = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private readonly source: Definition;
  private readonly created: number;

  private readonly options: {
    definition: Definition;
    name: string;
    region: string;
    account: string;
    clock: VirtualClock;
    invoke: Invoke;
    /** Where executions and their histories are kept. */
    dir: string;
  };

  constructor(options: LocalStepFunctions['options']) {
    this.options = options;
    this.source = options.definition;
    this.stateMachineArn = `arn:aws:states:${options.region}:${options.account}:stateMachine:${options.name}`;
    const local = localDefinition(options.definition);
    this.tokenStates = local.tokenStates;
    this.taskStates = local.taskStates;
    // Built once: each construction validates the definition, which is slow.
    this.machine = new StateMachine(local.definition as never, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    this.created = options.clock.now().getTime();
    mkdirSync(options.dir, { recursive: true });
    for (const file of readdirSync(options.dir).filter((f) => f.endsWith('.json'))) {
      const summary = JSON.parse(readFileSync(path.join(options.dir, file), 'utf8')) as Summary;
      if (summary.stopDate && this.created - summary.stopDate * 1000 > RETENTION_MS) {
        for (const kind of ['json', 'events.jsonl'] as const)
          rmSync(this.file(summary, kind), { force: true });
        continue;
      }
      // Named after this state machine, whatever it was called when the execution was kept.
      const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${summary.name}`;
      const execution: Execution = { ...summary, executionArn, busy: false, abort: () => {} };
      this.executions.set(executionArn, execution);
      if (execution.status !== 'RUNNING') continue;
      // Its summary was last saved when it started: count the events it recorded since.
      execution.events = this.history(execution).length;
      this.interrupted.add(execution.executionArn);
    }
  }

  private file(execution: { name: string }, kind: 'json' | 'events.jsonl'): string {
    return path.join(this.options.dir, `${execution.name}.${kind}`);
  }

  private save(execution: Execution): void {
    const { busy: _b, abort: _a, ...summary } = execution;
    writeFileSync(this.file(execution, 'json'), JSON.stringify(summary));
  }

  private history(execution: Execution): HistoryEvent[] {
    try {
      return readFileSync(this.file(execution, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as HistoryEvent);
    } catch {
      return [];
    }
  }

  /** Resolves once no execution is running a step (all are waiting or finished). */
  settled(): Promise<void> {
    if (![...this.executions.values()].some((e) => e.busy)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private setBusy(execution: Execution, busy: boolean): void {
    execution.busy = busy;
    if (!busy) {
      // Let the interpreter's continuations run before deciding the system is idle.
      setImmediate(() => {
        if ([...this.executions.values()].some((e) => e.busy)) return;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      });
    }
  }

  private record(execution: Execution, type: string, details: Record<string, unknown> = {}): void {
    if (this.closed) return;
    const id = ++execution.events;
    const event = {
      id,
      previousEventId: id - 1,
      timestamp: seconds(this.options.clock.now().getTime()),
      type,
    };
    appendFileSync(this.file(execution, 'events.jsonl'), `${JSON.stringify({ ...event, ...details })}\n`);
  }

  private handlers(execution: Execution) {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const stateName of this.taskStates) {
      handlers[stateName] = async (input: Json) => {
        const params = { ...(input as Record<string, Json>) };
        const functionName = String(params.FunctionName);
        const resourceType = 'lambda';
        // Let the interpreter's log catch up (the Choice before this Task), then record the Task
        // here rather than from the log, so the history reads in order.
        await new Promise((resolve) => setImmediate(resolve));
        this.record(execution, 'TaskStateEntered', {
          stateEnteredEventDetails: { name: stateName, input: JSON.stringify(input) },
        });
        this.record(execution, 'TaskScheduled', {
          taskScheduledEventDetails: {
            resourceType,
            resource: 'invoke',
            region: this.options.region,
            parameters: JSON.stringify(params),
          },
        });
        this.record(execution, 'TaskStarted', {
          taskStartedEventDetails: { resourceType, resource: 'invoke' },
        });
        if (!this.tokenStates.has(stateName)) {
          const payload = await this.invokeRecorded(execution, functionName, params.Payload ?? null);
          const result = { Payload: payload, StatusCode: 200 };
          this.record(execution, 'TaskSucceeded', {
            taskSucceededEventDetails: { resourceType, resource: 'invoke', output: JSON.stringify(result) },
          });
          return result;
        }
        const timeoutSeconds = Number(params.__timeoutSeconds ?? NO_INTERPRETER_TIMEOUT);
        delete params.__timeoutSeconds;
        const token = `${randomUUID()}${randomUUID()}`.replace(/-/g, '');
        const outcome = new Promise<Json>((resolve, reject) => {
          const due = new Date(this.options.clock.now().getTime() + timeoutSeconds * 1000);
          const cancelTimer = this.options.clock.schedule(
            due,
            () => {
              if (!this.waits.delete(token)) return;
              this.finishedTokens.add(token);
              this.setBusy(execution, true);
              this.record(execution, 'TaskTimedOut', {
                taskTimedOutEventDetails: {
                  resourceType,
                  resource: 'invoke.waitForTaskToken',
                  error: 'States.Timeout',
                },
              });
              // As on AWS, a States.TaskFailed retrier must not catch a timeout: the interpreter only
              // knows its own timeout class, so this one says it is not for retriers (none lists it).
              reject(
                Object.assign(new SfnError('States.Timeout', 'the task timed out'), { isRetryable: false }),
              );
            },
            `${execution.name}: ${stateName} timed out`,
          );
          this.waits.set(token, { execution, resolve, reject, cancelTimer });
        });
        outcome.catch(() => {}); // handled by the interpreter below
        try {
          await this.invokeRecorded(execution, functionName, replaceToken(params.Payload ?? null, token));
        } catch (error) {
          // The task failed before its wait began (`CaseMoved`, say): no token to wait for any more.
          this.waits.get(token)?.cancelTimer();
          this.waits.delete(token);
          this.finishedTokens.add(token);
          throw error;
        }
        this.record(execution, 'TaskSubmitted', {
          taskSubmittedEventDetails: { resourceType, resource: 'invoke.waitForTaskToken' },
        });
        this.setBusy(execution, false);
        return outcome;
      };
    }
    return handlers;
  }

  private async invokeRecorded(execution: Execution, functionName: string, payload: Json): Promise<Json> {
    try {
      return await this.options.invoke(functionName, payload);
    } catch (error) {
      const err = error as Error;
      this.record(execution, 'TaskFailed', {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: err.name,
          cause: err.message,
        },
      });
      throw err;
    }
  }

  private async follow(
    execution: Execution,
    logs: AsyncGenerator<{ type: string; [k: string]: unknown }>,
  ): Promise<void> {
    for await (const event of logs) {
      const state = event.state as
        | { name: string; type: string; input: unknown; output?: unknown }
        | undefined;
      if (event.type === 'StateEntered' && state && state.type !== 'Task') {
        this.record(execution, `${state.type}StateEntered`, {
          stateEnteredEventDetails: { name: state.name, input: JSON.stringify(state.input) },
        });
      } else if (event.type === 'StateExited' && state) {
        this.record(execution, `${state.type}StateExited`, {
          stateExitedEventDetails: { name: state.name, output: JSON.stringify(state.output ?? null) },
        });
      }
    }
  }

  startExecution(body: { stateMachineArn?: unknown; name?: string; input?: string }) {
    this.ownStateMachine(body.stateMachineArn);
    const name = body.name ?? randomUUID();
    if (!/^[\w-]{1,80}$/.test(name))
      throw new SfnError('InvalidName', `Invalid Name: '${name}' (1 to 80 letters, digits, - and _)`);
    const input = body.input ?? '{}';
    const executionArn = `arn:aws:states:${this.options.region}:${this.options.account}:execution:${this.options.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn, startDate: existing.startDate };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    try {
      JSON.parse(input);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const execution: Execution = {
      executionArn,
      name,
      input,
      status: 'RUNNING',
      startDate: seconds(this.options.clock.now().getTime()),
      events: 0,
      busy: true,
      abort: () => {},
    };
    this.executions.set(executionArn, execution);
    this.save(execution);
    this.record(execution, 'ExecutionStarted', {
      executionStartedEventDetails: { input, roleArn: 'arn:aws:iam::000000000000:role/local' },
    });
    this.run(execution);
    return { executionArn, startDate: execution.startDate };
  }

  /**
   * Runs again, from the start state and with their original input, the executions that were
   * running when the last run of the local system stopped.
   */
  redriveInterrupted(): number {
    const interrupted = [...this.interrupted].map((arn) => this.executionOf(arn));
    this.interrupted.clear();
    for (const execution of interrupted) this.redrive(execution);
    return interrupted.length;
  }

  /**
   * Redrives an execution in the same history (an `ExecutionRedriven` event). Step Functions
   * resumes at the state that failed; here it starts again from the start state with its
   * original input, whose entry Choice resumes at the case's status.
   */
  private redrive(execution: Execution): void {
    execution.redriveCount = (execution.redriveCount ?? 0) + 1;
    execution.redriveDate = seconds(this.options.clock.now().getTime());
    execution.status = 'RUNNING';
    for (const closed of ['stopDate', 'output', 'error', 'cause'] as const) delete execution[closed];
    execution.busy = true;
    this.save(execution);
    this.record(execution, 'ExecutionRedriven', {
      executionRedrivenEventDetails: { redriveCount: execution.redriveCount },
    });
    this.run(execution);
  }

  private run(execution: Execution): void {
    const parsed = JSON.parse(execution.input) as Json;
    const run = this.machine.run(parsed, {
      overrides: {
        taskResourceLocalHandlers: this.handlers(execution) as never,
        retryIntervalOverrides: new Proxy({}, { get: () => 10 }),
      },
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          Input: parsed,
          StartTime: new Date(execution.startDate * 1000).toISOString(),
        },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
      noThrowOnAbort: true,
    });
    execution.abort = run.abort;
    void this.follow(execution, run.eventLogs as never);
    run.result.then(
      (output) => {
        if (this.closed || execution.status !== 'RUNNING') return;
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
        execution.stopDate = seconds(this.options.clock.now().getTime());
        this.record(execution, 'ExecutionSucceeded', {
          executionSucceededEventDetails: { output: execution.output },
        });
        this.save(execution);
        this.setBusy(execution, false);
      },
      (error: Error & { cause?: unknown }) => {
        if (this.closed || execution.status !== 'RUNNING') return;
        const cause = (error as { cause?: Error }).cause;
        execution.status = 'FAILED';
        execution.error = cause?.name ?? error.name;
        execution.cause = cause?.message ?? error.message;
        execution.stopDate = seconds(this.options.clock.now().getTime());
        this.record(execution, 'ExecutionFailed', {
          executionFailedEventDetails: { error: execution.error, cause: execution.cause },
        });
        this.save(execution);
        this.setBusy(execution, false);
      },
    );
  }

  /** The names of the executions kept (running, or closed within 90 days). */
  executionNames(): string[] {
    return [...this.executions.values()].map((e) => e.name);
  }

  private executionOf(arn: unknown): Execution {
    validArn(arn, 'execution');
    const execution = this.executions.get(arn);
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** The one state machine, or the errors Step Functions answers for a malformed or unknown ARN. */
  private ownStateMachine(arn: unknown): void {
    validArn(arn, 'stateMachine');
    if (arn !== this.stateMachineArn)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }

  /** Step Functions lets a closed execution be redriven for 14 days, unless it succeeded. */
  private redriveStatus(e: Execution): { redriveStatus: string; redriveStatusReason?: string } {
    if (e.status === 'RUNNING')
      return {
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
      };
    if (e.status === 'SUCCEEDED')
      return {
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      };
    if (this.options.clock.now().getTime() - (e.stopDate ?? 0) * 1000 > REDRIVE_MS)
      return {
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution can only be redriven within 14 days of its stop date',
      };
    return { redriveStatus: 'REDRIVABLE' };
  }

  describeExecution(body: { executionArn?: unknown }) {
    const e = this.executionOf(body.executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate,
      input: e.input,
      inputDetails: { included: true },
      output: e.output,
      ...(e.output === undefined ? {} : { outputDetails: { included: true } }),
      error: e.error,
      cause: e.cause,
      redriveCount: e.redriveCount ?? 0,
      redriveDate: e.redriveDate,
      ...this.redriveStatus(e),
    };
  }

  listExecutions(body: {
    stateMachineArn?: unknown;
    statusFilter?: unknown;
    redriveFilter?: unknown;
    maxResults?: unknown;
    nextToken?: unknown;
  }) {
    this.ownStateMachine(body.stateMachineArn);
    const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
    if (body.statusFilter !== undefined && !statuses.includes(String(body.statusFilter)))
      throw validation(
        'statusFilter',
        body.statusFilter,
        `Member must satisfy enum value set: [${statuses}]`,
      );
    const redriveFilters = ['REDRIVEN', 'NOT_REDRIVEN'];
    if (body.redriveFilter !== undefined && !redriveFilters.includes(String(body.redriveFilter)))
      throw validation(
        'redriveFilter',
        body.redriveFilter,
        `Member must satisfy enum value set: [${redriveFilters}]`,
      );
    const all = [...this.executions.values()]
      .filter((e) => body.statusFilter === undefined || e.status === body.statusFilter)
      .filter(
        (e) =>
          body.redriveFilter === undefined || (body.redriveFilter === 'REDRIVEN') === Boolean(e.redriveCount),
      )
      .sort((a, b) => b.startDate - a.startDate || (a.name < b.name ? -1 : 1));
    const { items, nextToken } = page(all, body, 100);
    return {
      executions: items.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: this.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        stopDate: e.stopDate,
        redriveCount: e.redriveCount ?? 0,
        redriveDate: e.redriveDate,
      })),
      nextToken,
    };
  }

  getExecutionHistory(body: {
    executionArn?: unknown;
    maxResults?: unknown;
    reverseOrder?: unknown;
    nextToken?: unknown;
    includeExecutionData?: unknown;
  }) {
    const e = this.executionOf(body.executionArn);
    const reverse = body.reverseOrder === true;
    const history = this.history(e);
    const events = reverse ? history.reverse() : history;
    // The token names the last event answered, not a position: a running execution's history grows
    // between two pages, which must neither repeat nor skip an event.
    const after = body.nextToken === undefined ? undefined : tokenEventId(body.nextToken);
    const rest =
      after === undefined
        ? events
        : events.filter((event) => (reverse ? event.id < after : event.id > after));
    const { items } = page(rest, { maxResults: body.maxResults }, 100);
    const last = items.at(-1);
    const nextToken =
      last && rest.length > items.length
        ? Buffer.from(JSON.stringify({ eventId: last.id })).toString('base64url')
        : undefined;
    return { events: body.includeExecutionData === false ? items.map(withoutData) : items, nextToken };
  }

  private takeWait(token: string | undefined): PendingWait {
    const wait = token ? this.waits.get(token) : undefined;
    if (!wait || !token) {
      if (token && this.finishedTokens.has(token)) throw new SfnError('TaskTimedOut', 'Task Timed Out');
      throw new SfnError('InvalidToken', 'Invalid token');
    }
    this.waits.delete(token);
    this.finishedTokens.add(token);
    wait.cancelTimer();
    this.setBusy(wait.execution, true);
    return wait;
  }

  sendTaskSuccess(body: { taskToken?: string; output?: string }) {
    let output: Json;
    try {
      output = JSON.parse(body.output ?? 'null');
    } catch {
      throw new SfnError('InvalidOutput', 'Invalid output: not JSON');
    }
    const wait = this.takeWait(body.taskToken);
    this.record(wait.execution, 'TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        output: body.output,
      },
    });
    wait.resolve(output);
    return {};
  }

  sendTaskFailure(body: { taskToken?: string; error?: string; cause?: string }) {
    const wait = this.takeWait(body.taskToken);
    this.record(wait.execution, 'TaskFailed', {
      taskFailedEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        error: body.error,
        cause: body.cause,
      },
    });
    wait.reject(new SfnError(body.error ?? 'Error', body.cause ?? ''));
    return {};
  }

  stopExecution(body: { executionArn?: unknown; error?: string; cause?: string }) {
    const e = this.executionOf(body.executionArn);
    if (e.status === 'RUNNING') {
      for (const [token, wait] of this.waits) {
        if (wait.execution !== e) continue;
        wait.cancelTimer();
        this.waits.delete(token);
        this.finishedTokens.add(token);
      }
      e.status = 'ABORTED';
      e.error = body.error;
      e.cause = body.cause;
      e.stopDate = seconds(this.options.clock.now().getTime());
      this.record(e, 'ExecutionAborted', {
        executionAbortedEventDetails: { error: body.error, cause: body.cause },
      });
      this.save(e);
      e.abort();
      this.setBusy(e, false);
    }
    return { stopDate: e.stopDate };
  }

  redriveExecution(body: { executionArn?: unknown }) {
    const e = this.executionOf(body.executionArn);
    const { redriveStatus, redriveStatusReason } = this.redriveStatus(e);
    if (redriveStatus !== 'REDRIVABLE')
      throw new SfnError('ExecutionNotRedrivable', `Execution not redrivable: ${redriveStatusReason}`);
    this.redrive(e);
    return { redriveDate: e.redriveDate };
  }

  private stateMachineDescription() {
    return {
      stateMachineArn: this.stateMachineArn,
      name: this.options.name,
      definition: JSON.stringify(this.source),
      roleArn: `arn:aws:iam::${this.options.account}:role/local`,
    };
  }

  describeStateMachine(body: { stateMachineArn?: unknown }) {
    this.ownStateMachine(body.stateMachineArn);
    return {
      ...this.stateMachineDescription(),
      status: 'ACTIVE',
      type: 'STANDARD',
      creationDate: seconds(this.created),
    };
  }

  describeStateMachineForExecution(body: { executionArn?: unknown }) {
    this.executionOf(body.executionArn);
    return { ...this.stateMachineDescription(), updateDate: seconds(this.created) };
  }

  listStateMachines(body: { maxResults?: unknown; nextToken?: unknown }) {
    const { items, nextToken } = page([this], body, 100);
    return {
      stateMachines: items.map(() => ({
        stateMachineArn: this.stateMachineArn,
        name: this.options.name,
        type: 'STANDARD',
        creationDate: seconds(this.created),
      })),
      nextToken,
    };
  }

  /** Serves one AWS JSON 1.0 request (`X-Amz-Target: AWSStepFunctions.<Operation>`). */
  handle(target: string, body: Record<string, unknown>): unknown {
    const operation = target.replace(/^AWSStepFunctions\./, '');
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'DescribeExecution':
        return this.describeExecution(body);
      case 'ListExecutions':
        return this.listExecutions(body);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(body);
      case 'SendTaskSuccess':
        return this.sendTaskSuccess(body);
      case 'SendTaskFailure':
        return this.sendTaskFailure(body);
      case 'StopExecution':
        return this.stopExecution(body);
      case 'RedriveExecution':
        return this.redriveExecution(body);
      case 'DescribeStateMachine':
        return this.describeStateMachine(body);
      case 'DescribeStateMachineForExecution':
        return this.describeStateMachineForExecution(body);
      case 'ListStateMachines':
        return this.listStateMachines(body);
      default:
        throw new SfnError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  /** Stops every running execution (shutdown), without recording them as aborted: the next start redrives them. */
  close(): void {
    this.closed = true;
    for (const wait of this.waits.values()) wait.cancelTimer();
    this.waits.clear();
    for (const e of this.executions.values()) if (e.status === 'RUNNING') e.abort();
  }
}
