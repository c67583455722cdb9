import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The AWS CLI as an operator runs it against a local endpoint (`.ci/run` installs Debian's
 * `awscli`): a client nobody here wrote, with the local key pair and no profile of the machine's.
 * Answers a command's JSON output; a refused command rejects with the CLI's stderr.
 */
export function awsCli(service: string, endpoint: () => string) {
  const home = mkdtempSync(path.join(tmpdir(), 'casework-aws-'));
  return async (...args: string[]) => {
    const { stdout } = await run(
      'aws',
      [service, ...args, '--endpoint-url', endpoint(), '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_CONFIG_FILE: path.join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    return JSON.parse(stdout || '{}');
  };
}
