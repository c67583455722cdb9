import type { Template } from '#local/template.ts';

type Statement = { Action: string | string[] };

/** The template with `action` taken out of the policies of the role of `fn` (found by type, not by path). */
export function withoutPermission(template: Template, fn: string, action: string): Template {
  const copy = structuredClone(template);
  const resources = Object.values(copy.Resources);
  const lambda = resources.find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.CASEWORK_FUNCTION === fn,
  );
  const roleId = (lambda?.Properties?.Role as { 'Fn::GetAtt': [string] } | undefined)?.['Fn::GetAtt'][0];
  if (!roleId) throw new Error(`no function ${fn} with a role in the template`);
  for (const policy of resources.filter((r) => r.Type === 'AWS::IAM::Policy')) {
    const roles = (policy.Properties?.Roles ?? []) as { Ref: string }[];
    if (!roles.some((r) => r.Ref === roleId)) continue;
    const document = policy.Properties?.PolicyDocument as { Statement: Statement[] };
    document.Statement = document.Statement.map((s) => ({
      ...s,
      Action: ([] as string[]).concat(s.Action).filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0);
  }
  return copy;
}
