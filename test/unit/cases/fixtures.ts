import type { Actor, CaseRecord } from '#shared/cases/model.ts';
import { type Command, type Decision, decide } from '#shared/cases/transitions.ts';

// Monday 2 March 2026, 09:00 London (GMT), 04:00 New York.
export const MONDAY = new Date('2026-03-02T09:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const ENGINEER: Actor = { kind: 'engineer', email: 'eve@support.example' };
export const OTHER_ENGINEER: Actor = { kind: 'engineer', email: 'ed@support.example' };
export const CONTACT: Actor = { kind: 'contact', email: 'dana@acme.example' };
export const OTHER_CONTACT: Actor = { kind: 'contact', email: 'dev@acme.example' };
export const SYSTEM: Actor = { kind: 'system' };

export const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** A complete case as stored right after it was opened (business-care, emea, high, at MONDAY). */
export function aCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  const createdAt = (overrides.createdAt ?? MONDAY.toISOString()) as string;
  return {
    caseId: '0000000042',
    number: '0000000042',
    ref: 'abcdefabcdef',
    account: 'acme',
    plan: 'business-care',
    centre: 'emea',
    contact: CONTACT.email as string,
    product: 'Contact Center',
    type: 'problem',
    environment: 'production',
    severity: 'high',
    subject: 'Agents cannot log in',
    description: 'Since the upgrade agents get an error at login.',
    businessImpact: 'Half of the agents cannot take calls.',
    circumstances: 'Upgraded on Sunday.',
    status: 'Open',
    subStatus: 'New',
    completedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    revision: 1,
    followUp: null,
    closedAt: null,
    ...overrides,
  };
}

/** Applies commands in turn, each at its instant, as the service does; returns every decision. */
export function run(
  c: CaseRecord,
  steps: [Command, Actor, Date][],
): { case: CaseRecord; decisions: Decision[] } {
  const decisions: Decision[] = [];
  let current = c;
  for (const [command, actor, when] of steps) {
    const d = decide(current, command, actor, when);
    decisions.push(d);
    current = d.next;
  }
  return { case: current, decisions };
}
