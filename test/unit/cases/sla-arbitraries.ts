import fc from 'fast-check';
import type { CaseRecord } from '#shared/cases/model.ts';
import { centres, policy } from '#shared/catalogue/index.ts';
import { aCase } from './fixtures.ts';

const H = 3_600_000;
const D = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Intervals one after another from `start`: gaps and lengths in ms; the last maybe still running. */
const intervals = (start: number, maxCount: number, runningLast: boolean) =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 4 * D }), fc.integer({ min: 1, max: 6 * D })), {
      maxLength: maxCount,
    })
    .chain((list) => fc.tuple(fc.constant(list), fc.boolean()))
    .map(([list, running]) => {
      let at = start;
      return list.map(([gap, length], i) => {
        const from = at + gap;
        at = from + length;
        return { from: iso(from), to: runningLast && running && i === list.length - 1 ? null : iso(at) };
      });
    });

const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: undefined });

/**
 * Cases as the store keeps them, every plan × severity × centre: submission and completion,
 * a severity raise, a grace period, waiting on the customer (a pause maybe still running), closed
 * and reopened periods, closed now or not, support's acts at any time, a recorded outcome or not,
 * read at an instant up to 40 days after completion.
 */
export const caseAndNow: fc.Arbitrary<{ c: CaseRecord; now: Date }> = fc
  .record({
    plan: fc.constantFrom(...Object.keys(policy.plans)),
    severity: fc.constantFrom('critical-production-down', 'critical', 'high', 'medium', 'low'),
    centre: fc.constantFrom(...Object.keys(centres)),
    created: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 5, 1) }),
    completeAfter: fc.integer({ min: 0, max: 3 * D }),
    raised: maybe(fc.integer({ min: 0, max: 5 * D })),
    covered: maybe(fc.integer({ min: 0, max: 3 * D })),
    informed: maybe(fc.integer({ min: 0, max: 5 * D })),
    responded: maybe(fc.integer({ min: 0, max: 3 * D })),
    restored: maybe(fc.integer({ min: 0, max: 10 * D })),
    resolved: maybe(fc.integer({ min: 0, max: 30 * D })),
    rcaDelivered: maybe(fc.integer({ min: 0, max: 30 * D })),
    closedAfter: maybe(fc.integer({ min: 0, max: 30 * D })),
    nowAfter: fc.integer({ min: 0, max: 40 * D }),
    defectCorrection: fc.boolean(),
    recordedResponse: fc.boolean(),
    withoutContract: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  })
  .chain((r) => {
    const completed = r.created + r.completeAfter;
    return fc.tuple(fc.constant(r), intervals(completed, 3, true), intervals(completed + H, 2, false));
  })
  .map(([r, pauses, closedPeriods]) => {
    const completed = r.created + r.completeAfter;
    const after = (ms: number | undefined) => (ms === undefined ? null : iso(completed + ms));
    const c = aCase({
      plan: r.plan,
      severity: r.severity as CaseRecord['severity'],
      centre: r.centre,
      createdAt: iso(r.created),
      completedAt: iso(completed),
      raisedAt: after(r.raised),
      ...(r.covered === undefined ? {} : { coveredFrom: iso(completed + r.covered) }),
      informationCompleteAt: after(r.informed),
      respondedAt: after(r.responded),
      restoredAt: after(r.restored),
      resolvedAt: after(r.resolved),
      rcaDeliveredAt: after(r.rcaDelivered),
      defectCorrection: r.defectCorrection,
      withoutContract: r.withoutContract,
      pauses,
      closedPeriods: closedPeriods as { from: string; to: string }[],
      ...(r.closedAfter === undefined
        ? {}
        : { status: 'Closed', subStatus: 'Resolved', closedAt: iso(completed + r.closedAfter) }),
      ...(r.recordedResponse && r.responded !== undefined
        ? { slaOutcomes: { response: { state: 'met', at: iso(completed + r.responded) } } }
        : {}),
    });
    return { c, now: new Date(completed + r.nowAfter) };
  });
