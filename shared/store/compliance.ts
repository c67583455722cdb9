import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Counter, Tally } from '../cases/compliance.ts';
import type { ComplianceShare } from '../cases/model.ts';
import { queryAll, table, writeIf } from './dynamo.ts';
import { complianceCounterKey, complianceCountersOf } from './keys.ts';

/**
 * The compliance counters (SPEC §4 report): one item per closing day, centre, plan and severity.
 * A change is applied once: its id joins the counter's `applied` set in the same write, and the
 * write is refused when the id is there already (a retried flush). The set holds a day's changes
 * of one kind of case, so the item stays small.
 */

/** Adds a tally to the counter of a share; false when this change was counted already. */
export function addToCounter(
  id: string,
  bucket: Pick<ComplianceShare, 'day' | 'centre' | 'plan' | 'severity'>,
  tally: Tally,
  labels: Record<string, string>,
): Promise<boolean> {
  const names: Record<string, string> = { '#applied': 'applied' };
  const values: Record<string, unknown> = { ':ids': new Set([id]), ':id': id };
  const adds = ['#applied :ids'];
  const sets: string[] = [];
  Object.entries(tally).forEach(([name, n], i) => {
    names[`#n${i}`] = name;
    values[`:n${i}`] = n;
    adds.push(`#n${i} :n${i}`);
  });
  const { day, centre, plan, severity } = bucket;
  Object.entries({ day, centre, plan, severity, ...labels }).forEach(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = if_not_exists(#s${i}, :s${i})`);
  });
  return writeIf(
    new UpdateCommand({
      TableName: table(),
      Key: complianceCounterKey(bucket),
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ConditionExpression: 'NOT contains(#applied, :id)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** The counters of the days from `from` to `to` (`YYYY-MM-DD`, inclusive), every centre. */
export async function countersOf(from: string, to: string): Promise<Counter[]> {
  const items = await queryAll<Record<string, unknown>>(complianceCountersOf(from, to));
  return items.map(({ day: _d, centre: _c, plan, severity, applied: _a, ...fields }) => {
    const tally: Tally = {};
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields))
      if (typeof value === 'number') tally[name] = value;
      else if (typeof value === 'string') labels[name] = value;
    return { plan, severity, tally, labels } as Counter;
  });
}
