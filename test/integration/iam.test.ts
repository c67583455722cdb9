import { createHash } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_ADMINISTRATOR, LOCAL_CLIENT_ID, LOCAL_USER_POOL_ID } from '#local/cognito.ts';
import { demoCatalogue } from '#local/demo.ts';
import { ACCOUNT, REGION } from '#local/runtime.ts';
import { Iam } from '#local/services/iam.ts';
import { readStack } from '#local/stack.ts';
import { stackTemplate } from '#local/template.ts';
import { s3 } from '#shared/store/clients.ts';
import { withoutPermission } from './policies.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime } from './runtime.ts';
import { poolClient } from './user-pool.ts';

const names = { region: REGION, account: ACCOUNT, table: 'casework', bucket: 'casework-files' };

describe('IAM is enforced locally: each function may make only the calls its policy in the template allows', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('with dynamodb:DescribeTable removed from the health function, its DescribeTable is refused (AccessDeniedException) and health answers 503', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      template: (template) => withoutPermission(template, 'health', 'dynamodb:DescribeTable'),
    });
    const res = await t.api('GET', '/v1/health');
    expect(res.status).toBe(503);
    expect(res.body.parts).toEqual({
      dynamodb: 'down: AccessDeniedException',
      s3: 'up',
      stepfunctions: 'up',
      ses: 'up',
    });
  });

  it('the stack as synthesized lets health check every part', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });

  it('a URL a function presigns is authorized as that function, as S3 does: with s3:PutObject removed from the files function, its upload URL is refused (403 AccessDenied) and nothing is stored', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      template: (template) => withoutPermission(template, 'files', 's3:PutObject'),
    });
    const n = (await t.api('POST', '/v1/cases', { as: 'dana@acme.example', body: acmeHighCase })).body.number;
    const content = Buffer.from('log line\n');
    // Presigning is the signer's own arithmetic: the grant is made, the refusal comes at the upload.
    const granted = await t.api('POST', `/v1/cases/${n}/files`, {
      as: 'dana@acme.example',
      body: {
        files: [
          {
            name: 'server.log',
            size: content.length,
            contentType: 'text/plain',
            sha256: createHash('sha256').update(content).digest('hex'),
          },
        ],
      },
    });
    expect(granted.status).toBe(201);
    const [file] = granted.body.files;
    const upload = await fetch(file.url, { method: 'PUT', body: content, headers: file.headers });
    expect(upload.status).toBe(403);
    expect(await upload.text()).toContain(
      'casework-files is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::casework-files/cases/',
    );
    const listed = await s3().send(
      new ListObjectsV2Command({ Bucket: process.env.CASEWORK_BUCKET, Prefix: `cases/${n}/` }),
    );
    expect(listed.KeyCount).toBe(0);
  });

  it('the user pool’s administrative calls are signed and authorized too: without cognito-idp:AdminDisableUser the admin function cannot disable a contact removed from the catalogue (AccessDeniedException), who stays enabled', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z', undefined, {
      template: (template) => withoutPermission(template, 'admin', 'cognito-idp:AdminDisableUser'),
    });
    const { 'dev@acme.example': _, ...contacts } = demoCatalogue.contacts;
    const applied = await t.api('POST', '/v1/admin/catalogue', {
      as: LOCAL_ADMINISTRATOR,
      body: { ...demoCatalogue, contacts },
    });
    expect(applied.status).toBe(500);
    const pool = poolClient(t);
    try {
      const dev = await pool.send(
        new AdminGetUserCommand({ UserPoolId: LOCAL_USER_POOL_ID, Username: 'dev@acme.example' }),
      );
      expect(dev.Enabled).toBe(true);
    } finally {
      pool.destroy();
    }
  });

  it('an unsigned administrative call to the user pool is refused (MissingAuthenticationTokenException); a person’s own sign-in call needs no signature, as a page makes it', async () => {
    t = await startTestRuntime('2026-03-02T09:00:00Z');
    const call = (action: string, body: object) =>
      fetch(t?.runtime.urls.cognito as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    const admin = await call('AdminGetUser', {
      UserPoolId: LOCAL_USER_POOL_ID,
      Username: LOCAL_ADMINISTRATOR,
    });
    expect(admin.status).toBe(400);
    expect(((await admin.json()) as { __type: string }).__type).toContain(
      'MissingAuthenticationTokenException',
    );
    const signIn = await call('InitiateAuth', {
      ClientId: LOCAL_CLIENT_ID,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: LOCAL_ADMINISTRATOR, PASSWORD: 'not-the-password' },
    });
    expect(signIn.status).toBe(400);
    expect(((await signIn.json()) as { __type: string }).__type).toBe('NotAuthorizedException');
  });

  it("calls outside a function's policy are refused, inside it allowed (least privilege as written in the stack)", async () => {
    const stack = readStack(await stackTemplate(), { ...names, functionName: (n) => `casework-${n}` });
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${stack.stateMachine.name}`;
    const iam = new Iam(new Map([...stack.functions.values()].map((f) => [f.name, f.statements])), {
      ...names,
      stateMachineArn: arn,
    });
    const object = (key: string) => `arn:aws:s3:::casework-files/${key}`;
    const refused = async (fn: string, action: string, resource: string, context = {}) =>
      (await iam.check(fn, [{ action, resource, context }]))?.code;
    expect(await refused('workflow', 's3:PutObject', object('cases/1/f/a.txt'))).toBeUndefined();
    expect(await refused('workflow', 's3:PutObject', object('inbox/message'))).toBe('AccessDenied');
    expect(await refused('inboundMail', 's3:GetObject', object('inbox/message'))).toBeUndefined();
    expect(await refused('inboundMail', 's3:DeleteObject', object('inbox/message'))).toBe('AccessDenied');
    expect(
      await refused('workflow', 's3:ListBucket', 'arn:aws:s3:::casework-files', { 's3:prefix': 'cases/1/' }),
    ).toBeUndefined();
    expect(await refused('triage', 's3:DeleteObject', object('inbox/message'))).toBe('AccessDenied');
    expect(await refused('files', 'states:StartExecution', arn)).toBe('AccessDenied');
    expect(await refused('api', 'states:StartExecution', arn)).toBeUndefined();
    expect(
      await refused('health', 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/casework`),
    ).toBe('AccessDenied');
  });
});
