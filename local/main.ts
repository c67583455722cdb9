import { createServer } from 'node:net';
import path from 'node:path';
import type { Ports } from './runtime.ts';
import { dropSqliteWarning } from './sqlite-warning.ts';

/** `npm start`: the whole casework system on this machine, until Ctrl-C. */
const started = performance.now();
dropSqliteWarning();
// Imported once the filter is in place: it loads the S3 emulator, hence node:sqlite.
const { defaultPorts, PORT_VARIABLES, startLocalRuntime } = await import('./runtime.ts');
const dataDir = path.resolve(process.env.CASEWORK_DATA_DIR ?? '.casework');
const ports = defaultPorts();
// Checked before anything starts: some emulators do not report a port they could not bind.
for (const part of Object.keys(ports) as (keyof Ports)[]) {
  if (ports[part] && (await inUse(ports[part]))) {
    console.error(
      `casework cannot start: port ${ports[part]} is already in use (another casework, or another program).\n` +
        `Stop that program, or choose another port: ${PORT_VARIABLES[part]}=<port> npm start (0 picks a free one).`,
    );
    process.exit(1);
  }
}
const runtime = await startLocalRuntime({ dataDir, ports, progress: console.log });
const { urls } = runtime;
console.log(`casework is running (data in ${path.relative(process.cwd(), dataDir) || '.'}, virtual time ${runtime.clock.now().toISOString()})

  API (HTTP API emulation)   ${urls.api}
  engineers' console         ${urls.console}/
  customer portal            ${urls.portal}/
  inbound mail (SMTP)        ${urls.smtp}
  outbound mail viewer       ${urls.mailViewer}
  DynamoDB (dynalite)        ${urls.dynamodb}
  S3 (fauxqs)                ${urls.s3}
  SES v2 (aws-ses-v2-local)  ${urls.ses}
  Step Functions             ${urls.stepfunctions}
  Cognito user pool          ${urls.cognito} (the sites sign in here; invitations in the mail viewer)
  virtual clock              POST ${urls.api.replace(/\/v1$/, '')}/_local/clock {"advance":"P7D"}

  a token: npx casework token dana@acme.example
ready in ${Math.round(performance.now() - started)} ms; Ctrl-C stops`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await runtime.stop();
    console.log('casework stopped');
    process.exit(0);
  });
}

function inUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(true))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
