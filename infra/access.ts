import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Access } from '../functions/registry.ts';
import { tableDefinition } from '../shared/store/table.ts';

/** The resources the grants of `Access` name. */
export interface AccessTargets {
  table: ITableV2;
  bucket: IBucket;
  /** Built from its name: the workflow function is part of the definition, so no reference to it. */
  stateMachineArn: string;
  executionsArn: string;
  mailIdentityArn: string;
  configurationSetArn: string;
  userPoolArn: string;
}

interface Grant {
  actions: string[];
  resources: (t: AccessTargets) => string[];
  /** Why a resource with a wildcard is the narrowest one (cdk-nag IAM5 acknowledgement). */
  wildcard?: string;
}

const tableAndIndexes = (t: AccessTargets) => [
  t.table.tableArn,
  ...tableDefinition.indexes.map((i) => `${t.table.tableArn}/index/${i.name}`),
];
const CASE_OBJECTS =
  'object keys under cases/ carry case and file ids created at run time; the prefix is the narrowest fixed scope';

/** Each kind of access as IAM actions on resources: the one place a function's policy comes from. */
export const GRANTS: Record<Access, Grant[]> = {
  'table.items': [
    {
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
      ],
      resources: tableAndIndexes,
    },
  ],
  'table.remove': [{ actions: ['dynamodb:DeleteItem'], resources: (t) => [t.table.tableArn] }],
  'table.describe': [{ actions: ['dynamodb:DescribeTable'], resources: (t) => [t.table.tableArn] }],
  // Without an s3:prefix condition: S3 then answers 404 for a missing object (403 without the
  // right), and listing a case's files works whatever is pending.
  'bucket.list': [
    {
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
      resources: (t) => [t.bucket.bucketArn],
    },
  ],
  // Versions: closing a case puts delete markers, reopening removes them, the purge deletes every
  // version. No copy: S3 copies stop at 5 GB.
  'files.readWrite': [
    {
      actions: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:AbortMultipartUpload',
      ],
      resources: (t) => [t.bucket.arnForObjects('cases/*')],
      wildcard: CASE_OBJECTS,
    },
  ],
  // A grant of an upload under way says which parts S3 holds.
  'files.parts': [
    {
      actions: ['s3:ListMultipartUploadParts'],
      resources: (t) => [t.bucket.arnForObjects('cases/*')],
      wildcard: CASE_OBJECTS,
    },
  ],
  'files.put': [
    {
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: (t) => [t.bucket.arnForObjects('cases/*')],
      wildcard: CASE_OBJECTS,
    },
  ],
  'inbox.read': [
    {
      actions: ['s3:GetObject'],
      resources: (t) => [t.bucket.arnForObjects('inbox/*')],
      wildcard: 'raw mail under inbox/ is named by the SES message id, known only at run time',
    },
  ],
  'workflow.start': [{ actions: ['states:StartExecution'], resources: (t) => [t.stateMachineArn] }],
  'workflow.answer': [
    { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: (t) => [t.stateMachineArn] },
  ],
  'workflow.read': [
    { actions: ['states:DescribeStateMachine'], resources: (t) => [t.stateMachineArn] },
    {
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resources: (t) => [t.executionsArn],
      wildcard: 'the executions of this one state machine, named after case ids created at run time',
    },
  ],
  'workflow.list': [{ actions: ['states:ListExecutions'], resources: (t) => [t.stateMachineArn] }],
  'mail.send': [{ actions: ['ses:SendEmail'], resources: (t) => [t.mailIdentityArn, t.configurationSetArn] }],
  'mail.account': [
    {
      actions: ['ses:GetAccount'],
      resources: () => ['*'],
      wildcard: 'ses:GetAccount has no resource narrower than *',
    },
  ],
  'mail.suppression': [
    {
      actions: ['ses:DeleteSuppressedDestination'],
      resources: () => ['*'],
      wildcard:
        'the suppression list is the account’s: ses:DeleteSuppressedDestination has no resource narrower than *',
    },
  ],
  'users.provision': [
    {
      actions: [
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminEnableUser',
        'cognito-idp:AdminDisableUser',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
      ],
      resources: (t) => [t.userPoolArn],
    },
  ],
};

/** The policy statements of a list of access declarations, with the reason of each wildcard resource. */
export function statementsFor(access: Access[], targets: AccessTargets) {
  return access.flatMap((kind) =>
    GRANTS[kind].map((grant) => ({
      statement: new PolicyStatement({ actions: grant.actions, resources: grant.resources(targets) }),
      wildcard: grant.wildcard,
    })),
  );
}

/** The ARN of a resource of this stack's account and region, built from its name. */
export function arnOf(
  stack: Stack,
  service: string,
  resource: string,
  resourceName: string,
  arnFormat = ArnFormat.COLON_RESOURCE_NAME,
) {
  return stack.formatArn({ service, resource, resourceName, arnFormat });
}
