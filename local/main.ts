import path from 'node:path';
import { defaultPorts, startLocalRuntime } from './runtime.ts';

/** `npm start`: the whole casework system on this machine, until Ctrl-C. */
const started = performance.now();
const dataDir = path.resolve(process.env.CASEWORK_DATA_DIR ?? '.casework');
const runtime = await startLocalRuntime({ dataDir, ports: defaultPorts(), progress: console.log });
const { urls } = runtime;
console.log(`casework is running (data in ${path.relative(process.cwd(), dataDir) || '.'}, virtual time ${runtime.clock.now().toISOString()})

  API (HTTP API emulation)   ${urls.api}
  operator console           ${urls.console}
  inbound mail (SMTP)        ${urls.smtp}
  outbound mail viewer       ${urls.mailViewer}
  DynamoDB (dynalite)        ${urls.dynamodb}
  S3 (fauxqs)                ${urls.s3}
  SES v2 (aws-ses-v2-local)  ${urls.ses}
  Step Functions             ${urls.stepfunctions}
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
