import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUSES, WORKFLOW_STATE } from '#shared/cases/model.ts';

type State = Record<string, unknown> & { Type: string; Next?: string; Default?: string };
const definition = JSON.parse(readFileSync('statemachines/case-lifecycle.asl.json', 'utf8')) as {
  QueryLanguage?: string;
  StartAt: string;
  States: Record<string, State>;
};
const states = Object.entries(definition.States);
const SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

describe('the case-lifecycle state machine (ASL lint)', () => {
  it('is in JSONPath mode only: no QueryLanguage, Assign, Arguments or Output anywhere', () => {
    expect(definition.QueryLanguage).toBeUndefined();
    for (const [name, state] of states) {
      for (const field of ['QueryLanguage', 'Assign', 'Arguments', 'Output'])
        expect(state[field], `${name}.${field}`).toBeUndefined();
    }
  });

  it('retries function errors of the steps that only read and decide (route, deadline, purge, continue)', () => {
    for (const name of ['Route', 'Deadline', 'Purge', 'ContinueAsNew']) {
      const retried = ((definition.States[name]?.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap(
        (r) => r.ErrorEquals,
      );
      expect(retried, name).toContain('States.TaskFailed');
    }
  });

  it('retries Lambda service errors on every Lambda task', () => {
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
      const retried = ((state.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(SERVICE_ERRORS));
    }
  });

  it('leads every Next, Default, Choice and Catch to a real state', () => {
    const targets = [definition.StartAt];
    for (const [, state] of states) {
      if (state.Next) targets.push(state.Next);
      if (state.Default) targets.push(state.Default);
      for (const choice of (state.Choices as { Next: string }[]) ?? []) targets.push(choice.Next);
      for (const c of (state.Catch as { Next: string }[]) ?? []) targets.push(c.Next);
    }
    for (const target of targets) expect(definition.States, target).toHaveProperty(target);
  });

  it('names its waiting states after the statuses, each a callback task with a timeout to the next deadline', () => {
    for (const status of STATUSES) {
      const state = definition.States[WORKFLOW_STATE[status]];
      expect(state?.Resource, status).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(state?.TimeoutSecondsPath).toBe('$.waitSeconds');
      expect(((state?.Catch ?? []) as { ErrorEquals: string[] }[]).map((c) => c.ErrorEquals[0])).toEqual([
        'States.Timeout',
        'CaseMoved',
        // Any other failure of the wait step routes again: the route re-reads the case.
        'States.ALL',
      ]);
    }
  });

  it('backs off before routing again when a wait step keeps failing: no hot loop (a case that moved routes at once)', () => {
    type Retrier = {
      ErrorEquals: string[];
      MaxAttempts?: number;
      IntervalSeconds?: number;
      BackoffRate?: number;
    };
    for (const status of STATUSES) {
      const retry = (definition.States[WORKFLOW_STATE[status]]?.Retry ?? []) as Retrier[];
      // Retriers are tried in order: CaseMoved must come first, never retried.
      expect(retry[0], status).toEqual({ ErrorEquals: ['CaseMoved'], MaxAttempts: 0 });
      const failed = retry.find((r) => r.ErrorEquals.includes('States.TaskFailed'));
      expect(failed, status).toMatchObject({ MaxAttempts: expect.any(Number), BackoffRate: 2 });
      const waited = Array.from({ length: failed?.MaxAttempts ?? 0 }, (_, i) =>
        Math.min((failed?.IntervalSeconds ?? 0) * 2 ** i, 300),
      ).reduce((a, b) => a + b, 0);
      expect(waited, `${status}: seconds of backoff before routing again`).toBeGreaterThanOrEqual(300);
    }
  });
});
