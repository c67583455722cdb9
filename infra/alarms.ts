import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionName } from '../functions/registry.ts';
import { BREACH_METRIC, METRICS_NAMESPACE, RESTART_METRIC, SERVICE } from '../shared/observability.ts';

export interface AlarmsProps {
  functions: Record<FunctionName, NodejsFunction>;
  stateMachine: StateMachine;
  deadLetters: IQueue;
  /** Who is told: subscribed to the alarm topic by e-mail (they confirm the subscription once). */
  email?: string;
}

/** What a person must hear about, each alarm notifying one SNS topic. */
export class Alarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'casework alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SNS2',
      reason:
        'alarm notifications carry alarm names and states, no case data; CloudWatch cannot publish to a topic under the AWS-managed SNS key',
    });
    Validations.of(this.topic).acknowledge({
      id: 'Serverless::Serverless-SNSRedrivePolicy',
      reason: 'the e-mail subscription is given a dead-letter queue; the topic has no other subscriber',
    });
    if (props.email)
      this.topic.addSubscription(new EmailSubscription(props.email, { deadLetterQueue: props.deadLetters }));
    const notify = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, description: string) =>
      new Alarm(this, name, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(notify);

    for (const [name, fn] of Object.entries(props.functions))
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), `the ${name} function failed`);
    alarm(
      'ExecutionsFailed',
      props.stateMachine.metricFailed({ period: Duration.minutes(5) }),
      'a case execution failed: the sweep restarts it',
    );
    const own = (metricName: string, period: Duration) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE },
        statistic: 'Sum',
        period,
      });
    alarm(
      'SlaBreaches',
      own(BREACH_METRIC, Duration.minutes(15)),
      'an SLA target or obligation was breached',
    );
    alarm(
      'WorkflowsRestarted',
      own(RESTART_METRIC, Duration.minutes(15)),
      'the sweep restarted failed case workflows',
    );
    alarm(
      'DeadLetters',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      'an inbound mail, bounce or sweep event could not be handled: it waits in the dead-letter queue',
    );
  }
}
