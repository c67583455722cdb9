import type { IncomingMessage, Server } from 'node:http';

export type CountedService = 'dynamodb' | 's3' | 'ses' | 'stepfunctions';
export type Calls = Record<CountedService, number>;

/**
 * Counts a service's requests per calling function: the AWS SDK sends each invocation's X-Ray
 * trace id with its calls (as on Lambda), and `functionOf` knows the invocations in flight. Calls
 * from outside any invocation (the runtime, tests, tools) count under `outside`.
 */
export function countCalls(
  server: Server,
  service: CountedService,
  calls: Record<string, Calls>,
  functionOf: (traceId: string) => string | undefined,
): void {
  server.on('request', (req: IncomingMessage) => {
    const caller = functionOf(String(req.headers['x-amzn-trace-id'])) ?? 'outside';
    calls[caller] ??= { dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0 };
    calls[caller][service]++;
  });
}
