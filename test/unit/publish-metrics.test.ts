// The metrics middleware every handler uses: one EMF line for an invocation that added metrics
// (also when it failed), and no line at all for one that added none.
import middy from '@middy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, METRIC, MetricUnit, publishMetrics } from '../../shared/lambda/metrics.js';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { emittedMetrics } from '../support/emf.js';

let output: Captured;
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  output = captureOutput([process.stdout, process.stderr], false);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function handlerAdding(decisions: number, fail = false) {
  const metrics = createMetrics('scale', 'test');
  return middy(async () => {
    for (let i = 0; i < decisions; i += 1) metrics.addMetric(METRIC.scalingDecisions, MetricUnit.Count, 1);
    if (fail) throw new Error('the evaluation failed');
    return 'done';
  }).use(publishMetrics(metrics));
}

describe('publishMetrics', () => {
  it('writes nothing for an invocation that added no metric', async () => {
    await handlerAdding(0)({}, {} as never);
    expect(output.chunks.join('')).toBe('');
  });

  it('writes one EMF line with what the invocation added, also when it failed', async () => {
    await handlerAdding(3)({}, {} as never);
    await expect(handlerAdding(1, true)({}, {} as never)).rejects.toThrow('the evaluation failed');
    expect(output.emf()).toHaveLength(2);
    // EMF keeps one value per addMetric call of a name, in an array.
    expect(output.emf().map((document) => document[METRIC.scalingDecisions])).toEqual([[1, 1, 1], 1]);
    expect(emittedMetrics(output).every((m) => m.name === METRIC.scalingDecisions && m.dimensions.stage === 'test')).toBe(true);
  });
});
