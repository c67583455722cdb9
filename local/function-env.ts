import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';

/** The header telling the local emulators which function calls them (for its IAM policy). */
export const CALLER_HEADER = 'x-casework-function';

const current = new AsyncLocalStorage<{ name?: string; environment: Record<string, string> }>();
/** The variables the stack sets on some function: inside an invocation, only its own are seen. */
let governed = new Set<string>();
let installed = false;

/**
 * Lambda gives each function its own environment; the local runtime runs every function in one
 * process. So `process.env` is made to answer, inside an invocation, the invoked function's own
 * value for every variable the stack sets on any function (a variable the stack does not set on
 * this function reads as unset, as it would on AWS). Everything else (the SDK's endpoints, the
 * local settings) reads from the process's environment.
 */
export function governVariables(names: Iterable<string>): void {
  governed = new Set(names);
  if (installed) return;
  installed = true;
  const own = (key: string | symbol) => {
    const env = current.getStore()?.environment;
    return env && typeof key === 'string' && governed.has(key) ? env : undefined;
  };
  // Requests a function makes name it, so the emulators check them against its policy (on AWS the
  // function's role credentials say who it is; here every function signs with the one local key).
  const request = http.request;
  http.request = ((...args: unknown[]) => {
    const name = currentFunction();
    const options = args[0] as http.RequestOptions | string | URL;
    if (name && typeof options === 'object' && !(options instanceof URL))
      args[0] = { ...options, headers: { ...options.headers, [CALLER_HEADER]: name } };
    return (request as (...a: unknown[]) => http.ClientRequest)(...args);
  }) as typeof http.request;
  process.env = new Proxy(process.env, {
    // Writes go to the process's environment (which takes only plain values, not descriptors).
    set: (target, key, value) => Reflect.set(target, key, value),
    get: (target, key) => {
      const env = own(key);
      return env ? env[key as string] : Reflect.get(target, key);
    },
    has: (target, key) => {
      const env = own(key);
      return env ? key in env : Reflect.has(target, key);
    },
    getOwnPropertyDescriptor: (target, key) => {
      const env = own(key);
      if (!env) return Reflect.getOwnPropertyDescriptor(target, key);
      return key in env
        ? { value: env[key as string], writable: true, enumerable: true, configurable: true }
        : undefined;
    },
  });
}

/** Runs `invocation` as function `name`, with its environment. */
export function withEnvironment<T>(
  environment: Record<string, string>,
  invocation: () => T,
  name?: string,
): T {
  return current.run({ name, environment }, invocation);
}

/** The function whose invocation this code runs in, if any. */
export const currentFunction = (): string | undefined => current.getStore()?.name;
