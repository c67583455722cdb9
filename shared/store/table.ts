/**
 * The single DynamoDB table, described once: the CDK stack builds it from this and the local
 * runtime creates it from this, so the two can never drift apart.
 */

/** What an index copies of its items: only their keys, or every attribute. */
export type Projection = 'KEYS_ONLY' | 'ALL';

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
  projection: Projection;
}

/**
 * The case list's filters answered by key, by the letter they add to an index's name: every
 * combination of them has its own index (`cases`, `cases_a`, `cases_s`, … `cases_asvb`), keyed by
 * the filters' values and sorted by the case number. The `b` indexes are sparse: only cases with a
 * recorded breach are in them.
 */
export const LIST_FILTERS = { a: 'account', s: 'status', v: 'severity', b: 'breached' } as const;
export type ListFilterLetter = keyof typeof LIST_FILTERS;

/** Every combination of the list's filters, in the order of their letters. */
export const listFilterCombinations: ListFilterLetter[][] = Array.from({ length: 16 }, (_, mask) =>
  (Object.keys(LIST_FILTERS) as ListFilterLetter[]).filter((_, bit) => mask & (1 << bit)),
);

export const listIndexName = (letters: readonly ListFilterLetter[]) =>
  letters.length ? `cases_${letters.join('')}` : 'cases';

export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    /**
     * Case lists, one sparse index per combination of filters: `cases_as = A#<account>#S#<status>`
     * and so on, sorted by `caseId` (allocated in creation order, never changed), keys only.
     */
    ...listFilterCombinations.map(
      (letters): IndexDefinition => ({
        name: listIndexName(letters),
        partitionKey: listIndexName(letters),
        sortKey: 'caseId',
        projection: 'KEYS_ONLY',
      }),
    ),
    /**
     * Sparse index: engineers' queues of open cases, `queue = UNOWNED#<centre>` or `OWNER#<email>`,
     * by the next due instant (`queueDue = <instant>#<caseId>`, `~` when nothing is due), keys only.
     */
    { name: 'queues', partitionKey: 'queue', sortKey: 'queueDue', projection: 'KEYS_ONLY' },
    /**
     * Sparse index: the triage queue (`gsi2pk = TRIAGE`), users and accounts, by time or name. Whole
     * items: they are written once (or on a catalogue change) and read whole; no case is in it.
     */
    { name: 'byKind', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'ALL' },
    /**
     * Sparse index: closed cases by closing time (`gsi3pk = CLOSED`), keys only: the compliance
     * report reads the cases of the part-days at a period's ends (whole days from its counters).
     */
    { name: 'byClosedAt', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: 'KEYS_ONLY' },
  ] satisfies IndexDefinition[],
} as const;

export type IndexName = string;

/** Index keys that are the items' own attributes (kept when an item is read). */
const OWN_ATTRIBUTES = new Set(['caseId']);

const unique = (names: string[]) => [...new Set(names)];

/** The attributes that key the table and its indexes, each once. */
const keySchemaAttributes: string[] = unique([
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
]);

/** The attributes written only to key the table and its indexes (left out when an item is read). */
export const keyAttributes: readonly string[] = keySchemaAttributes.filter(
  (name) => !OWN_ATTRIBUTES.has(name),
);

/** The CreateTable input the local runtime uses (on AWS the CDK stack creates the table). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keySchemaAttributes.map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
