import { metrics } from '#shared/observability.ts';

interface EmfLine {
  _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] };
  [field: string]: unknown;
}

/**
 * On AWS, CloudWatch reads the metrics a function writes to its log in the embedded metric format.
 * Locally the runtime is that reader: the handlers' metric lines are summed by name into `into`
 * instead of being printed.
 */
export function collectMetrics(into: Record<string, number>): void {
  const sink = {
    log(line: string) {
      const emf = JSON.parse(line) as EmfLine;
      for (const { Name } of emf._aws?.CloudWatchMetrics?.flatMap((m) => m.Metrics ?? []) ?? []) {
        const value = emf[Name];
        const values = Array.isArray(value) ? value : [value];
        into[Name] = (into[Name] ?? 0) + values.reduce((sum: number, v) => sum + Number(v), 0);
      }
    },
  };
  // The Metrics class writes each EMF line with `this.console.log`; it has no option for a sink.
  (metrics as unknown as { console: typeof sink }).console = sink;
}
