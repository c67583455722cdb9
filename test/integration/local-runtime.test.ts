import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ANY_PORTS, acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';

const MONDAY = '2026-03-02T09:00:00Z';

/** A port free at this moment, for a test that must know the API's port before the runtime starts. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('the local runtime starts and restarts as a deployed stack would be seen', () => {
  // One runtime at a time: a runtime sets the process's endpoints and clock.
  let running: TestRuntime | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  it('a request reaching the API port during start-up is answered once the system is ready, never left hanging', async () => {
    const port = await freePort();
    const starting = startTestRuntime(MONDAY, undefined, { ports: { ...ANY_PORTS, api: port } });
    let answer: Response | undefined;
    // Retries only while the port refuses connections; once accepted, the request must be answered.
    while (!answer) {
      answer = await fetch(`http://127.0.0.1:${port}/v1/health`).catch(() => undefined);
      if (!answer) await new Promise((resolve) => setImmediate(resolve));
    }
    running = await starting;
    expect(answer.status).toBe(200);
    await running.stop();
    running = undefined;
  });

  it('the mail viewer dates each mail in virtual time and still shows it after a restart', async () => {
    const first = await startTestRuntime(MONDAY);
    running = first;
    const opened = await first.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase });
    expect(opened.status).toBe(201);
    const sent = await first.mails();
    expect(sent.length).toBeGreaterThan(0);
    for (const mail of sent) expect(new Date(mail.at * 1000).toISOString()).toBe('2026-03-02T09:00:00.000Z');
    await first.stop(true);

    running = await startTestRuntime(MONDAY, first.dataDir);
    expect((await running.mails()).map((m) => m.subject)).toEqual(sent.map((m) => m.subject));
  });
});
