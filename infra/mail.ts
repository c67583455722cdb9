import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  ReceiptRuleSet,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface MailProps {
  /** The domain mail is sent from and received at. */
  domain: string;
  /** Named, so that the functions' policies can name it before it exists. */
  configurationSetName: string;
  bucket: IBucket;
  inboundMail: NodejsFunction;
  mailEvents: NodejsFunction;
  deadLetters: IQueue;
}

/**
 * Mail that really flows: the domain verified with DKIM and a custom MAIL FROM; a configuration
 * set whose bounces and complaints suppress the address and are recorded by the desk; inbound mail
 * through a receipt rule set that the stack itself makes the active one. The DNS records the
 * domain owner must publish are stack outputs.
 */
export class Mail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly mailFromDomain: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.mailFromDomain = `bounce.${props.domain}`;

    this.configurationSet = new ConfigurationSet(this, 'Sending', {
      configurationSetName: props.configurationSetName,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    new Rule(this, 'BounceOrComplaint', {
      description: 'SES bounces and complaints of the desk mail: the address is marked undeliverable',
      eventPattern: { source: ['aws.ses'], detailType: ['Email Bounced', 'Email Complaint Received'] },
      targets: [
        new LambdaFunction(props.mailEvents, { retryAttempts: 2, deadLetterQueue: props.deadLetters }),
      ],
    });

    this.identity = new EmailIdentity(this, 'Domain', {
      identity: Identity.domain(props.domain),
      dkimSigning: true,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain: this.mailFromDomain,
      configurationSet: this.configurationSet,
    });

    const ruleSet = new ReceiptRuleSet(this, 'Inbound', {
      rules: [
        {
          recipients: [`cases@${props.domain}`],
          scanEnabled: true,
          actions: [
            new S3Action({ bucket: props.bucket, objectKeyPrefix: 'inbox/' }),
            // Asynchronous: Lambda retries twice, then the dead-letter queue keeps the event.
            new LambdaAction({ function: props.inboundMail, invocationType: LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
    // Only one receipt rule set is active per account and region: the stack makes it this one, and
    // deactivates it when deleted.
    const activation = new AwsCustomResource(this, 'ActivateInbound', {
      onUpdate: {
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: ruleSet.receiptRuleSetName },
        physicalResourceId: PhysicalResourceId.of(`active-${ruleSet.receiptRuleSetName}`),
      },
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      memorySize: 256,
    });
    Validations.of(activation).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ses:SetActiveReceiptRuleSet is an account-level action with no resource type',
    });
    // The provider function CDK shares between the stack's AwsCustomResources.
    const provider = Stack.of(this).node.findChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    const acknowledge = (id: string, reason: string) => Validations.of(provider).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'the provider of the activation only writes its own CloudWatch logs with it',
    );
    acknowledge(
      'Serverless::Serverless-LambdaDLQ',
      'a deployment-time custom resource: CloudFormation reports its failure and rolls back; no event to keep',
    );
    acknowledge(
      'Serverless::Serverless-LambdaTracing',
      'one SES call at deployment time, recorded by CloudTrail; CDK gives its provider no tracing option',
    );

    const record = (name: string, type: string, value: string, description: string) => {
      new CfnOutput(this, name, { value: `${type} ${value}`, description });
    };
    for (const [i, dkim] of this.identity.dkimRecords.entries()) {
      record(
        `DkimRecord${i + 1}`,
        'CNAME',
        `${dkim.name} ${dkim.value}`,
        `DKIM ${i + 1} of 3 for ${props.domain}`,
      );
    }
    record(
      'MailFromMxRecord',
      'MX',
      `${this.mailFromDomain} 10 feedback-smtp.${region}.amazonses.com`,
      'custom MAIL FROM: bounces come back through SES',
    );
    record(
      'MailFromSpfRecord',
      'TXT',
      `${this.mailFromDomain} "v=spf1 include:amazonses.com ~all"`,
      'SPF of MAIL FROM',
    );
    record(
      'InboundMxRecord',
      'MX',
      `${props.domain} 10 inbound-smtp.${region}.amazonaws.com`,
      `mail to cases@${props.domain} reaches the receipt rule`,
    );
  }
}
