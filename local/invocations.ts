import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * The local runtime runs every function's invocations concurrently in one process, as Lambda does
 * when a function may run several invocations at once in one environment: there the runtime
 * gives each invocation its own `InvokeStore` context, and Powertools keeps per-invocation state
 * (log keys, correlation id, log level) in it. Doing the same here keeps concurrent invocations'
 * logs apart. Returns the function that runs one invocation in its own context.
 */
export async function concurrentInvocations() {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  // With a function name set, the AWS SDK sends each invocation's X-Ray trace id with its calls
  // (as on Lambda): the runtime counts the calls per function by it.
  process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'casework-local';
  const store = await InvokeStore.getInstanceAsync(true);
  return <T>(requestId: string, traceId: string, invocation: () => T): T =>
    store.run(
      {
        [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId,
        [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: traceId,
      },
      invocation,
    );
}
