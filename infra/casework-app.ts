import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { sitesDomainOf } from './sites.ts';
import { CaseworkStack } from './stack.ts';

/** One stack; cdk-nag's AWS Solutions and Serverless checks run in every synth. */
export function buildApp(app = new App()) {
  const context = (name: string, fallback: string) =>
    String(app.node.tryGetContext(`casework:${name}`) ?? fallback);
  const stack = new CaseworkStack(app, 'Casework', {
    stage: context('stage', 'dev'),
    portalOrigin: app.node.tryGetContext('casework:portalOrigin'),
    consoleOrigin: app.node.tryGetContext('casework:consoleOrigin'),
    sitesDomain: sitesDomainOf(
      app.node.tryGetContext('casework:sitesDomain'),
      app.node.tryGetContext('casework:sitesCertificateArn'),
    ),
    mailDomain: context('mailDomain', 'support.example'),
    userMailThroughSes: context('userMailThroughSes', 'false') === 'true',
    administratorEmail: app.node.tryGetContext('casework:administratorEmail'),
    alarmEmail: app.node.tryGetContext('casework:alarmEmail'),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
