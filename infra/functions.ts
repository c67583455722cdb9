import path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { type FunctionName, functions } from '../functions/registry.ts';
import { type AccessTargets, statementsFor } from './access.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface FunctionsProps {
  /** The settings every function reads (`shared/config.ts`), the same for all. */
  environment: Record<string, string>;
  targets: AccessTargets;
}

/**
 * One `NodejsFunction` per entry of the registry, each with its own log group, the policy generated
 * from its declared access, and, when invoked asynchronously, a dead-letter queue that keeps the
 * events it could not handle after Lambda's retries.
 */
export class Functions extends Construct {
  readonly byName = {} as Record<FunctionName, NodejsFunction>;
  /** Events that asynchronous functions failed to handle: an alarm watches it. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'this queue is itself the dead-letter destination of the asynchronous functions',
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'Serverless::Serverless-SQSRedrivePolicy',
      reason: 'this queue is itself the dead-letter destination of the asynchronous functions',
    });

    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      const async = spec.invokedBy === 'async';
      const fn = new NodejsFunction(this, name, {
        entry: path.join(ROOT, spec.entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        tracing: Tracing.ACTIVE,
        // CASEWORK_FUNCTION names the registry entry: how a reader of the template (the local
        // runtime) finds the handler of each function.
        environment: { ...props.environment, CASEWORK_FUNCTION: name },
        logGroup: new LogGroup(this, `${name}Logs`, {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        ...(async
          ? {
              retryAttempts: 2,
              deadLetterQueue: this.deadLetters,
              onFailure: new SqsDestination(this.deadLetters),
            }
          : {}),
        bundling: {
          minify: true,
          sourceMap: true,
          format: OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          // Some dependencies are CommonJS and call require().
          banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        },
      });
      this.byName[name] = fn;
      const acknowledge = (rule: string, reason: string) =>
        Validations.of(fn).acknowledge({ id: rule, reason });
      for (const { statement, wildcard } of statementsFor(spec.access, props.targets)) {
        fn.addToRolePolicy(statement);
        for (const resource of statement.resources.filter((r) => r.includes('*'))) {
          const flat = flattenCfnReference(Stack.of(this).resolve(resource));
          acknowledge(
            `AwsSolutions::AwsSolutions-IAM5[Resource::${flat}]`,
            wildcard ?? 'see infra/access.ts',
          );
        }
      }
      acknowledge(
        'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'the basic execution role only lets the function write its own CloudWatch logs',
      );
      acknowledge(
        'AwsSolutions::AwsSolutions-L1',
        'casework targets nodejs22.x on purpose: the runtime it is built and tested on (the Node 22 of the project)',
      );
      acknowledge(
        'Serverless::Serverless-LambdaLatestVersion',
        'casework targets nodejs22.x on purpose: the runtime it is built and tested on (the Node 22 of the project)',
      );
      acknowledge(
        'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) accept no resource narrower than *',
      );
      if (!async)
        acknowledge(
          'Serverless::Serverless-LambdaDLQ',
          spec.invokedBy === 'api'
            ? 'invoked synchronously by API Gateway: a failure is answered to the caller, there is no event to keep'
            : 'invoked synchronously by Step Functions, whose Retry and Catch handle a failure and whose history keeps the input',
        );
    }
  }
}
