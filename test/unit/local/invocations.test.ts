import { describe, expect, it } from 'vitest';
import { concurrentInvocations } from '#local/invocations.ts';
import { useClock } from '#shared/clock.ts';
import { logger } from '#shared/observability.ts';

describe('concurrent invocations in the local runtime keep their logs apart, as on Lambda', () => {
  it('each invocation logs with its own correlation id, however they interleave', async () => {
    const inInvocation = await concurrentInvocations();
    const lines: string[] = [];
    const output = logger as unknown as { console: Pick<Console, 'info'> };
    const original = output.console;
    output.console = { info: (line: string) => lines.push(line) };
    try {
      await Promise.all(
        ['a', 'b', 'c'].map((id, i) =>
          inInvocation(`request-${id}`, `Root=1-00000000-${id}`, async () => {
            logger.setLogLevel('INFO'); // this invocation only: the tests' level stays SILENT
            logger.setCorrelationId(id);
            await new Promise((resolve) => setTimeout(resolve, 20 - i * 5));
            logger.info('step', { invocation: id });
          }),
        ),
      );
    } finally {
      output.console = original;
    }
    const logged = lines.map((line) => JSON.parse(line) as { invocation: string; correlation_id: string });
    expect(logged).toHaveLength(3);
    for (const line of logged) expect(line.correlation_id).toBe(line.invocation);
  });

  it('log lines carry the system clock’s time, virtual time locally (a case changed is logged when it happened)', () => {
    const lines: string[] = [];
    const output = logger as unknown as { console: Pick<Console, 'info'> };
    const original = output.console;
    output.console = { info: (line: string) => lines.push(line) };
    useClock({ now: () => new Date('2027-03-02T09:00:00Z') });
    const level = logger.getLevelName();
    try {
      logger.setLogLevel('INFO');
      logger.info('case changed', { caseNumber: '0000000001' });
    } finally {
      logger.setLogLevel(level);
      output.console = original;
    }
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'INFO',
      message: 'case changed',
      timestamp: '2027-03-02T09:00:00.000Z',
      service: 'casework',
      caseNumber: '0000000001',
    });
  });
});
