import middy from '@middy/core';
import { countRestarts, logger, observed } from '#shared/observability.ts';
import { restartFailedExecutions } from '#shared/service/sweep.ts';

/** Every `sweepEveryMinutes` (an EventBridge schedule): cases whose execution failed get a new one. */
export const handler = middy()
  .use(observed<unknown>(() => 'sweep'))
  .handler(async () => {
    const restarted = await restartFailedExecutions();
    if (restarted.length) logger.warn('workflows restarted', { cases: restarted });
    countRestarts(restarted.length);
    return { restarted };
  });
