import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  HttpMethods,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { policy } from '../shared/catalogue/index.ts';

export interface FilesProps {
  /** Production keeps the buckets and their objects when the stack is deleted. */
  production: boolean;
  removalPolicy: RemovalPolicy;
}

/**
 * Case files and raw inbound mail. Versioned, so that closing a case costs one delete marker per
 * file whatever its size (no copy: S3 copies stop at 5 GB, uploads go to 5 TiB): the files become
 * noncurrent at closure and expire `purgeDays` later; reopening removes the markers.
 */
/**
 * What every bucket of the stack is: private, encrypted, TLS only; kept in production (with its
 * objects), emptied and deleted with any other stage's stack.
 */
export const privateBucket = (props: FilesProps): BucketProps => ({
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  removalPolicy: props.removalPolicy,
  autoDeleteObjects: !props.production,
});

export class Files extends Construct {
  readonly bucket: Bucket;
  /** S3 access logs of the stack's buckets. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: FilesProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...privateBucket(props),
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const purgeAfter = Duration.days(policy.windows.purgeDays);
    this.bucket = new Bucket(this, 'Bucket', {
      ...privateBucket(props),
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'files/',
      lifecycleRules: [
        // SPEC §7: a closed case's files (noncurrent since its closure) go 30 days later, and so do
        // the delete markers left with nothing behind them.
        {
          id: 'purge-closed-cases',
          prefix: 'cases/',
          noncurrentVersionExpiration: purgeAfter,
          expiredObjectDeleteMarker: true,
        },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Raw inbound mail is kept as long as a closed case's files.
        {
          id: 'expire-inbound-mail',
          prefix: 'inbox/',
          expiration: purgeAfter,
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });
  }

  /** The sites' origins: browsers upload to presigned URLs from them and read each part's ETag. */
  allowSites(origins: string[]) {
    this.bucket.addCorsRule({
      allowedOrigins: origins,
      allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });
  }
}
