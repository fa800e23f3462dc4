// The pipeline's metrics port (shared/execute/pipeline-metrics.ts) on Powertools Metrics, in EMF.
// Each fact has its own dimensions (a kind, a receiver), and one EMF document carries one set of
// dimensions for all its metrics; so the first fact of an invocation waits in the shared instance
// (the publishMetrics middleware flushes it, also when the invocation fails) and every later
// fact goes out at once as a single metric with its own dimensions.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { PipelineMetrics } from '../execute/pipeline-metrics.js';
import { METRIC, type MetricName, MetricUnit } from './metrics.js';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export function emfPipelineMetrics(metrics: Metrics): PipelineMetrics {
  const emit = (name: MetricName, dimensions: Record<string, string>, unit: Unit, value: number) => {
    // A metric is an observation: it must never fail, or change the outcome of, what it observes.
    try {
      const target = metrics.hasStoredMetrics() ? metrics.singleMetric() : metrics;
      for (const [key, dimension] of Object.entries(dimensions)) target.addDimension(key, dimension || 'none');
      target.addMetric(name, unit, value);
    } catch {
      // dropped: the handler's own logs still say what happened
    }
  };
  return {
    eventIn: (kind) => emit(METRIC.eventsIn, { kind }, MetricUnit.Count, 1),
    eventHandled: (kind, outcome) => emit(METRIC.eventsHandled, { kind, outcome }, MetricUnit.Count, 1),
    notification: (receiver, outcome) => emit(METRIC.notifications, { receiver, outcome }, MetricUnit.Count, 1),
    notificationDelay: (milliseconds) => emit(METRIC.notificationDelay, {}, MetricUnit.Milliseconds, Math.max(0, milliseconds)),
  };
}
