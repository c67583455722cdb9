import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { type FunctionName, functions, sweepEveryMinutes } from '../functions/registry.ts';

export const ASL_FILE = path.resolve(import.meta.dirname, '../statemachines/case-lifecycle.asl.json');

export interface WorkflowProps {
  stateMachineName: string;
  functions: Record<FunctionName, NodejsFunction>;
  deadLetters: IQueue;
}

/**
 * One Standard execution per case, from the ASL file itself with the function ARNs substituted:
 * no second definition in code. A scheduled sweep restarts the cases whose execution failed.
 */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const substitutions: Record<string, string> = {};
    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      if ('substitution' in spec) substitutions[spec.substitution] = props.functions[name].functionArn;
    }
    this.stateMachine = new StateMachine(this, 'CaseLifecycle', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_FILE, 'utf8')),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    const workflow = props.functions.workflow;
    workflow.grantInvoke(this.stateMachine);
    const workflowArn = flattenCfnReference(Stack.of(this).resolve(workflow.functionArn));
    Validations.of(this.stateMachine).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${workflowArn}:*]`,
      reason:
        'invoking the workflow function by any of its versions or aliases; the function itself is fixed',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) accept no resource narrower than *',
    });

    new Rule(this, 'Sweep', {
      description: 'Restarts the workflow of cases whose execution failed',
      schedule: Schedule.rate(Duration.minutes(sweepEveryMinutes)),
      targets: [
        new LambdaFunction(props.functions.sweep, {
          retryAttempts: 2,
          deadLetterQueue: props.deadLetters,
        }),
      ],
    });
  }
}
