import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '#functions/registry.ts';
import { concurrentInvocations } from './invocations.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const ROOT = path.resolve(import.meta.dirname, '..');

export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:casework-${name}`;

/** The state machine definition with its substitutions, as the CDK stack does it on AWS. */
export function substitutedDefinition(arnOf: (name: FunctionName) => string): string {
  let text = readFileSync(path.join(ROOT, 'statemachines/case-lifecycle.asl.json'), 'utf8');
  for (const [name, spec] of Object.entries(functions)) {
    if ('substitution' in spec)
      text = text.replaceAll(`\${${spec.substitution}}`, arnOf(name as FunctionName));
  }
  return text;
}

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

/**
 * Lambda: the same handler modules, loaded once and invoked in this process, each invocation in
 * its own context; counts invocations per function into `counts`.
 */
export async function lambda(counts: Record<string, number>) {
  /** The function of each invocation in flight, by the X-Ray trace id its AWS SDK calls carry. */
  const functionOfTrace = new Map<string, FunctionName>();
  type Handler = (event: unknown, context: Context) => Promise<unknown>;
  const handlers = new Map<string, Handler>();
  const handlerOf = async (name: FunctionName) => {
    let handler = handlers.get(name);
    if (!handler) {
      handler = ((await import(path.join(ROOT, functions[name].entry))) as { handler: Handler }).handler;
      handlers.set(name, handler);
    }
    return handler;
  };
  const inInvocation = await concurrentInvocations();
  const invoke: Invoke = async (name, event) => {
    counts[name] = (counts[name] ?? 0) + 1;
    const handler = await handlerOf(name);
    const context = lambdaContext(name);
    const traceId = `Root=1-${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`;
    functionOfTrace.set(traceId, name);
    try {
      return await inInvocation(context.awsRequestId, traceId, () => handler(event, context));
    } finally {
      functionOfTrace.delete(traceId);
    }
  };
  /** The function an ARN names, as the state machine's Task states name them. */
  const byArn = (arn: string) =>
    (Object.keys(functions) as FunctionName[]).find((name) => functionArn(name) === arn);
  return { invoke, byArn, functionOfTrace };
}
