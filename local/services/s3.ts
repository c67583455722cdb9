import http, { type Server } from 'node:http';
import path from 'node:path';
import { startFauxqs } from 'fauxqs';
import { host, type Service, urlOf } from '../http.ts';

/** S3: fauxqs, objects in `<dataDir>/s3`. */
export async function startS3(port: number, dataDir: string): Promise<Service> {
  // fauxqs binds every interface whatever it is told: keep it on loopback.
  const original = http.Server.prototype.listen;
  let listening: Server | undefined;
  http.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    listening = this;
    const [first] = args;
    if (first && typeof first === 'object') (first as { host?: string }).host = host;
    else if (typeof first === 'number' && typeof args[1] !== 'string') args.splice(1, 0, host);
    else if (typeof first === 'number' && typeof args[1] === 'string') args[1] = host;
    return original.apply(this, args as never);
  } as typeof original;
  try {
    const server = await startFauxqs({
      port,
      host,
      logger: false,
      s3StorageDir: path.join(dataDir, 's3'),
      dataDir: path.join(dataDir, 'fauxqs'),
    });
    return { url: urlOf(server.port), stop: () => server.stop(), server: listening as Server };
  } finally {
    http.Server.prototype.listen = original;
  }
}
