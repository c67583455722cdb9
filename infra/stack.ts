import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { apiThrottle, type FunctionName, functions } from '../functions/registry.ts';
import { BREACH_METRIC, METRICS_NAMESPACE, SERVICE } from '../shared/observability.ts';
import { tableDefinition } from '../shared/store/table.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const ASL_FILE = path.join(ROOT, 'statemachines/case-lifecycle.asl.json');

export interface CaseworkStackProps extends StackProps {
  /** `production` retains data on deletion and protects the table. */
  stage: string;
  /** The portal's origin, allowed by CORS for browser uploads and API calls. */
  portalOrigin: string;
  /** The SES domain: mail is sent from and received at addresses of it. */
  mailDomain: string;
  /** An external JWT issuer and audience; without them the stack creates a Cognito user pool. */
  jwtIssuer?: string;
  jwtAudience?: string;
}

/** casework on AWS: the same handlers and the same state machine definition as the local runtime. */
export class CaseworkStack extends Stack {
  constructor(scope: Construct, id: string, props: CaseworkStackProps) {
    super(scope, id, props);
    const production = props.stage === 'production';
    const retain = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Data: the single table, from the definition the local runtime uses too.
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new TableV2(this, 'Table', {
      partitionKey: key(tableDefinition.partitionKey),
      sortKey: key(tableDefinition.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: production,
      removalPolicy: retain,
      globalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
    });

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: retain,
      autoDeleteObjects: !production,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const files = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      removalPolicy: retain,
      autoDeleteObjects: !production,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'files/',
      cors: [
        {
          allowedOrigins: [props.portalOrigin],
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        // SPEC §7: files of closed cases are copied under closed/ (restarting S3's count) and expire 30 days later.
        { id: 'purge-closed-cases', prefix: 'closed/', expiration: Duration.days(30) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Raw inbound mail is kept as long as a closed case's files.
        { id: 'expire-inbound-mail', prefix: 'inbox/', expiration: Duration.days(30) },
      ],
    });

    // Functions: one NodejsFunction per entry of the registry.
    const environment = {
      CASEWORK_TABLE: table.tableName,
      CASEWORK_BUCKET: files.bucketName,
      CASEWORK_MAIL_FROM: `support@${props.mailDomain}`,
      CASEWORK_INBOUND_ADDRESS: `cases@${props.mailDomain}`,
      CASEWORK_PORTAL_URL: props.portalOrigin,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const fns = {} as Record<FunctionName, NodejsFunction>;
    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      fns[name] = new NodejsFunction(this, `${name}Function`, {
        entry: path.join(ROOT, spec.entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        tracing: Tracing.ACTIVE,
        // CASEWORK_FUNCTION names the registry entry: the local runtime maps template functions by it.
        environment: { ...environment, CASEWORK_FUNCTION: name },
        logGroup: new LogGroup(this, `${name}Logs`, {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
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
    }

    for (const fn of Object.values(fns)) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'the basic execution role only lets the function write its own CloudWatch logs',
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions::AwsSolutions-L1',
        reason:
          'casework targets nodejs22.x on purpose: the runtime it is built and tested on (the Node 22 of the project)',
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and ses:GetAccount accept no resource narrower than *',
      });
    }
    // Workflow: the ASL file itself, with the function ARNs substituted: no second definition in code.
    const substitutions: Record<string, string> = {};
    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      if ('substitution' in spec) substitutions[spec.substitution] = fns[name].functionArn;
    }
    const stateMachineName = `${this.stackName}-case-lifecycle`;
    const stateMachineArnByName = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const stateMachine = new StateMachine(this, 'CaseLifecycle', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_FILE, 'utf8')),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'CaseLifecycleLogs', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    fns.workflow.grantInvoke(stateMachine);
    const workflowId = this.getLogicalId(fns.workflow.node.defaultChild as CfnElement);
    Validations.of(stateMachine).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${workflowId}.Arn>:*]`,
      reason:
        'invoking the workflow function by any of its versions or aliases; the function itself is fixed',
    });
    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) accept no resource narrower than *',
    });

    // Least privilege: each function only its own actions and resources.
    const tableResources = [
      table.tableArn,
      ...tableDefinition.indexes.map((i) => `${table.tableArn}/index/${i.name}`),
    ];
    const itemActions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
    for (const name of ['api', 'files', 'triage', 'workflow', 'inboundMail'] as const) {
      fns[name].addToRolePolicy(new PolicyStatement({ actions: itemActions, resources: tableResources }));
    }
    fns.health.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [table.tableArn] }),
    );
    const objects = (prefix: string) => files.arnForObjects(`${prefix}*`);
    const fileActions = [
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
    ];
    for (const name of ['files', 'workflow'] as const) {
      fns[name].addToRolePolicy(
        new PolicyStatement({ actions: fileActions, resources: [objects('cases/'), objects('closed/')] }),
      );
      // Listing (a missing object answers 404, not 403; the purge lists what to delete), by prefix only.
      fns[name].addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [files.bucketArn],
          conditions: { StringLike: { 's3:prefix': ['cases/*', 'closed/*'] } },
        }),
      );
    }
    fns.inboundMail.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('inbox/')] }),
    );
    fns.inboundMail.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('cases/')] }),
    );
    // Triage reads raw mail to link it to a case.
    fns.triage.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('inbox/')] }),
    );
    const filesId = this.getLogicalId(files.node.defaultChild as CfnElement);
    const prefixes: Record<string, string[]> = {
      triage: ['inbox/'],
      files: ['cases/', 'closed/'],
      workflow: ['cases/', 'closed/'],
      inboundMail: ['inbox/', 'cases/'],
    };
    for (const [name, list] of Object.entries(prefixes)) {
      for (const prefix of list) {
        Validations.of(fns[name as FunctionName]).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${filesId}.Arn>/${prefix}*]`,
          reason: `object keys under ${prefix} carry case and file ids created at run time; the prefix is the narrowest fixed scope`,
        });
      }
    }
    // HeadBucket needs s3:ListBucket on the bucket itself.
    fns.health.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [files.bucketArn] }),
    );
    fns.health.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeStateMachine'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    fns.health.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    // The workflow function is part of the definition, so it must not reference the state machine
    // itself (a circular dependency): it answers task tokens, by the ARN built from the name.
    fns.workflow.addToRolePolicy(
      new PolicyStatement({
        // StartExecution: a long case life continues in a new execution.
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:StartExecution'],
        resources: [stateMachineArnByName],
      }),
    );
    for (const name of ['api', 'inboundMail', 'health'] as const) {
      fns[name].addEnvironment('CASEWORK_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    }
    // Continue-as-new starts the next execution: by the ARN built from the name, as above.
    fns.workflow.addEnvironment('CASEWORK_STATE_MACHINE_ARN', stateMachineArnByName);
    stateMachine.grantStartExecution(fns.api);
    // The console's execution view: the state machine and the case's executions with their history.
    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fns.api.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executions],
      }),
    );
    fns.api.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeStateMachine'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    Validations.of(fns.api).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(this.region, 'Region')}:${shown(this.account, 'AccountId')}:execution:${stateMachineName}:*]`,
      reason:
        'reading the executions of this one state machine, whose names are the case ids created at run time',
    });
    // Whatever changes a case wakes its workflow.
    for (const name of ['api', 'inboundMail', 'triage'] as const) stateMachine.grantTaskResponse(fns[name]);
    const identity = `arn:${Stack.of(this).partition}:ses:${this.region}:${this.account}:identity/${props.mailDomain}`;
    for (const name of ['api', 'workflow', 'inboundMail', 'triage'] as const) {
      fns[name].addToRolePolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['ses:SendEmail'], resources: [identity] }),
      );
    }

    // API: the HTTP API with a JWT authorizer on every route but health.
    const issuer = props.jwtIssuer ?? this.cognitoIssuer();
    const audience = props.jwtAudience ? [props.jwtAudience] : [this.cognitoClientId()];
    const authorizer = new HttpJwtAuthorizer('Jwt', issuer, {
      jwtAudience: audience,
      identitySource: ['$request.header.Authorization'],
    });
    const api = new HttpApi(this, 'Api', {
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.portalOrigin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      },
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'ApiAccessLogs', {
            retention: RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      if (!('routes' in spec)) continue;
      const integration = new HttpLambdaIntegration(`${name}Integration`, fns[name]);
      for (const { route, auth } of spec.routes) {
        const [method, routePath] = route.split(' ') as [keyof typeof HttpMethod, string];
        const [created] = api.addRoutes({
          path: routePath,
          methods: [HttpMethod[method]],
          integration,
          ...(auth ? { authorizer } : {}),
        });
        if (!auth && created) {
          Validations.of(created).acknowledge({
            id: 'AwsSolutions::AwsSolutions-APIG4',
            reason: `${route} is the public health check: it reveals only whether the parts are up`,
          });
        }
      }
    }

    // Mail: a receipt rule writing raw mail to S3 under inbox/, then invoking the inbound handler.
    const ruleSet = new ReceiptRuleSet(this, 'Inbound', {
      rules: [
        {
          recipients: [`cases@${props.mailDomain}`],
          scanEnabled: true,
          actions: [
            new S3Action({ bucket: files, objectKeyPrefix: 'inbox/' }),
            new LambdaAction({ function: fns.inboundMail }),
          ],
        },
      ],
    });
    void ruleSet;

    // Alarms: function errors, failed executions, SLA breaches.
    for (const [name, fn] of Object.entries(fns)) {
      new Alarm(this, `${name}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    new Alarm(this, 'ExecutionsFailed', {
      metric: stateMachine.metricFailed({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'SlaBreaches', {
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: BREACH_METRIC,
        dimensionsMap: { service: SERVICE },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'FilesBucket', { value: files.bucketName });
  }

  private userPool?: UserPool;
  private client?: UserPoolClient;

  private cognito() {
    if (!this.userPool) {
      this.userPool = new UserPool(this, 'Users', {
        signInAliases: { email: true },
        selfSignUpEnabled: false,
        passwordPolicy: {
          minLength: 12,
          requireDigits: true,
          requireLowercase: true,
          requireUppercase: true,
          requireSymbols: true,
        },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason:
          'the Essentials tier with required TOTP MFA and a strong password policy; Plus-tier threat protection is an operator choice with its own cost',
      });
      this.client = this.userPool.addClient('Portal', { authFlows: { userSrp: true } });
    }
    return { pool: this.userPool, client: this.client as UserPoolClient };
  }

  private cognitoIssuer(): string {
    return `https://cognito-idp.${this.region}.amazonaws.com/${this.cognito().pool.userPoolId}`;
  }

  private cognitoClientId(): string {
    return this.cognito().client.userPoolClientId;
  }
}
