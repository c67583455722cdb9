import http from 'node:http';
import path from 'node:path';
import { close, listen, readBody, type Service, send, urlOf } from '../http.ts';
import type { Invoke } from '../lambda.ts';
import { LocalStepFunctions, SfnError } from '../stepfunctions.ts';
import type { VirtualClock } from '../virtual-clock.ts';
import type { Iam } from './iam.ts';
import { refuse, refusePreflight } from './signed-front.ts';
import { verifySignature } from './sigv4.ts';

const JSON_1_0 = { 'content-type': 'application/x-amz-json-1.0' };

/**
 * Step Functions: the case state machine, its executions kept in `<dataDir>/stepfunctions`; signed
 * requests only.
 */
export async function startStepFunctions(options: {
  port: number;
  dataDir: string;
  clock: VirtualClock;
  name: string;
  region: string;
  account: string;
  definition: string;
  invoke: Invoke;
  byArn: (arn: string) => Parameters<Invoke>[0] | undefined;
  iam?: Iam;
}): Promise<Service & { stepFunctions: LocalStepFunctions }> {
  const { invoke, byArn, clock } = options;
  const stepFunctions = new LocalStepFunctions({
    definition: JSON.parse(options.definition),
    name: options.name,
    region: options.region,
    account: options.account,
    clock,
    dir: path.join(options.dataDir, 'stepfunctions'),
    invoke: async (arn, payload) => {
      const name = byArn(arn);
      if (!name) throw new SfnError('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
      return (await invoke(name, payload)) as never;
    },
  });
  clock.settled = () => stepFunctions.settled();

  const server = http.createServer(async (req, res) => {
    try {
      if (refusePreflight(req, res, 'json')) return;
      const raw = await readBody(req, 1024 * 1024);
      const refusal =
        (await verifySignature(req, raw, 'states')) ?? (await options.iam?.refusal('states', req, raw));
      if (refusal) return refuse(res, refusal, 'json');
      const body = JSON.parse(raw.toString() || '{}');
      send(res, 200, stepFunctions.handle(String(req.headers['x-amz-target'] ?? ''), body) ?? {}, JSON_1_0);
    } catch (error) {
      const err = error as Error;
      send(res, 400, { __type: err.name, message: err.message }, JSON_1_0);
    }
  });
  const port = await listen(server, options.port);
  return {
    url: urlOf(port),
    server,
    stepFunctions,
    stop: async () => {
      stepFunctions.close();
      await close(server);
    },
  };
}
