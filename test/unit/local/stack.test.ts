import { describe, expect, it } from 'vitest';
import { functions } from '#functions/registry.ts';
import { governVariables, withEnvironment } from '#local/function-env.ts';
import { readStack } from '#local/stack.ts';
import { stackTemplate } from '#local/template.ts';

const names = {
  region: 'us-east-1',
  account: '000000000000',
  table: 'casework',
  bucket: 'casework-files',
  functionName: (name: string) => `casework-${name}`,
};

describe('the local runtime is the synthesized stack', () => {
  it('reads every function, route, the state machine, the lifecycle rules and the receipt rule from the template', async () => {
    const stack = readStack(await stackTemplate(), names);
    expect([...stack.functions.keys()].sort()).toEqual(Object.keys(functions).sort());
    const registryRoutes = Object.entries(functions).flatMap(([fn, spec]) =>
      ('routes' in spec ? spec.routes : []).map((r) => ({ ...r, fn })),
    );
    expect(stack.routes).toEqual(expect.arrayContaining(registryRoutes));
    expect(stack.routes).toHaveLength(registryRoutes.length);
    expect(stack.stateMachine.definition).toContain(
      '"arn:aws:lambda:us-east-1:000000000000:function:casework-workflow"',
    );
    expect(stack.stateMachine.definition).not.toContain('${');
    expect(stack.lifecycleRules).toContainEqual(
      expect.objectContaining({ Id: 'expire-inbound-mail', Prefix: 'inbox/', ExpirationInDays: 30 }),
    );
    expect(stack.receiptRule).toMatchObject({ objectKeyPrefix: 'inbox/', fn: 'inboundMail' });
  });

  it('gives the local user pool the stack’s settings: the invitation and verification words, the password policy with the temporary password’s days, MFA, the refresh token’s validity', async () => {
    const { userPool } = readStack(await stackTemplate(), names);
    expect(userPool.invitation.subject).toBe('Your casework account');
    expect(userPool.verification).toEqual({
      subject: 'Your casework verification code',
      message: expect.stringContaining('Your casework verification code is {####}'),
    });
    expect(userPool.passwordPolicy).toMatchObject({ minimumLength: 12, temporaryPasswordDays: 7 });
    expect(userPool.mfa).toBe('ON');
    expect(userPool.refreshTokenSeconds).toBe(12 * 3600);
  });

  it('a user pool client without a validity gets Cognito’s defaults: 30 days', async () => {
    const template = structuredClone(await stackTemplate());
    for (const r of Object.values(template.Resources))
      if (r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties) {
        delete r.Properties.RefreshTokenValidity;
        delete r.Properties.TokenValidityUnits;
      }
    expect(readStack(template, names).userPool.refreshTokenSeconds).toBe(30 * 86_400);
  });

  it("each function's environment is the stack's, intrinsics resolved to local names", async () => {
    const stack = readStack(await stackTemplate(), names);
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Casework-case-lifecycle';
    expect(stack.functions.get('api')?.environment).toMatchObject({
      CASEWORK_TABLE: 'casework',
      CASEWORK_BUCKET: 'casework-files',
      CASEWORK_STATE_MACHINE_ARN: arn,
      CASEWORK_FUNCTION: 'api',
    });
    // The workflow function continues a long case life as a new execution: it needs the ARN too.
    expect(stack.functions.get('workflow')?.environment.CASEWORK_STATE_MACHINE_ARN).toBe(arn);
  });

  it('what is not in the template does not exist locally: a route removed from it is gone', async () => {
    const template = structuredClone(await stackTemplate());
    const [id] = Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === 'GET /v1/triage',
    ) as [string, unknown];
    delete template.Resources[id];
    expect(readStack(template, names).routes.map((r) => r.route)).not.toContain('GET /v1/triage');
  });

  it('inside an invocation a function sees only the variables the stack sets on it', () => {
    governVariables(['CASEWORK_EXAMPLE_ONLY_ON_API']);
    process.env.CASEWORK_EXAMPLE_ONLY_ON_API = 'the process value';
    process.env.CASEWORK_EXAMPLE_LOCAL = 'local setting';
    const read = () => [process.env.CASEWORK_EXAMPLE_ONLY_ON_API, process.env.CASEWORK_EXAMPLE_LOCAL];
    expect(withEnvironment({ CASEWORK_EXAMPLE_ONLY_ON_API: 'api value' }, read)).toEqual([
      'api value',
      'local setting',
    ]);
    expect(withEnvironment({}, read)).toEqual([undefined, 'local setting']);
    expect(withEnvironment({}, () => 'CASEWORK_EXAMPLE_ONLY_ON_API' in process.env)).toBe(false);
    expect(read()).toEqual(['the process value', 'local setting']);
  });
});
