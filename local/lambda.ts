import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '#functions/registry.ts';
import { withEnvironment } from './function-env.ts';
import { concurrentInvocations } from './invocations.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const ROOT = path.resolve(import.meta.dirname, '..');

export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:casework-${name}`;

function lambdaContext(name: string): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `casework-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/casework-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export type Invoke = (name: FunctionName, event: unknown) => Promise<unknown>;

/** A function as the stack defines it: its handler's export and its environment. */
export interface FunctionDefinition {
  handlerExport: string;
  environment: Record<string, string>;
}

/**
 * Lambda: the same handler modules, loaded once and invoked in this process, each invocation in
 * its own context and with its function's environment; a function the stack does not define does
 * not exist. Counts invocations per function into `counts`.
 */
export async function lambda(
  counts: Record<string, number>,
  definitions: Map<FunctionName, FunctionDefinition>,
) {
  /** The function of each invocation in flight, by the X-Ray trace id its AWS SDK calls carry. */
  const functionOfTrace = new Map<string, FunctionName>();
  type Handler = (event: unknown, context: Context) => Promise<unknown>;
  const handlers = new Map<string, Handler>();
  const handlerOf = async (name: FunctionName, definition: FunctionDefinition) => {
    let handler = handlers.get(name);
    if (!handler) {
      const module = (await import(path.join(ROOT, functions[name].entry))) as Record<string, Handler>;
      handler = module[definition.handlerExport];
      if (typeof handler !== 'function')
        throw new Error(`${functions[name].entry} exports no ${definition.handlerExport}`);
      handlers.set(name, handler);
    }
    return handler;
  };
  const inInvocation = await concurrentInvocations();
  const invoke: Invoke = async (name, event) => {
    const definition = definitions.get(name);
    if (!definition) throw new Error(`function ${name} is not in the stack`);
    counts[name] = (counts[name] ?? 0) + 1;
    return withEnvironment(
      definition.environment,
      async () => {
        const handler = await handlerOf(name, definition);
        const context = lambdaContext(name);
        const traceId = `Root=1-${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`;
        functionOfTrace.set(traceId, name);
        try {
          return await inInvocation(context.awsRequestId, traceId, () => handler(event, context));
        } finally {
          functionOfTrace.delete(traceId);
        }
      },
      name,
    );
  };
  /** The function an ARN names, as the state machine's Task states name them. */
  const byArn = (arn: string) => [...definitions.keys()].find((name) => functionArn(name) === arn);
  return { invoke, byArn, functionOfTrace };
}
