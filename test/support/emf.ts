// The metrics in the EMF lines a handler logged, as CloudWatch would extract them: each metric with
// its unit, value and the dimensions its document declares.
import { expect } from 'vitest';
import { METRICS_NAMESPACE } from '../../shared/lambda/metrics.js';
import type { Captured } from './capture-output.js';

export interface Emitted {
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  value: number;
}

export function emittedMetrics(output: Captured): Emitted[] {
  const metrics: Emitted[] = [];
  for (const document of output.emf()) {
    for (const directive of document._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const dimensions = Object.fromEntries(directive.Dimensions.flat().map((key) => [key, String(document[key])]));
      for (const metric of directive.Metrics) {
        const value = document[metric.Name];
        for (const v of [value].flat() as number[]) metrics.push({ name: metric.Name, unit: metric.Unit ?? '', dimensions, value: v });
      }
    }
  }
  return metrics;
}
