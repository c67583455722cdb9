import centresData from './centres.json' with { type: 'json' };
import policyData from './policy.json' with { type: 'json' };
import {
  type Centre,
  CentresSchema,
  type Plan,
  type Policy,
  PolicySchema,
  parseCatalogue,
} from './schema.ts';

export type { Centre, Plan, Policy, SeverityName } from './schema.ts';

export const policy: Policy = parseCatalogue(PolicySchema, policyData, 'policy.json');
export const centres: Record<string, Centre> = parseCatalogue(CentresSchema, centresData, 'centres.json');

export function planNamed(name: string): Plan {
  const plan = policy.plans[name];
  if (!plan) throw new Error(`unknown plan "${name}"`);
  return plan;
}

export function centreNamed(name: string): Centre {
  const centre = centres[name];
  if (!centre) throw new Error(`unknown support centre "${name}"`);
  return centre;
}
