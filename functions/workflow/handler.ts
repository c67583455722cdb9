import middy from '@middy/core';
import * as z from 'zod';
import { clock } from '#shared/clock.ts';
import { observed } from '#shared/observability.ts';
import { beginWait, handleDeadline, purge, route } from '#shared/service/workflow.ts';
import { startCaseWorkflow } from '#shared/store/workflow.ts';

/** The state machine's steps (statemachines/case-lifecycle.asl.json): route, wait, deadline, purge. */
const Step = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('route'),
    caseId: z.string(),
    cycles: z.number(),
    generation: z.number(),
    startedAt: z.string(),
  }),
  z.object({ step: z.literal('continue'), caseId: z.string(), generation: z.number() }),
  z.object({
    step: z.literal('wait'),
    caseId: z.string(),
    state: z.string(),
    revision: z.number(),
    taskToken: z.string(),
  }),
  z.object({ step: z.literal('deadline'), caseId: z.string() }),
  z.object({ step: z.literal('purge'), caseId: z.string() }),
]);

async function runStep(event: unknown) {
  const input = Step.parse(event);
  switch (input.step) {
    case 'route':
      return route(input, clock.now());
    case 'continue':
      await startCaseWorkflow(input.caseId, input.generation + 1);
      return { caseId: input.caseId };
    case 'wait':
      await beginWait(input.caseId, input.state, input.revision, input.taskToken);
      return { caseId: input.caseId };
    case 'deadline':
      await handleDeadline(input.caseId, () => clock.now());
      return { caseId: input.caseId };
    case 'purge':
      await purge(input.caseId, clock.now());
      return { caseId: input.caseId };
  }
}

export const handler = middy()
  .use(observed<unknown>((event) => (event as { caseId?: string }).caseId))
  .handler(runStep);
