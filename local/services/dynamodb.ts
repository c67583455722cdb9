import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import dynalite from 'dynalite';
import { closeDynaliteIterators } from '../dynalite-iterators.ts';
import { close, listen, type Service } from '../http.ts';
import type { Iam } from './iam.ts';
import { startSignedFront } from './signed-front.ts';

/**
 * DynamoDB: dynalite, persisted in `<dataDir>/dynamodb`, behind a front that accepts only signed
 * requests; counts requests per operation into `counts`.
 */
export async function startDynamoDB(
  port: number,
  dataDir: string,
  counts: Record<string, number>,
  iam?: Iam,
): Promise<Service> {
  closeDynaliteIterators();
  const server = dynalite({
    path: path.join(dataDir, 'dynamodb'),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as unknown as Server;
  // Requests still in flight at stop finish before the database closes (else LevelDB rejects them
  // with "Database is closed" outside any caller).
  let inFlight = 0;
  let drained = () => {};
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    counts[operation] = (counts[operation] ?? 0) + 1;
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained();
    });
  });
  const backend = await listen(server, 0);
  const front = await startSignedFront({ iam, port, backend, service: 'dynamodb', protocol: 'json' });
  return {
    url: front.url,
    server: front.server,
    stop: async () => {
      await front.stop();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await close(server);
    },
  };
}
