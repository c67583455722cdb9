import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalRuntime } from '#local/runtime.ts';

/** The project's Node 22, which `npx casework` runs on. */
export const PROJECT_NODE = path.resolve('node_modules/node/bin/node');
const BIN = path.resolve('bin/casework.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `casework …` as a user does: `bin/casework.js` from a folder outside the project, with `env`
 * added to the environment. `nodeOptions` go to the Node that starts it.
 */
export function runCasework(
  args: string[],
  { env = {}, nodeOptions = [] }: { env?: Record<string, string>; nodeOptions?: string[] } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      PROJECT_NODE,
      [...nodeOptions, BIN, ...args],
      { env: { ...process.env, ...env }, cwd: tmpdir() },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The environment that points the command at a running local runtime (its API and SMTP listener). */
export const caseworkEnv = (runtime: Pick<LocalRuntime, 'urls'>) => ({
  CASEWORK_URL: runtime.urls.api.replace(/\/v1$/, ''),
  CASEWORK_SMTP_PORT: new URL(runtime.urls.smtp).port,
});

/** `--name value` for each option, `--name` alone for `true`. */
export const flags = (options: Record<string, string | true>) =>
  Object.entries(options).flatMap(([name, value]) => (value === true ? [`--${name}`] : [`--${name}`, value]));

/** A file in a fresh temporary folder, e.g. a calendar or a mail for the command to read. */
export function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'casework-cli-')), name);
  writeFileSync(file, text);
  return file;
}
