// The shipper's EMF metrics for one invocation, from its outcome (names from shared/lambda/metrics.ts).
// Per-destination figures get their own `destination` dimension through single metrics.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ShipOutcome } from '../../shared/execute/ship/ship-batch.js';
import { METRIC, MetricUnit } from '../../shared/lambda/metrics.js';

export function publishShipMetrics(metrics: Metrics, outcome: ShipOutcome): void {
  if (outcome.outcome === 'control-message') return;
  metrics.addMetric(METRIC.shipperRecordsIn, MetricUnit.Count, outcome.stats.records);
  metrics.addMetric(METRIC.shipperRecordsDropped, MetricUnit.Count, outcome.stats.dropped + outcome.stats.sampledOut);
  metrics.addMetric(METRIC.shipperRedactions, MetricUnit.Count, outcome.stats.redactions);
  metrics.addMetric(METRIC.shipperBackups, MetricUnit.Count, outcome.backups.reduce((sum, b) => sum + b.records, 0));
  for (const destination of outcome.destinations) {
    const single = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
      const metric = metrics.singleMetric();
      metric.addDimension('destination', destination.destination);
      metric.addMetric(name, unit, value);
    };
    single(METRIC.shipperRecordsShipped, MetricUnit.Count, destination.delivered);
    single(METRIC.shipperBytesShipped, MetricUnit.Bytes, destination.bytes);
    single(METRIC.shipperFailures, MetricUnit.Count, destination.failed);
  }
}
