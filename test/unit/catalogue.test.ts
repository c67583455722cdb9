import { describe, expect, it } from 'vitest';
import { demoAccounts, demoUsers } from '#local/demo.ts';
import { type Account, accountProblems, type User } from '#shared/catalogue/accounts.ts';
import centresData from '#shared/catalogue/centres.json' with { type: 'json' };
import policyData from '#shared/catalogue/policy.json' with { type: 'json' };
import { CentresSchema, PolicySchema, parseCatalogue } from '#shared/catalogue/schema.ts';

const copy = <T>(v: T): T => structuredClone(v);

describe('the catalogue is data, validated when loaded', () => {
  it('loads the default policy and centres', () => {
    expect(() => parseCatalogue(PolicySchema, policyData, 'policy.json')).not.toThrow();
    expect(Object.keys(parseCatalogue(CentresSchema, centresData, 'centres.json'))).toHaveLength(7);
  });

  it('names the path of a bad target', () => {
    const bad = copy(policyData) as {
      plans: Record<string, { targets: Record<string, Record<string, unknown>> }>;
    };
    (bad.plans['business-care']?.targets.high as Record<string, unknown>).response = '4 hours';
    expect(() => parseCatalogue(PolicySchema, bad, 'policy.json')).toThrow(
      'policy.json: plans.business-care.targets.high.response',
    );
  });

  it('names an unknown follow-up policy', () => {
    const bad = copy(policyData) as { plans: Record<string, { followUpPolicy: string }> };
    (bad.plans['premium-care'] as { followUpPolicy: string }).followUpPolicy = 'weekly';
    expect(() => parseCatalogue(PolicySchema, bad, 'policy.json')).toThrow(
      'plans.premium-care.followUpPolicy: unknown follow-up policy "weekly"',
    );
  });

  it('names a bad centre time zone or opening', () => {
    const bad = copy(centresData) as Record<string, { timeZone: string; week: Record<string, string[][]> }>;
    (bad.emea as { timeZone: string }).timeZone = 'Europe/Atlantis';
    expect(() => parseCatalogue(CentresSchema, bad, 'centres.json')).toThrow('centres.json: emea.timeZone');
    const inverted = copy(centresData) as Record<string, { week: Record<string, string[][]> }>;
    (inverted.japan as { week: Record<string, string[][]> }).week.mon = [['18:00', '09:00']];
    expect(() => parseCatalogue(CentresSchema, inverted, 'centres.json')).toThrow('japan.week.mon.0');
  });

  it('holds the windows of SPEC §3, §7, §9, §10', () => {
    expect(parseCatalogue(PolicySchema, policyData, 'p').windows).toEqual({
      reopenDays: 30,
      surveyDays: 60,
      uploadGrantHours: 120,
      purgeDays: 30,
      snoozeMaxDays: 30,
      closedFeatureRequestVisibleDays: 365,
      gracePeriodMaxDays: 30,
      featureEvaluationBusinessDays: 55,
    });
  });
});

describe('accounts and their contacts (SPEC §1)', () => {
  it('the demo catalogue is valid', () => {
    expect(accountProblems(demoAccounts, demoUsers)).toEqual([]);
  });

  it('a cloud plan needs at least two designated contacts; read-only contacts do not count', () => {
    const globex = demoAccounts.find((a) => a.id === 'globex') as Account;
    const users: User[] = [
      { email: 'gus@globex.example', name: 'Gus', role: 'customer', grants: { globex: 3 } },
      { email: 'ro@globex.example', name: 'Ro', role: 'customer', grants: { globex: 2 } },
    ];
    expect(accountProblems([globex], users)).toEqual([
      'account globex: a cloud plan needs at least two designated contacts, it has 1',
    ]);
  });

  it('names an unknown plan or centre, a contract ending before it starts, no product', () => {
    const bad: Account = {
      id: 'x',
      name: 'X',
      plan: 'gold',
      centre: 'mars',
      contract: { start: '2026-01-01', end: '2025-01-01' },
      products: [],
    };
    expect(accountProblems([bad], [])).toEqual([
      'account x: unknown plan "gold"',
      'account x: unknown support centre "mars"',
      'account x: its contract ends (2025-01-01) before it starts (2026-01-01)',
      'account x: its contract covers no product',
    ]);
  });
});

describe('plan settings from the handbooks (SPEC §3, §4)', () => {
  const plans = parseCatalogue(PolicySchema, policyData, 'p').plans;

  it('reopening: support only on premise, the customer on cloud but not after Resolved, a request on pureconnect', () => {
    expect(plans['business-care']?.reopen).toEqual({ byCustomer: 'never', notAfter: [] });
    expect(plans['business-care-for-cloud']?.reopen).toEqual({
      byCustomer: 'direct',
      notAfter: ['Resolved'],
    });
    expect(plans.pureconnect?.reopen).toEqual({ byCustomer: 'request', notAfter: ['No Response'] });
  });

  it('cloud response counts from submission, with a 95% restoration share; on-premise response from completion', () => {
    expect(plans['care-for-cloud']).toMatchObject({ responseFrom: 'submission', restorationShare: 0.95 });
    expect(plans['premium-care']).toMatchObject({ responseFrom: 'complete' });
  });
});
