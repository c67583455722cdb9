import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { arnOf } from './access.ts';
import { Alarms } from './alarms.ts';
import { Api } from './api.ts';
import { Data } from './data.ts';
import { Files } from './files.ts';
import { Functions } from './functions.ts';
import { Identity } from './identity.ts';
import { Mail } from './mail.ts';
import { Sites, type SitesDomain } from './sites.ts';
import { Workflow } from './workflow.ts';

export { ASL_FILE } from './workflow.ts';

export interface CaseworkStackProps extends StackProps {
  /** `production` retains data on deletion and protects the table. */
  stage: string;
  /**
   * Where people reach the portal and the console when not at the stack's CloudFront address (a
   * domain of the operator's in front of it): mails link there, and CORS lets both in.
   */
  portalOrigin?: string;
  consoleOrigin?: string;
  /** The operator's domain for the hosted sites, served by the distribution with its certificate. */
  sitesDomain?: SitesDomain;
  /** The SES domain: mail is sent from and received at addresses of it. */
  mailDomain: string;
  /**
   * The user pool mails invitations and reset codes through SES from `mailDomain` (which must be
   * verified first), not Cognito's built-in mail with its 50 a day.
   */
  userMailThroughSes?: boolean;
  /** Invited as the first administrator. */
  administratorEmail?: string;
  /** Subscribed by e-mail to the alarms' SNS topic. */
  alarmEmail?: string;
}

/**
 * casework on AWS: the same handlers and the same state machine definition as the local runtime,
 * as constructs named after the parts of the architecture.
 */
export class CaseworkStack extends Stack {
  constructor(scope: Construct, id: string, props: CaseworkStackProps) {
    super(scope, id, props);
    const production = props.stage === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const { table } = new Data(this, 'Data', { production, removalPolicy });
    const files = new Files(this, 'Files', { production, removalPolicy });
    const { bucket } = files;
    const sites = new Sites(this, 'Sites', {
      production,
      removalPolicy,
      accessLogs: files.accessLogs,
      domain: props.sitesDomain,
    });
    const portalOrigin = props.portalOrigin ?? sites.origin;
    const consoleOrigin = props.consoleOrigin ?? sites.origin;
    // The hosted sites, and each site's own origin if it has one (the same origin twice is one).
    const siteOrigins = [...new Set([sites.origin, sites.distributionOrigin, portalOrigin, consoleOrigin])];
    files.allowSites(siteOrigins);
    const identity = new Identity(this, 'Identity', {
      administratorEmail: props.administratorEmail,
      sesMailDomain: props.userMailThroughSes ? props.mailDomain : undefined,
    });

    const stateMachineName = `${this.stackName}-case-lifecycle`;
    const stateMachineArn = arnOf(this, 'states', 'stateMachine', stateMachineName);
    const configurationSetName = `${this.stackName}-mail`;
    const fns = new Functions(this, 'Functions', {
      environment: {
        CASEWORK_TABLE: table.tableName,
        CASEWORK_BUCKET: bucket.bucketName,
        CASEWORK_STATE_MACHINE_ARN: stateMachineArn,
        CASEWORK_MAIL_FROM: `support@${props.mailDomain}`,
        CASEWORK_INBOUND_ADDRESS: `cases@${props.mailDomain}`,
        // The sites' pages live under /portal/ and /console/ (their bases), locally as on AWS.
        CASEWORK_PORTAL_URL: `${portalOrigin}/portal`,
        CASEWORK_CONSOLE_URL: `${consoleOrigin}/console`,
        CASEWORK_USER_POOL_ID: identity.userPool.userPoolId,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      targets: {
        table,
        bucket,
        stateMachineArn,
        executionsArn: arnOf(this, 'states', 'execution', `${stateMachineName}:*`),
        mailIdentityArn: arnOf(this, 'ses', 'identity', props.mailDomain, ArnFormat.SLASH_RESOURCE_NAME),
        configurationSetArn: arnOf(
          this,
          'ses',
          'configuration-set',
          configurationSetName,
          ArnFormat.SLASH_RESOURCE_NAME,
        ),
        userPoolArn: identity.userPool.userPoolArn,
      },
    });
    const workflow = new Workflow(this, 'Workflow', {
      stateMachineName,
      functions: fns.byName,
      deadLetters: fns.deadLetters,
    });
    const api = new Api(this, 'Api', {
      siteOrigins,
      issuer: identity.issuer,
      audience: identity.client.userPoolClientId,
      functions: fns.byName,
    });
    sites.deploy({
      api: api.httpApi.apiEndpoint,
      signIn: {
        endpoint: `https://cognito-idp.${this.region}.amazonaws.com/`,
        clientId: identity.client.userPoolClientId,
      },
    });
    new Mail(this, 'Mail', {
      domain: props.mailDomain,
      configurationSetName,
      bucket,
      inboundMail: fns.byName.inboundMail,
      mailEvents: fns.byName.mailEvents,
      deadLetters: fns.deadLetters,
    });
    const alarms = new Alarms(this, 'Alarms', {
      functions: fns.byName,
      stateMachine: workflow.stateMachine,
      deadLetters: fns.deadLetters,
      email: props.alarmEmail,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      'ApiUrl',
      api.httpApi.apiEndpoint,
      'CASEWORK_URL for `npx casework`; the portal and console call it',
    );
    output('SitesUrl', sites.origin, 'the portal at /portal/, the engineers’ console at /console/');
    if (props.sitesDomain)
      output(
        'SitesCnameRecord',
        `${props.sitesDomain.name} CNAME ${sites.distribution.distributionDomainName}`,
        'publish in DNS (at a zone apex, an ALIAS or ANAME record): the sites’ domain names the distribution',
      );
    output('UserPoolId', identity.userPool.userPoolId, 'the users: invite administrators here');
    output('UserPoolClientId', identity.client.userPoolClientId, 'the portal client (the JWT audience)');
    output('StateMachineArn', workflow.stateMachine.stateMachineArn, 'one execution per case');
    output('FilesBucket', bucket.bucketName, 'case files under cases/, raw inbound mail under inbox/');
    output('Table', table.tableName, 'cases, catalogue, timeline');
    output('AlarmTopicArn', alarms.topic.topicArn, 'subscribe more people to the alarms here');
    output(
      'DeadLetterQueueUrl',
      fns.deadLetters.queueUrl,
      'events the asynchronous functions could not handle',
    );
  }
}
