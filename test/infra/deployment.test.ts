import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, sweepEveryMinutes } from '#functions/registry.ts';
import { buildApp } from '../../infra/casework-app.ts';

/**
 * What a fresh `cdk deploy` needs to be a working desk, read from the synthesized template as an
 * operator would: settings, identity, mail, operations.
 */
let template: Template;
// biome-ignore lint/suspicious/noExplicitAny: template resources are inspected freely
let resources: Record<string, any>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const functionOf = (name: string) =>
  ofType('AWS::Lambda::Function').find(
    (f) => f.Properties.Environment?.Variables?.CASEWORK_FUNCTION === name,
  );

beforeAll(() => {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      'casework:mailDomain': 'support.example.com',
      'casework:administratorEmail': 'admin@support.example.com',
      'casework:alarmEmail': 'oncall@support.example.com',
    },
  });
  template = Template.fromStack(buildApp(app).stack);
  resources = template.toJSON().Resources;
});

/** Environment variables read by a function's own code (its bundle's project files), by name. */
async function namesRead(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  const names = new Set<string>();
  for (const file of Object.keys(metafile.inputs).filter((f) => !f.includes('node_modules'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g))
      names.add((m[1] ?? m[2]) as string);
    for (const m of text.matchAll(/required\(['"]([A-Z][A-Z0-9_]*)['"]\)/g)) names.add(m[1] as string);
  }
  return [...names].sort();
}

/** Read by the code but not set by the stack, and why that is right on AWS. */
const NOT_FROM_THE_STACK: Record<string, string> = {
  AWS_REGION: 'set by Lambda itself',
  CASEWORK_S3_PATH_STYLE: 'the local S3 emulator needs path-style URLs; unset is AWS’s virtual-hosted style',
  CASEWORK_SINGLE_PUT_MAX_BYTES: 'a test knob; unset is the limit of SPEC §7',
  CASEWORK_PART_SIZE_BYTES: 'a test knob; unset is the part size of SPEC §7',
};

describe('settings: every function gets every variable its code reads', () => {
  it.each(Object.entries(functions))('%s', async (name, spec) => {
    const fn = functionOf(name);
    expect(fn, `a function with CASEWORK_FUNCTION=${name}`).toBeDefined();
    const set = Object.keys(fn.Properties.Environment.Variables);
    const missing = (await namesRead(path.resolve(spec.entry))).filter(
      (n) => !set.includes(n) && !(n in NOT_FROM_THE_STACK),
    );
    expect(missing).toEqual([]);
  });

  it('the workflow function can continue a case as new: it knows the state machine and may start it', () => {
    const workflow = functionOf('workflow');
    expect(workflow.Properties.Environment.Variables.CASEWORK_STATE_MACHINE_ARN).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: workflow.Properties.Role['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution' })]),
      },
    });
  });
});

describe('identity: users are their sub, with a verified, immutable e-mail; roles are groups', () => {
  it('the e-mail attribute is required, immutable, verified; no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'email', Required: true, Mutable: false })]),
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    const [client] = ofType('AWS::Cognito::UserPoolClient');
    expect(client.Properties.WriteAttributes).not.toContain('email');
  });

  it('roles come from the engineers and administrators groups; the first administrator is invited', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['administrators', 'engineers']);
    template.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', {
      GroupName: 'administrators',
      Username: 'admin@support.example.com',
    });
  });

  it('only the admin function may provision users, and it serves the admin routes behind the JWT authorizer', () => {
    const provisioning = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.PolicyDocument).includes('cognito-idp:AdminCreateUser'),
    );
    expect(provisioning).toHaveLength(1);
    expect(provisioning[0].Properties.Roles).toEqual([
      { Ref: functionOf('admin').Properties.Role['Fn::GetAtt'][0] },
    ]);
    for (const key of ['GET /v1/admin/catalogue', 'POST /v1/admin/catalogue'])
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'JWT' });
  });
});

describe('mail that really flows', () => {
  it('the domain identity signs with DKIM, uses a custom MAIL FROM and the configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'support.example.com',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: 'bounce.support.example.com' },
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('bounces and complaints suppress the address and reach the function that marks it', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ MatchingEventTypes: ['bounce', 'complaint'], Enabled: true }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'] },
    });
  });

  it('the stack activates its receipt rule set (a custom resource), which stores raw mail then invokes inbound mail', () => {
    const [ruleSet] = Object.keys(template.findResources('AWS::SES::ReceiptRuleSet'));
    const [activation] = ofType('Custom::AWS');
    const create = JSON.stringify(activation.Properties.Update ?? activation.Properties.Create);
    expect(create).toContain('setActiveReceiptRuleSet');
    expect(create).toContain(ruleSet);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Enabled: true,
        ScanEnabled: true,
        Actions: [
          Match.objectLike({ S3Action: Match.objectLike({ ObjectKeyPrefix: 'inbox/' }) }),
          Match.objectLike({ LambdaAction: Match.objectLike({ InvocationType: 'Event' }) }),
        ],
      }),
    });
  });

  it('asynchronous functions keep what they could not handle in a dead-letter queue', () => {
    for (const [name] of Object.entries(functions).filter(([, s]) => s.invokedBy === 'async')) {
      expect(functionOf(name).Properties.DeadLetterConfig, name).toBeDefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: Object.keys(resources).find((id) => resources[id] === functionOf(name)) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    }
  });

  it('prints the DNS records the domain owner publishes: DKIM, MAIL FROM MX and SPF, inbound MX', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const name of [
      'DkimRecord1',
      'DkimRecord2',
      'DkimRecord3',
      'MailFromMxRecord',
      'MailFromSpfRecord',
      'InboundMxRecord',
    ])
      expect(
        outputs.some((o) => o.includes(name)),
        name,
      ).toBe(true);
  });
});

describe('operations', () => {
  it('every alarm notifies the alarm topic, to which the alarm e-mail is subscribed', () => {
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(Object.keys(functions).length);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@support.example.com',
    });
  });

  it(`a sweep every ${sweepEveryMinutes} minutes restarts failed case workflows, and its restarts raise an alarm`, () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${sweepEveryMinutes} minutes)`,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('sweep'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WorkflowsRestarted',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
    });
  });

  it('names everything an operator needs in the outputs', () => {
    const outputs = Object.keys(template.toJSON().Outputs).join(' ');
    for (const name of [
      'ApiUrl',
      'UserPoolId',
      'UserPoolClientId',
      'StateMachineArn',
      'FilesBucket',
      'AlarmTopicArn',
      'DeadLetterQueueUrl',
    ])
      expect(outputs).toContain(name);
  });
});
