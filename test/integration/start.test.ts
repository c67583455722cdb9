import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const FREE_PORTS = {
  CASEWORK_PORT: '0',
  CASEWORK_DYNAMODB_PORT: '0',
  CASEWORK_S3_PORT: '0',
  CASEWORK_SES_PORT: '0',
  CASEWORK_SFN_PORT: '0',
  CASEWORK_SMTP_PORT: '0',
};

let started: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  if (started?.pid && started.exitCode === null) process.kill(-started.pid, 'SIGINT');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` as a user runs it, until it prints `until` or exits. */
const npmStart = (env: Record<string, string>, until: string) =>
  start('npm', ['run', '--silent', 'start'], env, until);

/** Starts casework with `command`, until it prints `until` or exits. */
function start(command: string, args: string[], env: Record<string, string>, until: string) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'casework-start-'));
  started = spawn(command, args, {
    env: { ...process.env, ...FREE_PORTS, CASEWORK_DATA_DIR: dataDir, ...env },
    detached: true,
  });
  const child = started;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    child.stdout?.on('data', () => {
      if (stdout.includes(until)) resolve({ stdout, stderr, code: null });
    });
    child.on('exit', (code) => resolve({ stdout, stderr, code }));
  });
}

describe('npm start', () => {
  it('prints every address, the portal, the console and the user pool included, and no runtime warning', async () => {
    const run = await npmStart({}, 'Ctrl-C stops');
    expect(run.stdout).toMatch(/engineers' console\s+http:\/\/127\.0\.0\.1:\d+\/console\//);
    expect(run.stdout).toMatch(/customer portal\s+http:\/\/127\.0\.0\.1:\d+\/portal\//);
    expect(run.stdout).toMatch(/Cognito user pool\s+http:\/\/127\.0\.0\.1:\d+ /);
    expect(run.stderr).toBe('');
  }, 60_000);

  it('node local/main.ts, run directly without npm, prints no experimental-SQLite warning and becomes ready', async () => {
    const node = path.resolve('node_modules/node/bin/node'); // Node 22, as npm start runs it
    const run = await start(node, ['local/main.ts'], {}, 'Ctrl-C stops');
    expect(run.stdout).toMatch(/ready in \d+ ms; Ctrl-C stops/);
    expect(run.stderr).not.toContain('ExperimentalWarning');
    expect(run.stderr).toBe('');
  }, 60_000);

  it('a port in use stops the start with a message naming its variable, not a stack trace', async () => {
    const busy: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const run = await npmStart({ CASEWORK_SES_PORT: String(port) }, 'Ctrl-C stops');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} is already in use`);
      expect(run.stderr).toContain(`CASEWORK_SES_PORT=<port> npm start`);
      expect(run.stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      busy.close();
    }
  }, 60_000);
});
