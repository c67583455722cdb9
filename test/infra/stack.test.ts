import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiThrottle, functions } from '#functions/registry.ts';
import { countBreaches, metrics } from '#shared/observability.ts';
import { buildApp } from '../../infra/casework-app.ts';
import { ASL_FILE } from '../../infra/stack.ts';

describe('the CDK stack', () => {
  let template: Template;

  beforeAll(() => {
    // Skip bundling: the template is what is asserted here; the full synth below bundles.
    const { stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    template = Template.fromStack(stack);
  });

  it('expires files under closed/ after 30 days and aborts incomplete multipart uploads after 7 (SPEC §7)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'closed/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
        ]),
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('puts the JWT authorizer on every route but health', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const expected = Object.values(functions).flatMap((f): { route: string }[] =>
      'routes' in f ? f.routes : [],
    );
    expect(Object.keys(routes)).toHaveLength(expected.length);
    for (const route of Object.values(routes)) {
      const key = route.Properties.RouteKey as string;
      if (key === 'GET /v1/health') expect(route.Properties.AuthorizationType).toBe('NONE');
      else expect(route.Properties.AuthorizationType, key).toBe('JWT');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
  });

  it('uses the ASL file itself as the state machine definition, with substitutions', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const props = machine?.Properties;
    expect(JSON.parse(props.DefinitionString)).toEqual(JSON.parse(readFileSync(ASL_FILE, 'utf8')));
    expect(Object.keys(props.DefinitionSubstitutions)).toEqual(['WorkflowFunctionArn']);
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration.Level).toBe('ALL');
  });

  it('runs every function on nodejs22.x, arm64, traced, with its log retention', () => {
    const fns = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => Object.keys(functions).some((name) => id.startsWith(`${name}Function`)))
      .map(([, fn]) => fn);
    expect(fns).toHaveLength(Object.keys(functions).length);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('grants no IAM action with a wildcard', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      }
    }
  });

  it('keeps the table recoverable: on demand, point-in-time recovery; retained in production', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    const production = Template.fromStack(
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], 'casework:stage': 'production' } })).stack,
    );
    production.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
  });

  it('throttles the API stage as the local router does (429 beyond it)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: apiThrottle.rateLimit,
        ThrottlingBurstLimit: apiThrottle.burstLimit,
      },
    });
  });

  it('alarms on the SLA-breach metric exactly as the handlers publish it (namespace, name, dimensions)', () => {
    const lines: string[] = [];
    const published = metrics as unknown as { console: { log(line: string): void } };
    const original = published.console;
    published.console = { log: (line) => lines.push(line) };
    try {
      countBreaches(1);
    } finally {
      published.console = original;
    }
    const emf = JSON.parse(lines[0] as string);
    const [directive] = emf._aws.CloudWatchMetrics;
    const dimensions = (directive.Dimensions[0] as string[]).map((name) => ({
      Name: name,
      Value: emf[name],
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: directive.Namespace,
      MetricName: directive.Metrics[0].Name,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Threshold: 1,
    });
    expect(dimensions).toEqual([{ Name: 'service', Value: 'casework' }]);
  });

  it('synthesises in full, bundling every function, with cdk-nag and CloudFormation validation clean', () => {
    const out = execFileSync('npx', ['cdk', 'synth', '-q', '--output', 'cdk.out/test'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(out).not.toMatch(/ERROR|WARNING/);
  }, 180_000);
});
