/**
 * Deployment settings, from the environment the CDK stack (or the local runtime) gives every
 * function. Read when first used, so the local runtime can set them before any handler runs.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const config = {
  get tableName() {
    return required('CASEWORK_TABLE');
  },
  get bucketName() {
    return required('CASEWORK_BUCKET');
  },
  get stateMachineArn() {
    return required('CASEWORK_STATE_MACHINE_ARN');
  },
  /** The Cognito user pool of the desk's users (the admin function provisions them there). */
  get userPoolId() {
    return required('CASEWORK_USER_POOL_ID');
  },
  /** The address outbound mail comes from. */
  get mailFrom() {
    return process.env.CASEWORK_MAIL_FROM ?? 'support@support.example';
  },
  /** Where customers reply: the SES receipt address (`Reply-To` of every case mail). */
  get inboundAddress() {
    return process.env.CASEWORK_INBOUND_ADDRESS ?? 'cases@support.example';
  },
  /** The customer portal: the links in mails to customers. */
  get portalUrl() {
    return process.env.CASEWORK_PORTAL_URL ?? 'https://support.example';
  },
  /** The engineers' console: the links in mails to the desk's managers. */
  get consoleUrl() {
    return process.env.CASEWORK_CONSOLE_URL ?? 'https://console.support.example/console';
  },
  /** Local emulators need path-style S3 addressing; AWS does not. */
  get s3PathStyle() {
    return process.env.CASEWORK_S3_PATH_STYLE === 'true';
  },
};
