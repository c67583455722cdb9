import { describe, expect, it } from 'vitest';
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

  it('holds the windows of SPEC §3, §7, §9', () => {
    expect(parseCatalogue(PolicySchema, policyData, 'p').windows).toEqual({
      reopenDays: 30,
      surveyDays: 60,
      uploadGrantHours: 120,
      purgeDays: 30,
      snoozeMaxDays: 30,
      closedFeatureRequestVisibleDays: 365,
    });
  });
});
