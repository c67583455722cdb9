import { type FunctionName, functions } from '#functions/registry.ts';
import type { Template } from './template.ts';

/** The local names of the stack's resources (CloudFormation would generate them on AWS). */
export interface LocalNames {
  region: string;
  account: string;
  table: string;
  bucket: string;
  /** A registry function's local name (its ARN ends with it). */
  functionName: (name: FunctionName) => string;
  /** The user pool's id (its ARN ends with it). */
  userPoolId?: string;
}

export interface StackFunction {
  name: FunctionName;
  logicalId: string;
  /** The exported handler's name (`index.handler` → `handler`). */
  handlerExport: string;
  /** The environment the stack gives it, intrinsics resolved to local names. */
  environment: Record<string, string>;
  /** The statements of its role's policies (inline and attached `AWS::IAM::Policy`). */
  statements: PolicyStatement[];
}

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}

/** What the local runtime builds from the template, and nothing else. */
export interface LocalStack {
  functions: Map<FunctionName, StackFunction>;
  routes: { route: string; auth: boolean; fn: FunctionName }[];
  stateMachine: { name: string; arn: string; definition: string };
  /** The bucket's lifecycle rules, as S3's PutBucketLifecycleConfiguration takes them. */
  lifecycleRules: Record<string, unknown>[];
  receiptRule: { recipients: string[]; objectKeyPrefix: string; fn: FunctionName };
  userPool: LocalUserPoolSettings;
}

/**
 * What the local user pool takes from the stack's: the invitation's and the verification code's
 * words, the password policy (with how long a temporary password lasts), MFA, and how long its app
 * client's refresh tokens last.
 */
export interface LocalUserPoolSettings {
  /** The pool's ARN, which the functions' policies name. */
  arn: string;
  invitation: { subject: string; message: string };
  /** The mail with a code (`{####}`) a person who forgot their password is sent. */
  verification: { subject: string; message: string };
  passwordPolicy: {
    minimumLength: number;
    requireLowercase: boolean;
    requireUppercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
    temporaryPasswordDays: number;
  };
  mfa: 'ON' | 'OFF' | 'OPTIONAL';
  refreshTokenSeconds: number;
  /** Whether a sign-in must give the address with its exact capitals (the pool's `UsernameConfiguration`). */
  caseSensitive: boolean;
  /** The pool's own sender when it mails through SES (`EmailConfiguration.From`); else Cognito's. */
  sender?: string;
}

/** Seconds in a unit of a user pool client's `TokenValidityUnits`. */
const TOKEN_UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

type Resource = Template['Resources'][string];

/** The registry name a function carries in its `CASEWORK_FUNCTION` variable. */
const REGISTRY_VARIABLE = 'CASEWORK_FUNCTION';

const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`the stack's template has ${items.length} ${what}, expected one`);
  return items[0] as T;
};

/**
 * Reads the synthesized template as the local system's description: each function's handler,
 * environment and policies, the HTTP API's routes and their authorization, the state machine's
 * definition with its substitutions, the bucket's lifecycle rules and the receipt rule. Resources
 * are found by type, intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub…) resolved to local
 * names and ARNs.
 */
export function readStack(template: Template, names: LocalNames): LocalStack {
  const resources = template.Resources;
  const ofType = (...types: string[]) => Object.entries(resources).filter(([, r]) => types.includes(r.Type));
  const props = (r: Resource) => r.Properties ?? {};

  const registryNameOf = new Map<string, FunctionName>();
  for (const [id, fn] of ofType('AWS::Lambda::Function')) {
    const variables = (props(fn).Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const name = variables?.[REGISTRY_VARIABLE];
    if (typeof name === 'string' && name in functions) registryNameOf.set(id, name as FunctionName);
  }
  const bucketIds = ofType('AWS::S3::Bucket').map(([id]) => id);
  const filesBucketId = (() => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const ref = (props(fn).Environment as { Variables?: Record<string, { Ref?: string }> } | undefined)
        ?.Variables?.CASEWORK_BUCKET?.Ref;
      if (ref) return ref;
    }
    return only(bucketIds, 'buckets');
  })();
  const { region, account } = names;
  const stateMachineId = only(
    ofType('AWS::StepFunctions::StateMachine').map(([id]) => id),
    'state machines',
  );
  const stateMachineName = String(
    props(resources[stateMachineId] as Resource).StateMachineName ?? stateMachineId,
  );
  const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${stateMachineName}`;

  const nameOf = (id: string): string => {
    const resource = resources[id];
    if (!resource) throw new Error(`the template refers to ${id}, which it does not define`);
    switch (resource.Type) {
      case 'AWS::Lambda::Function': {
        const registry = registryNameOf.get(id);
        return registry ? names.functionName(registry) : id;
      }
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return names.table;
      case 'AWS::S3::Bucket':
        return id === filesBucketId ? names.bucket : `${names.bucket}-${id.toLowerCase()}`;
      case 'AWS::StepFunctions::StateMachine':
        return stateMachineArn;
      case 'AWS::Cognito::UserPool':
        return names.userPoolId ?? `local-${id}`;
      default:
        return `local-${id}`;
    }
  };
  const arnOf = (id: string): string => {
    const resource = resources[id] as Resource;
    const name = nameOf(id);
    switch (resource?.Type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return stateMachineArn;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${id}`;
      case 'AWS::Cognito::UserPool':
        return `arn:aws:cognito-idp:${region}:${account}:userpool/${name}`;
      default:
        return `arn:aws:local:${region}:${account}:${id}`;
    }
  };
  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Casework',
    'AWS::NoValue': '',
  };
  const ref = (name: string) => pseudo[name] ?? nameOf(name);
  const getAtt = (id: string, attribute: string) => {
    if (attribute === 'Arn') return arnOf(id);
    if (attribute === 'Name') return nameOf(id).split(':').at(-1) as string;
    return `${nameOf(id)}.${attribute}`;
  };

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') return ref(String(argument));
    if (entries.length === 1 && key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/);
      return getAtt(String(id), String(attribute));
    }
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return (resolve(parts) as unknown[]).join(separator);
    }
    if (entries.length === 1 && key === 'Fn::Select') {
      const [index, list] = argument as [unknown, unknown];
      return (resolve(list) as unknown[])[Number(resolve(index))];
    }
    if (entries.length === 1 && key === 'Fn::Split') {
      const [separator, text] = argument as [string, unknown];
      return String(resolve(text)).split(separator);
    }
    if (entries.length === 1 && key === 'Fn::Sub') {
      const [text, variables = {}] = (Array.isArray(argument) ? argument : [argument]) as [
        string,
        Record<string, unknown>,
      ];
      return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        if (name in variables) return String(resolve(variables[name]));
        const [id, attribute] = name.split(/\.(.*)/);
        return attribute ? getAtt(String(id), attribute) : ref(name);
      });
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };

  // Policies: inline on the role, and AWS::IAM::Policy resources naming the role.
  const statementsOfRole = (roleId: string): PolicyStatement[] => {
    const documents: unknown[] = [];
    const role = resources[roleId];
    for (const policy of (props(role as Resource).Policies as { PolicyDocument: unknown }[] | undefined) ??
      [])
      documents.push(policy.PolicyDocument);
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const roles = (props(policy).Roles as { Ref?: string }[] | undefined) ?? [];
      if (roles.some((r) => r.Ref === roleId)) documents.push(props(policy).PolicyDocument);
    }
    return documents.flatMap((d) => (resolve(d) as { Statement: PolicyStatement[] }).Statement);
  };

  const stackFunctions = new Map<FunctionName, StackFunction>();
  for (const [id, fn] of ofType('AWS::Lambda::Function')) {
    const name = registryNameOf.get(id);
    if (!name) continue;
    const p = props(fn);
    const variables = (resolve((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) ??
      {}) as Record<string, string>;
    const roleId = (p.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    stackFunctions.set(name, {
      name,
      logicalId: id,
      handlerExport: String(p.Handler ?? 'index.handler')
        .split('.')
        .at(-1) as string,
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      statements: roleId ? statementsOfRole(roleId) : [],
    });
  }
  const functionOfArn = (arn: unknown): FunctionName => {
    const found = [...stackFunctions.values()].find((f) => arnOf(f.logicalId) === arn);
    if (!found) throw new Error(`the template points at ${String(arn)}, not a function of the registry`);
    return found.name;
  };

  const integrations = new Map(
    ofType('AWS::ApiGatewayV2::Integration').map(([id, r]) => [
      id,
      functionOfArn(resolve(props(r).IntegrationUri)),
    ]),
  );
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => {
    const p = props(r);
    const target = String(resolve(p.Target)).replace(/^integrations\//, '');
    const integrationId = [...integrations.keys()].find((id) => nameOf(id) === target);
    const fn = integrationId ? integrations.get(integrationId) : undefined;
    if (!fn) throw new Error(`route ${String(p.RouteKey)} has no Lambda integration`);
    return { route: String(p.RouteKey), auth: p.AuthorizationType === 'JWT', fn };
  });

  const machine = props(resources[stateMachineId] as Resource);
  let definition = String(resolve(machine.DefinitionString));
  for (const [key, value] of Object.entries(
    (resolve(machine.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, string>,
  ))
    definition = definition.replaceAll(`\${${key}}`, String(value));

  const lifecycle = props(resources[filesBucketId] as Resource).LifecycleConfiguration as
    | { Rules?: Record<string, unknown>[] }
    | undefined;

  const rule = only(ofType('AWS::SES::ReceiptRule'), 'receipt rules')[1];
  const ruleProps = resolve(props(rule).Rule) as {
    Recipients?: string[];
    Actions: { S3Action?: { ObjectKeyPrefix?: string }; LambdaAction?: { FunctionArn: string } }[];
  };
  const lambdaAction = ruleProps.Actions.find((a) => a.LambdaAction)?.LambdaAction;

  const [poolId, poolResource] = only(ofType('AWS::Cognito::UserPool'), 'user pools');
  const pool = props(poolResource);
  const invitation = (pool.AdminCreateUserConfig as { InviteMessageTemplate?: Record<string, string> })
    ?.InviteMessageTemplate;
  const policy = ((pool.Policies as { PasswordPolicy?: Record<string, unknown> })?.PasswordPolicy ??
    {}) as Record<string, unknown>;
  const verification = pool.VerificationMessageTemplate as Record<string, string> | undefined;
  const client = props(only(ofType('AWS::Cognito::UserPoolClient'), 'user pool clients')[1]);
  const refreshUnit = (client.TokenValidityUnits as { RefreshToken?: string } | undefined)?.RefreshToken;
  return {
    functions: stackFunctions,
    routes,
    stateMachine: { name: stateMachineName, arn: stateMachineArn, definition },
    lifecycleRules: lifecycle?.Rules ?? [],
    receiptRule: {
      recipients: ruleProps.Recipients ?? [],
      objectKeyPrefix: ruleProps.Actions.find((a) => a.S3Action)?.S3Action?.ObjectKeyPrefix ?? '',
      fn: functionOfArn(lambdaAction?.FunctionArn),
    },
    userPool: {
      arn: arnOf(poolId),
      // Cognito's own words when the stack gives none.
      invitation: {
        subject: invitation?.EmailSubject ?? 'Your temporary password',
        message: invitation?.EmailMessage ?? 'Your username is {username} and temporary password is {####}.',
      },
      verification: {
        subject:
          verification?.EmailSubject ?? String(pool.EmailVerificationSubject ?? 'Your verification code'),
        message:
          verification?.EmailMessage ??
          String(pool.EmailVerificationMessage ?? 'Your verification code is {####}.'),
      },
      passwordPolicy: {
        minimumLength: Number(policy.MinimumLength ?? 8),
        requireLowercase: policy.RequireLowercase !== false,
        requireUppercase: policy.RequireUppercase !== false,
        requireNumbers: policy.RequireNumbers !== false,
        requireSymbols: policy.RequireSymbols !== false,
        temporaryPasswordDays: Number(policy.TemporaryPasswordValidityDays ?? 7),
      },
      mfa: (pool.MfaConfiguration as LocalUserPoolSettings['mfa'] | undefined) ?? 'OFF',
      // Without a UsernameConfiguration, a pool is case-sensitive (Cognito's default, and CDK's).
      caseSensitive:
        (pool.UsernameConfiguration as { CaseSensitive?: boolean } | undefined)?.CaseSensitive !== false,
      sender: (pool.EmailConfiguration as { From?: string } | undefined)?.From,
      // Cognito's default: 30 days.
      refreshTokenSeconds:
        Number(client.RefreshTokenValidity ?? 30) * (TOKEN_UNIT_SECONDS[refreshUnit ?? 'days'] ?? 86_400),
    },
  };
}
