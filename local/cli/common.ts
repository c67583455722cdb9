import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Bad input to a command: exit code 2 and a message naming the field. */
export class UsageError extends Error {}

export const fail = (field: string, message: string): never => {
  throw new UsageError(`${field}: ${message}`);
};

/** The API's base URL, given with or without its `/v1` stage path. */
export const baseUrl = () =>
  (process.env.CASEWORK_URL ?? `http://127.0.0.1:${process.env.CASEWORK_PORT ?? 4000}`).replace(
    /\/?(v1\/?)?$/,
    '',
  );

/** `parseArgs`, with an unknown option or a missing value reported as bad input naming the option. */
export function options<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  spec: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options: spec, allowPositionals, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (!code?.startsWith('ERR_PARSE_ARGS')) throw error;
    const option = /'([^' ]+)/.exec(message)?.[1] ?? 'option';
    const known = Object.keys(spec)
      .map((o) => `--${o}`)
      .join(', ');
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return fail(option, `unknown option; known: ${known}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      return fail(option, `unexpected argument${known ? `; options: ${known}` : ''}`);
    return fail(option, message.split('.')[0] ?? message);
  }
}

/** A call to the API: its JSON answer; a refusal (4xx) is bad input naming the API's field. */
export async function call(path: string, init: RequestInit = {}) {
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  } catch {
    throw new Error(`cannot reach casework at ${baseUrl()}: start it with npm start (or set CASEWORK_URL)`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    error?: { field?: string; message?: string };
    [k: string]: unknown;
  };
  if (!res.ok) {
    const message = `${body?.error?.field ?? 'request'}: ${body?.error?.message ?? res.statusText}`;
    throw res.status < 500 ? new UsageError(message) : new Error(message);
  }
  return body;
}

/** A bearer token: `CASEWORK_TOKEN` for a deployed stack, else one from the local issuer for `as`. */
export async function bearer(as: string): Promise<string> {
  if (process.env.CASEWORK_TOKEN) return process.env.CASEWORK_TOKEN;
  return (await call('/_local/token', { method: 'POST', body: JSON.stringify({ email: as }) }))
    .token as string;
}
