import type { StoredCase } from '../cases/model.ts';
import { centres } from '../catalogue/index.ts';
import { listQueues } from '../store/cases.ts';
import type { Page } from '../store/dynamo.ts';
import type { Caller } from './cases.ts';

export const QUEUES = ['unowned', 'mine'] as const;
export type Queue = (typeof QUEUES)[number];

/**
 * An engineer's queue (SPEC §2), a page at a time: the unowned open cases of their centres (every
 * centre for an engineer without any), or the open cases they own; the most urgent first (next due
 * instant ascending, cases with nothing due last). Read from the queues index, a centre's
 * partition each, merged.
 */
export function caseQueue(caller: Caller, queue: Queue, cursor?: string): Promise<Page<StoredCase>> {
  if (queue === 'mine') return listQueues([{ owner: caller.email }], cursor);
  const mine = caller.centres?.length ? caller.centres : Object.keys(centres);
  return listQueues(
    mine.map((centre) => ({ centre })),
    cursor,
  );
}
