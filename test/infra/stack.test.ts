import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiThrottle, functions } from '#functions/registry.ts';
import { countBreaches, metrics } from '#shared/observability.ts';
import { buildApp } from '../../infra/casework-app.ts';
import { ASL_FILE } from '../../infra/stack.ts';

describe('the CDK stack', () => {
  let template: Template;
  const statements = (): { Action: string | string[]; Condition?: unknown; Resource: unknown }[] =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
  /** The template's function of each registry entry, found by its CASEWORK_FUNCTION. */
  const registryFunctions = () =>
    Object.fromEntries(
      Object.values(template.findResources('AWS::Lambda::Function'))
        .filter((fn) => fn.Properties.Environment?.Variables?.CASEWORK_FUNCTION)
        .map((fn) => [fn.Properties.Environment.Variables.CASEWORK_FUNCTION as string, fn]),
    );

  /** The hosted sites' origin, `https://<distribution domain>`, as the template writes it. */
  const distributionDomain = (t = template) => ({
    'Fn::GetAtt': [Object.keys(t.findResources('AWS::CloudFront::Distribution'))[0], 'DomainName'],
  });
  const hostedOrigin = (t = template) => ({ 'Fn::Join': ['', ['https://', distributionDomain(t)]] });

  beforeAll(() => {
    // Skip bundling: the template is what is asserted here; the full synth below bundles.
    const { stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    template = Template.fromStack(stack);
  });

  it('purges a closed case’s files 30 days after closure without copying them: versioned bucket, noncurrent expiry (SPEC §7)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'cases/',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            ExpiredObjectDeleteMarker: true,
            Status: 'Enabled',
          }),
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
    // No copy anywhere: S3 copies stop at 5 GB, and uploads may reach 5 TiB.
    const code = ['shared', 'functions'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(path.join(dir, f), 'utf8')),
    );
    for (const text of code) expect(text).not.toMatch(/CopyObject|UploadPartCopy/);
  });

  it('CORS lets both sites (the portal and the console, each on its own origin) send every method and header their pages send, to the API and to the bucket', () => {
    const pages = (...files: string[]) =>
      files.map((f) => readFileSync(path.join('local', f), 'utf8')).join('\n');
    const all = pages('console/app.js', 'portal/app.js', 'portal/upload.js', 'web/shared.js');
    // To the API, through the shared client: its methods (GET unless told) and its headers.
    const methods = new Set([...all.matchAll(/method(?::| =) '(\w+)'/g)].map((m) => m[1]));
    const client = /export function apiClient[\s\S]*?headers: \{([\s\S]*?)\n\s*\},/.exec(
      pages('web/shared.js'),
    );
    const headers = [...(client?.[1] ?? '').matchAll(/'?([\w-]+)'?:/g)].map((m) =>
      String(m[1]).toLowerCase(),
    );
    expect([...methods].sort()).toEqual(['GET', 'POST']);
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']));
    // Without casework:portalOrigin and casework:consoleOrigin, both sites are at the stack's CloudFront origin.
    const origins = [hostedOrigin()];
    const apis = Object.values(template.findResources('AWS::ApiGatewayV2::Api'));
    expect(apis).toHaveLength(1);
    const preflight = apis[0]?.Properties.CorsConfiguration;
    expect(preflight.AllowOrigins).toEqual(origins);
    expect(preflight.AllowMethods).toEqual(expect.arrayContaining([...methods]));
    expect(preflight.AllowHeaders).toEqual(expect.arrayContaining(headers));
    // To S3, straight from the page: the upload's PUT, whose signed headers are the grant's, and
    // the ETag each part answers. Downloads are navigations, which CORS does not concern.
    const upload = pages('portal/upload.js');
    const s3Methods = [...upload.matchAll(/xhr\.open\('(\w+)'/g)].map((m) => m[1]);
    const s3Exposed = [...upload.matchAll(/getResponseHeader\('([\w-]+)'\)/g)].map((m) => m[1]);
    expect(s3Methods).toEqual(['PUT']);
    expect(s3Exposed).toEqual(['ETag']);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedMethods: Match.arrayWith(s3Methods),
            AllowedOrigins: origins,
            AllowedHeaders: ['*'],
            ExposedHeaders: s3Exposed,
          }),
        ],
      },
    });
  });

  it('hosts both sites behind one CloudFront distribution: a private bucket read through origin access control, HTTPS only', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      }),
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'sites/' },
    });
  });

  it('gives a portal path (a mail’s link to a case or its survey) and the console’s root their page; files pass as they are', () => {
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    const handler = new Function(`${fn?.Properties.FunctionCode}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri?: string; statusCode?: number; headers?: { location: { value: string } } };
    const served = (uri: string) => handler({ request: { uri } }).uri;
    expect(served('/portal/cases/0000000042')).toBe('/portal/index.html');
    expect(served('/portal/cases/0000000042/survey')).toBe('/portal/index.html');
    expect(served('/portal/')).toBe('/portal/index.html');
    expect(served('/portal/app.js')).toBe('/portal/app.js');
    expect(served('/console/')).toBe('/console/index.html');
    expect(served('/console/app.js')).toBe('/console/app.js');
    expect(served('/web/vendor/noble-hashes/sha2.js')).toBe('/web/vendor/noble-hashes/sha2.js');
    expect(handler({ request: { uri: '/' } })).toMatchObject({
      statusCode: 302,
      headers: { location: { value: '/portal/' } },
    });
  });

  it('deploys the pages told the API’s URL and the user pool’s app client, values known only at deployment', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);
    const [client] = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
    const [api] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    expect(markers).toContain(`{"Ref":"${client}"}`);
    expect(markers).toContain(`"${api}"`);
    expect(deployment?.Properties.DistributionPaths).toEqual(['/*']);
    template.hasOutput('SitesUrl', { Value: hostedOrigin() });
  });

  it('mails link to the hosted sites, or to the origins the operator gives (then CORS lets those in too)', () => {
    const link = (t: Template, variable: string) =>
      Object.values(t.findResources('AWS::Lambda::Function')).find(
        (fn) => fn.Properties.Environment?.Variables?.CASEWORK_FUNCTION === 'workflow',
      )?.Properties.Environment.Variables[variable];
    expect(link(template, 'CASEWORK_PORTAL_URL')).toEqual({
      'Fn::Join': ['', ['https://', distributionDomain(), '/portal']],
    });
    const own = Template.fromStack(
      buildApp(
        new App({
          context: {
            'aws:cdk:bundling-stacks': [],
            'casework:portalOrigin': 'https://portal.support.example.com',
            'casework:consoleOrigin': 'https://console.support.example.com',
          },
        }),
      ).stack,
    );
    expect(link(own, 'CASEWORK_PORTAL_URL')).toBe('https://portal.support.example.com/portal');
    expect(link(own, 'CASEWORK_CONSOLE_URL')).toBe('https://console.support.example.com/console');
    const [api] = Object.values(own.findResources('AWS::ApiGatewayV2::Api'));
    expect(api?.Properties.CorsConfiguration.AllowOrigins).toEqual([
      hostedOrigin(own),
      'https://portal.support.example.com',
      'https://console.support.example.com',
    ]);
  });

  it('serves the sites at the operator’s domain with its certificate (TLS 1.2 at least) when casework:sitesDomain and casework:sitesCertificateArn are given: mails link there, CORS lets it in (and the distribution’s own address), an output gives the DNS record, cdk-nag is clean without acknowledging CFR4', () => {
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const domained = Template.fromStack(
      buildApp(
        new App({
          context: {
            'aws:cdk:bundling-stacks': [],
            'casework:sitesDomain': 'desk.support.example.com',
            'casework:sitesCertificateArn': certificateArn,
          },
        }),
      ).stack,
    );
    domained.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['desk.support.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
    domained.hasOutput('SitesUrl', { Value: 'https://desk.support.example.com' });
    domained.hasOutput('SitesCnameRecord', {
      Value: { 'Fn::Join': ['', ['desk.support.example.com CNAME ', distributionDomain(domained)]] },
    });
    const workflow = Object.values(domained.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.CASEWORK_FUNCTION === 'workflow',
    );
    expect(workflow?.Properties.Environment.Variables.CASEWORK_PORTAL_URL).toBe(
      'https://desk.support.example.com/portal',
    );
    const [api] = Object.values(domained.findResources('AWS::ApiGatewayV2::Api'));
    // The distribution's own address serves the pages too, before the DNS record is published.
    expect(api?.Properties.CorsConfiguration.AllowOrigins).toEqual([
      'https://desk.support.example.com',
      hostedOrigin(domained),
    ]);
    expect(template.findOutputs('SitesCnameRecord')).toEqual({});
  });

  it('mails the pool’s invitations and reset codes through SES from the desk’s domain when casework:userMailThroughSes is true (Cognito’s own mail sends 50 a day); by Cognito’s mail until then, as the domain verifies only after the first deployment', () => {
    const [pool] = Object.values(template.findResources('AWS::Cognito::UserPool'));
    expect(pool?.Properties.EmailConfiguration).toBeUndefined();
    const throughSes = Template.fromStack(
      buildApp(
        new App({
          context: {
            'aws:cdk:bundling-stacks': [],
            'casework:mailDomain': 'support.example.com',
            'casework:userMailThroughSes': 'true',
          },
        }),
      ).stack,
    );
    throughSes.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({
        EmailSendingAccount: 'DEVELOPER',
        From: 'casework <no-reply@support.example.com>',
        SourceArn: Match.anyValue(),
      }),
    });
  });

  it('refuses a sites domain without its certificate, a certificate of another region than us-east-1, or a name that is no domain, naming the context value', () => {
    const synth = (context: Record<string, string>) => () =>
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
    const arn = (region: string) =>
      `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
    expect(synth({ 'casework:sitesDomain': 'support.example.com' })).toThrow(
      /casework:sitesDomain and casework:sitesCertificateArn go together/,
    );
    expect(
      synth({
        'casework:sitesDomain': 'support.example.com',
        'casework:sitesCertificateArn': arn('eu-west-1'),
      }),
    ).toThrow(
      'casework:sitesCertificateArn: CloudFront takes certificates of us-east-1 only; this one is of eu-west-1',
    );
    expect(
      synth({ 'casework:sitesDomain': 'support.example.com', 'casework:sitesCertificateArn': 'not-an-arn' }),
    ).toThrow(/casework:sitesCertificateArn: "not-an-arn" is not the ARN of an ACM certificate/);
    expect(
      synth({
        'casework:sitesDomain': 'https://support.example.com',
        'casework:sitesCertificateArn': arn('us-east-1'),
      }),
    ).toThrow(/casework:sitesDomain: "https:\/\/support.example.com" is not a domain name/);
  });

  it('keeps a sign-in a working day (12-hour refresh tokens, revocable), a temporary password 7 days, resets a forgotten password by e-mail only, and takes an address with any capitals', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      RefreshTokenValidity: 720,
      TokenValidityUnits: { RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_REFRESH_TOKEN_AUTH']),
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      // An address signs in with any capitals (Cognito's default takes only the provisioned ones).
      UsernameConfiguration: { CaseSensitive: false },
      Policies: { PasswordPolicy: Match.objectLike({ TemporaryPasswordValidityDays: 7 }) },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      VerificationMessageTemplate: Match.objectLike({
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
        EmailSubject: 'Your casework verification code',
      }),
    });
  });

  it('lists the bucket without an s3:prefix condition, so a missing object answers 404, not 403', () => {
    const listing = statements().filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(listing.length).toBeGreaterThan(0);
    for (const statement of listing) expect(statement.Condition).toBeUndefined();
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
    const fns = Object.values(registryFunctions());
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

  it('grants the desk’s functions no IAM action with a wildcard (CDK’s deployment-time providers aside)', () => {
    const roles = new Set(
      Object.values(registryFunctions()).map((fn) => fn.Properties.Role['Fn::GetAtt'][0] as string),
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.Roles.some((role: { Ref: string }) => roles.has(role.Ref)),
    );
    expect(policies.length).toBeGreaterThanOrEqual(roles.size);
    for (const policy of policies)
      for (const statement of policy.Properties.PolicyDocument.Statement)
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
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

  it('synthesises in full, bundling every function, with cdk-nag (AwsSolutions, Serverless) and CloudFormation validation clean', async () => {
    // Not execFileSync: a worker blocked for the whole synth misses the test runner's calls.
    const { stdout, stderr } = await promisify(execFile)(
      'npx',
      ['cdk', 'synth', '-q', '--output', 'cdk.out/test'],
      {
        encoding: 'utf8',
      },
    );
    expect(stdout + stderr).not.toMatch(/ERROR|WARNING/);
  }, 300_000);
});
