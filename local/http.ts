import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Everything local listens on loopback only. */
export const host = '127.0.0.1';

export const urlOf = (port: number) => `http://${host}:${port}`;

export const addressOf = (server: { address(): AddressInfo | string | null }) =>
  (server.address() as AddressInfo).port;

/** Listens on `port` (0: any free one); a port in use rejects. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(addressOf(server)));
  });
}

export function close(server: {
  close(cb: (err?: Error) => void): unknown;
  closeAllConnections?: () => void;
}): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // The rest is read and dropped, not reset: the client gets its 413 once it has sent the body.
      if (size > limit) {
        chunks.length = 0;
        reject(Object.assign(new Error('payload too large'), { status: 413 }));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export const errorJson = (code: string, message: string) => ({ error: { code, message } });

/** What each emulated service answers when started. */
export interface Service {
  url: string;
  stop(): Promise<void>;
  /** The HTTP server answering it (the runtime counts its requests). */
  server?: Server;
}
