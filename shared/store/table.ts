/**
 * The single DynamoDB table, described once: the CDK stack builds it from this and the local
 * runtime creates it from this, so the two can never drift apart.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse index: cases of an account, newest update first (`gsi1pk = ACCOUNT#<id>`, `gsi1sk = updatedAt`). */
  indexes: [
    { name: 'byAccount', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Sparse index: every case (`gsi2pk = CASES`) and the triage queue (`gsi2pk = TRIAGE`), by time. */
    { name: 'byKind', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Sparse index: closed cases by closing time (`gsi3pk = CLOSED`), for the compliance report. */
    { name: 'byClosedAt', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export type IndexName = (typeof tableDefinition.indexes)[number]['name'];

/** The attributes that key the table and its indexes. */
export const keyAttributes: readonly string[] = [
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
];

/** The CreateTable input the local runtime uses (on AWS the CDK stack creates the table). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
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
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
