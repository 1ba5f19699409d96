/**
 * Where CloudWatch Logs' metric filters publish: CloudWatch's metrics, in the filter's namespace
 * of the log group's account and region, as PutMetricData writes (each datum a list of values
 * and counts). A failure is logged, not returned: the events are stored already, and a producer
 * told to retry would store them twice.
 */
import type { MetricDataPort } from '../logs/index.ts';
import { publishMetricData, type MetricsEnv } from '../metrics/index.ts';

/** The port the logs env carries, over the metrics domain. */
export function logMetricsPort(env: MetricsEnv, log: (message: string) => void): MetricDataPort {
  return async (scope, data) => {
    const byNamespace = new Map<string, typeof data>();
    for (const d of data) byNamespace.set(d.namespace, [...(byNamespace.get(d.namespace) ?? []), d]);
    for (const [namespace, items] of byNamespace) {
      await publishMetricData(env, scope, namespace, items.map((d) => ({
        metricName: d.metricName, dimensions: d.dimensions, timestamp: d.timestamp, values: d.values, counts: d.counts, ...(d.unit !== undefined ? { unit: d.unit } : {}),
      }))).catch((error: unknown) => log(`metric filters: ${String(error)}`));
    }
  };
}
