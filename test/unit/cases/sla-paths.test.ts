import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '#shared/cases/model.ts';
import { explainedTargets, nextTargetDeadline, slaExplanation, slaStatus } from '#shared/cases/sla.ts';
import { planNamed } from '#shared/catalogue/index.ts';
import { stepBusinessTimeBetween } from '#shared/sla/business-time.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { type Outcome, parseSpan, TARGET_KINDS, type TargetKind } from '#shared/sla/targets.ts';
import { caseAndNow } from './sla-arbitraries.ts';

const ACTED: Record<TargetKind, 'respondedAt' | 'restoredAt' | 'resolvedAt' | 'rcaDeliveredAt'> = {
  response: 'respondedAt',
  restoration: 'restoredAt',
  resolution: 'resolvedAt',
  rootCause: 'rcaDeliveredAt',
};

/**
 * The clocks as the SPEC reads them (§4), from the explaining path: each due instant counted
 * interval by interval, the remaining business time summed day by day.
 */
function explainedClocks(c: CaseRecord, now: Date) {
  const targets = explainedTargets(c, now);
  if (!targets) return null;
  const calendar = calendarOf(c.centre);
  const closedAt = c.status === 'Closed' && c.closedAt ? Date.parse(c.closedAt) : Number.POSITIVE_INFINITY;
  const asOf = Math.min(closedAt, now.getTime());
  return Object.fromEntries(
    TARGET_KINDS.map((kind) => {
      const { target, due } = targets[kind];
      const acted = c[ACTED[kind]];
      const waived = kind === 'resolution' && !!c.defectCorrection && !planNamed(c.plan).cloud;
      let outcome: Outcome = { state: 'pending' };
      if (!waived && c.slaOutcomes?.[kind]) outcome = c.slaOutcomes[kind] as Outcome;
      else if (!target) outcome = { state: 'n/a' };
      else if (due && acted && Date.parse(acted) <= due.getTime()) outcome = { state: 'met', at: acted };
      else if (due && (acted || asOf > due.getTime())) outcome = { state: 'breached', at: due.toISOString() };
      if (c.status === 'Closed' && outcome.state === 'pending') outcome = { state: 'n/a' };
      const business = !!target && parseSpan(target).unit.startsWith('B');
      const remainingMs =
        outcome.state === 'pending' && due
          ? business
            ? stepBusinessTimeBetween(calendar, now.getTime(), due.getTime())
            : due.getTime() - now.getTime()
          : null;
      return [kind, { target, due: due?.toISOString() ?? null, outcome, remainingMs }];
    }),
  );
}

describe('the clocks the product reads are the explained ones (SPEC §4)', () => {
  it('for random cases (every plan, severity and centre; raises, grace periods, pauses, closures and reopenings): due instants, outcomes and remaining business time', () => {
    fc.assert(
      fc.property(caseAndNow, ({ c, now }) => {
        const fast = slaStatus(c, now);
        const explained = explainedClocks(c, now);
        if (!fast || !explained) {
          expect(fast).toBe(explained);
          return;
        }
        for (const kind of TARGET_KINDS) {
          const s = fast[kind];
          expect(
            {
              target: s.target,
              due: s.due?.toISOString() ?? null,
              outcome: s.outcome,
              remainingMs: s.remainingMs,
            },
            kind,
          ).toEqual(explained[kind]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the next deadline is the earliest due instant of a pending target whose clock runs', () => {
    fc.assert(
      fc.property(caseAndNow, ({ c, now }) => {
        const status = slaStatus(c, now);
        const dues = Object.values(status ?? {})
          .filter((s) => s.outcome.state === 'pending' && !s.paused && s.due)
          .map((s) => s.due?.getTime() as number);
        const expected = c.status !== 'Closed' && dues.length ? new Date(Math.min(...dues)) : null;
        expect(nextTargetDeadline(c, now)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('the API shows each clock as a plain object, its due instant written out as an ISO instant', () => {
    fc.assert(
      fc.property(caseAndNow, ({ c, now }) => {
        const status = slaStatus(c, now);
        const plain =
          status &&
          Object.fromEntries(
            TARGET_KINDS.map((kind) => {
              const s = status[kind];
              const { target, due, pausable, paused, outcome, remainingMs } = s;
              return [kind, { target, due, pausable, paused, outcome, remainingMs }];
            }),
          );
        expect(JSON.stringify(status)).toBe(JSON.stringify(plain));
        const explanation = slaExplanation(c, now);
        for (const kind of TARGET_KINDS)
          if (explanation && status)
            expect(explanation[kind]).toMatchObject(JSON.parse(JSON.stringify(status[kind])));
      }),
      { numRuns: 100 },
    );
  });
});
