import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The bucket's CORS rule (infra: the portal's origin may PUT and GET, any header, ETag exposed),
 * put in front of the S3 emulator, which has none: preflights are answered here, and every answer
 * to that origin carries the CORS headers.
 */
export function allowBrowserOrigin(server: Server, origin: () => string) {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin !== origin()) {
      for (const handle of handlers) handle(req, res);
      return;
    }
    res.setHeader('access-control-allow-origin', origin());
    res.setHeader('access-control-expose-headers', 'ETag');
    res.setHeader('vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const method = String(req.headers['access-control-request-method']);
      if (!['PUT', 'GET'].includes(method)) {
        res.writeHead(403);
        return res.end();
      }
      res.writeHead(200, {
        'access-control-allow-methods': 'PUT, GET',
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? '*'),
        'access-control-max-age': '3000',
      });
      return res.end();
    }
    for (const handle of handlers) handle(req, res);
  });
}
