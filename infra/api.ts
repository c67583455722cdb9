import { RemovalPolicy, Validations } from 'aws-cdk-lib';
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
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiThrottle, type FunctionName, functions } from '../functions/registry.ts';

export interface ApiProps {
  /** The origins of the pages that call the API: the customer portal and the engineers' console. */
  siteOrigins: string[];
  /** The JWT issuer (the user pool) and the audience (its portal client). */
  issuer: string;
  audience: string;
  functions: Record<FunctionName, NodejsFunction>;
}

/** The HTTP API: the registry's routes, a JWT authorizer on every route but health, a throttled stage. */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const authorizer = new HttpJwtAuthorizer('Jwt', props.issuer, {
      jwtAudience: [props.audience],
      identitySource: ['$request.header.Authorization'],
    });
    this.httpApi = new HttpApi(this, 'Api', {
      createDefaultStage: false,
      // The sites read no header of the API's answers, so none is exposed.
      corsPreflight: {
        allowOrigins: props.siteOrigins,
        allowMethods: routeMethods().map((method) => CorsHttpMethod[method]),
        allowHeaders: ['accept', 'authorization', 'content-type', 'idempotency-key'],
      },
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', {
            retention: RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(stage).acknowledge({
      id: 'Serverless::Serverless-APIGWXrayEnabled',
      reason: 'HTTP APIs have no X-Ray tracing; each function traces its own invocations (active tracing)',
    });
    for (const [name, spec] of Object.entries(functions) as [
      FunctionName,
      (typeof functions)[FunctionName],
    ][]) {
      if (!('routes' in spec)) continue;
      const integration = new HttpLambdaIntegration(`${name}Integration`, props.functions[name]);
      for (const { route, auth } of spec.routes) {
        const [method, routePath] = route.split(' ') as [keyof typeof HttpMethod, string];
        const [created] = this.httpApi.addRoutes({
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
  }
}

/** Every method the registry's routes answer: what a page may send across origins. */
function routeMethods() {
  const routes = Object.values(functions).flatMap((spec): { route: string }[] =>
    'routes' in spec ? spec.routes : [],
  );
  return [...new Set(routes.map(({ route }) => route.split(' ')[0] as keyof typeof CorsHttpMethod))];
}
