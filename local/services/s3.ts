import http, { type Server } from 'node:http';
import path from 'node:path';
import { startFauxqs } from 'fauxqs';
import { close, host, listen, type Service, urlOf } from '../http.ts';
import { completionRefusal, isListParts, listParts } from '../s3-parts.ts';
import { S3Versioning } from '../s3-versions.ts';
import type { Iam } from './iam.ts';
import { s3BodyRefusal, startSignedFront } from './signed-front.ts';

/**
 * S3: fauxqs, objects in `<dataDir>/s3`, with bucket versioning in front of it, behind a front that
 * refuses what S3 refuses and fauxqs does not: unsigned requests, bad or expired signatures, bodies
 * that do not match their checksums, a multipart upload completed without its parts' checksums.
 * ListParts, which fauxqs lacks, is answered in front of it.
 */
export async function startS3(
  port: number,
  dataDir: string,
  portalOrigin: () => string,
  iam?: Iam,
): Promise<Service> {
  // fauxqs binds every interface whatever it is told: keep it on loopback.
  const original = http.Server.prototype.listen;
  http.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (first && typeof first === 'object') (first as { host?: string }).host = host;
    else if (typeof first === 'number' && typeof args[1] !== 'string') args.splice(1, 0, host);
    else if (typeof first === 'number' && typeof args[1] === 'string') args[1] = host;
    return original.apply(this, args as never);
  } as typeof original;
  try {
    const server = await startFauxqs({
      port: 0,
      host,
      logger: false,
      s3StorageDir: path.join(dataDir, 's3'),
      dataDir: path.join(dataDir, 'fauxqs'),
    });
    // The files bucket is versioned on AWS: versioning the emulator lacks sits between the two.
    const versioning = new S3Versioning(urlOf(server.port), path.join(dataDir, 's3-versions.json'));
    // ListParts, which the emulator lacks, is answered beside it from its record of the parts.
    const versioned = http.createServer((req, res) =>
      isListParts(req) ? listParts(path.join(dataDir, 's3'), req, res) : void versioning.serve(req, res),
    );
    const versionedPort = await listen(versioned, 0);
    // The bucket's CORS rule (infra): the portal may PUT and GET from the browser, nothing else may.
    const front = await startSignedFront({
      iam,
      port,
      backend: versionedPort,
      service: 's3',
      protocol: 'xml',
      cors: { origin: portalOrigin, methods: ['PUT', 'GET'] },
      refusal: (req, body) =>
        s3BodyRefusal(req, body) ?? completionRefusal(path.join(dataDir, 's3'), req, body),
    });
    return {
      url: front.url,
      server: front.server,
      stop: async () => {
        await front.stop();
        await close(versioned);
        await server.stop();
      },
    };
  } finally {
    http.Server.prototype.listen = original;
  }
}
