import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Stack, Token, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  SITE_PAGES,
  type SignInSettings,
  sitePage,
  stageStaticSites,
  withSettings,
} from '../local/static-sites.ts';
import { type FilesProps, privateBucket } from './files.ts';

/** A domain of the operator's for the sites, with its ACM certificate (CloudFront's: us-east-1). */
export interface SitesDomain {
  name: string;
  certificateArn: string;
}

export interface SitesProps extends FilesProps {
  /** Where S3 writes the sites bucket's access logs. */
  accessLogs: IBucket;
  domain?: SitesDomain;
}

/**
 * The sites' domain from the deployment's context values (`casework:sitesDomain` and
 * `casework:sitesCertificateArn`, both or neither); a bad one stops the synthesis naming it.
 */
export function sitesDomainOf(name?: string, certificateArn?: string): SitesDomain | undefined {
  if (name === undefined && certificateArn === undefined) return undefined;
  if (name === undefined || certificateArn === undefined)
    throw new Error(
      'casework:sitesDomain and casework:sitesCertificateArn go together: the domain, and the certificate CloudFront shows for it',
    );
  if (!/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i.test(name))
    throw new Error(`casework:sitesDomain: "${name}" is not a domain name (like support.example.com)`);
  const region = /^arn:aws[\w-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[\w-]+$/.exec(certificateArn)?.[1];
  if (region === undefined)
    throw new Error(`casework:sitesCertificateArn: "${certificateArn}" is not the ARN of an ACM certificate`);
  if (region !== 'us-east-1')
    throw new Error(
      `casework:sitesCertificateArn: CloudFront takes certificates of us-east-1 only; this one is of ${region}`,
    );
  return { name: name.toLowerCase(), certificateArn };
}

/**
 * The engineers' console and the customer portal, hosted: a private bucket behind one CloudFront
 * distribution (`/console/`, `/portal/`, `/web/`), as the local runtime serves them. A viewer
 * function gives a portal path (`/portal/cases/N`, a mail's link) the portal's page, as the local
 * server does.
 */
export class Sites extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The sites' origin: `https://` and the domain given, else the distribution's (`….cloudfront.net`). */
  readonly origin: string;
  /** The distribution's own origin, `https://….cloudfront.net`, which serves the sites too. */
  readonly distributionOrigin: string;

  constructor(scope: Construct, id: string, props: SitesProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...privateBucket(props),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'sites/',
    });
    const pages = new EdgeFunction(this, 'Pages', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'A site path without a file name gets its page',
      code: FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/') return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/portal/' } } };
  var site = uri.split('/')[1];
  var file = uri.split('/').pop();
  if ((site === 'portal' && file.indexOf('.') < 0) || uri === '/console' || uri === '/console/')
    request.uri = '/' + site + '/index.html';
  return request;
}`),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'casework: the engineers’ console and the customer portal',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: pages, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    this.distributionOrigin = `https://${this.distribution.distributionDomainName}`;
    this.origin = props.domain ? `https://${props.domain.name}` : this.distributionOrigin;
    const acknowledge = (rule: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    acknowledge(
      'AwsSolutions::AwsSolutions-CFR1',
      'support contracts are worldwide: no country is refused the portal (the API authenticates every call)',
    );
    acknowledge(
      'AwsSolutions::AwsSolutions-CFR2',
      'static pages only, cached; the API behind them is throttled and authenticated (WAF is an operator choice with its own cost)',
    );
    acknowledge(
      'AwsSolutions::AwsSolutions-CFR3',
      'the bucket behind it logs every read (S3 access logs); CloudFront’s standard logs need a bucket with ACLs, which the stack keeps off',
    );
    if (!props.domain)
      acknowledge(
        'AwsSolutions::AwsSolutions-CFR4',
        'the default cloudfront.net certificate (no casework:sitesDomain given): CloudFront fixes its TLS policy; with a domain and its certificate the distribution requires TLSv1.2_2021',
      );
  }

  /**
   * Uploads the pages, each told the API's URL and where to sign in (values known at deployment,
   * written into the pages then), and clears CloudFront's cache of them.
   */
  deploy(settings: { api: string; signIn: SignInSettings }) {
    const staged = mkdtempSync(path.join(tmpdir(), 'casework-sites-'));
    stageStaticSites(staged);
    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(staged),
        ...SITE_PAGES.map((page) => Source.data(page, withSettings(sitePage(page), settings))),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
      retainOnDelete: false,
    });
    // The provider function CDK shares between the stack's bucket deployments (a singleton).
    const stack = Stack.of(this);
    // cdk-nag names an unresolved account or region by its pseudo parameter.
    const placeholder = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<${pseudo}>` : value;
    const providers = stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    for (const target of [deployment, ...providers]) {
      const acknowledge = (rule: string, reason: string) =>
        Validations.of(target).acknowledge({ id: rule, reason });
      acknowledge(
        'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'the deployment provider only writes its own CloudWatch logs with it',
      );
      for (const evidence of [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${placeholder(stack.account, 'AWS::AccountId')}-${placeholder(stack.region, 'AWS::Region')}/*`,
        'Resource::<SitesBucketEF0D0D2B.Arn>/*',
      ])
        acknowledge(
          `AwsSolutions::AwsSolutions-IAM5[${evidence}]`,
          'CDK’s grant to the deployment provider: read the asset bucket’s objects, write and prune the sites bucket’s',
        );
      acknowledge(
        'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on every distribution (the action has no narrower resource in its grant)',
      );
      acknowledge('AwsSolutions::AwsSolutions-L1', 'CDK pins the deployment provider’s Python runtime');
      acknowledge(
        'Serverless::Serverless-LambdaDLQ',
        'a deployment-time custom resource: CloudFormation reports its failure and rolls back; no event to keep',
      );
      acknowledge(
        'Serverless::Serverless-LambdaTracing',
        'copies the sites at deployment time; CDK gives its provider no tracing option',
      );
      acknowledge(
        'Serverless::Serverless-LambdaDefaultMemorySize',
        'the deployment provider’s memory is set by memoryLimit',
      );
      acknowledge(
        'Serverless::Serverless-LambdaDefaultTimeout',
        'CDK sets the deployment provider’s timeout',
      );
      acknowledge('Serverless::Serverless-LambdaLatestVersion', 'CDK pins the deployment provider’s runtime');
    }
  }
}
