import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { apiGatewayEvent, compileRoutes, TokenBucket } from '#local/router.ts';

const request = (method: string, url: string, headers: Record<string, string | string[]>) =>
  ({
    method,
    url,
    headers,
    httpVersion: '1.1',
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;

describe('the local router builds API Gateway HTTP API (2.0) events', () => {
  const match = compileRoutes([
    'GET /v1/cases/{caseNumber}',
    'POST /v1/cases/{caseNumber}/actions/{action}',
    'POST /v1/cases',
  ]);

  it('matches route templates and decodes path parameters', () => {
    expect(match('POST', '/v1/cases/0000000042/actions/request-info')).toEqual({
      routeKey: 'POST /v1/cases/{caseNumber}/actions/{action}',
      pathParameters: { caseNumber: '0000000042', action: 'request-info' },
    });
    expect(match('GET', '/v1/cases/a%20b')?.pathParameters).toEqual({ caseNumber: 'a b' });
    expect(match('DELETE', '/v1/cases/1')).toBeUndefined();
    expect(match('GET', '/v1/cases/1/extra')).toBeUndefined();
  });

  it('has the version 2.0 shape: lower-case headers, joined query values, JWT claims as strings', () => {
    const found = match('GET', '/v1/cases/42');
    if (!found) throw new Error('no match');
    const now = new Date('2026-03-02T09:00:00Z');
    const event = apiGatewayEvent(
      request('GET', '/v1/cases/42?status=Open&status=Closed&x=1', {
        'X-Custom': 'a',
        cookie: 'a=1; b=2',
        'content-type': 'application/json',
      }),
      Buffer.from('{"a":1}'),
      found,
      { email: 'dana@acme.example', exp: 1700000000, groups: ['a', 'b'] },
      now,
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/cases/{caseNumber}',
      rawPath: '/v1/cases/42',
      rawQueryString: 'status=Open&status=Closed&x=1',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { status: 'Open,Closed', x: '1' },
      pathParameters: { caseNumber: '42' },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /v1/cases/{caseNumber}',
        stage: '$default',
        timeEpoch: now.getTime(),
        http: { method: 'GET', path: '/v1/cases/42', sourceIp: '127.0.0.1' },
        authorizer: { jwt: { claims: { email: 'dana@acme.example', exp: '1700000000', groups: '[a b]' } } },
      },
    });
    expect(event.headers['x-custom']).toBe('a');
  });

  it('base64-encodes binary bodies', () => {
    const found = match('POST', '/v1/cases');
    if (!found) throw new Error('no match');
    const event = apiGatewayEvent(
      request('POST', '/v1/cases', { 'content-type': 'application/octet-stream' }),
      Buffer.from([0, 1, 2]),
      found,
      undefined,
      new Date(),
    );
    expect(event).toMatchObject({ body: 'AAEC', isBase64Encoded: true });
  });
});

describe('the local stage throttle is a token bucket like API Gateway’s', () => {
  it('allows a burst, refuses beyond it, and refills at the rate', () => {
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, 0);
    expect([0, 0, 0, 0].map((t) => bucket.take(t))).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(60_000)).toBe(true);
    expect([60_000, 60_000, 60_000].map((t) => bucket.take(t))).toEqual([true, true, false]);
  });
});
