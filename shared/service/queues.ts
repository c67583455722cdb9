import type { StoredCase } from '../cases/model.ts';
import { nextDueAt } from '../cases/sla.ts';
import { listCases } from '../store/cases.ts';
import type { Caller } from './cases.ts';

export const QUEUES = ['unowned', 'mine'] as const;
export type Queue = (typeof QUEUES)[number];

/**
 * An engineer's queue (SPEC §2): the unowned open cases of their centres, or the open cases they
 * own; the most urgent first (next due instant ascending, cases with nothing due last). Read from
 * the all-cases index page by page and filtered: a desk's open cases are few.
 */
export async function caseQueue(caller: Caller, queue: Queue, now: Date): Promise<StoredCase[]> {
  const inQueue = (c: StoredCase) =>
    c.status !== 'Closed' &&
    (queue === 'mine'
      ? c.owner === caller.email
      : !c.owner && (!caller.centres || caller.centres.includes(c.centre)));
  const found: { c: StoredCase; due: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCases('all', cursor, 500);
    for (const c of page.items)
      if (inQueue(c)) found.push({ c, due: nextDueAt(c, now)?.getTime() ?? Number.POSITIVE_INFINITY });
    cursor = page.cursor;
  } while (cursor);
  return found.sort((a, b) => a.due - b.due || a.c.number.localeCompare(b.c.number)).map((f) => f.c);
}
