import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { clock } from './clock.ts';

/** Names the stack's alarms use too: the metric they watch is the one published here. */
export const SERVICE = 'casework';
export const METRICS_NAMESPACE = 'casework';
export const BREACH_METRIC = 'SlaBreached';
export const RESTART_METRIC = 'WorkflowsRestarted';

/**
 * Powertools' standard keys, stamped from the one clock: a case opened or changed is logged at the
 * instant the system took it to happen (the system clock on AWS, virtual time locally).
 */
export class ClockLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(clock.now()),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_arn: context?.invokedFunctionArn,
        function_memory_size: context?.memoryLimitInMB,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }
}

/** Structured JSON logs (CloudWatch Logs on AWS), one line per event, with a correlation id. */
export const logger = new Logger({ serviceName: SERVICE, logFormatter: new ClockLogFormatter() });

/**
 * CloudWatch metrics in the embedded metric format: written as log lines, no API call. Powertools
 * adds the dimension `service`.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });

/** SLA targets and obligations found breached; the stack's alarm watches it (SPEC §4, §13). */
export function countBreaches(count: number): void {
  if (count === 0) return;
  metrics.addMetric(BREACH_METRIC, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
}

/** Cases whose failed execution the sweep restarted: each is a failure someone should look at. */
export function countRestarts(count: number): void {
  if (count === 0) return;
  metrics.addMetric(RESTART_METRIC, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
}

/**
 * Adds the Lambda context to every log line of one invocation and tags it with a correlation id:
 * the API request id, the workflow's case, the inbound message id.
 */
export function observed<E>(idOf: (event: E) => string | undefined): MiddlewareObj<E>[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj<E>,
    {
      before: async (request) => {
        const id = idOf(request.event);
        if (id) logger.setCorrelationId(id);
      },
    },
  ];
}
