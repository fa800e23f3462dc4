// The scale function's wiring: one ScalingDecisions datapoint in EMF per decision, with the
// direction and the bound as dimensions.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scaleDependencies } from '../../functions/scale/wiring.js';
import { createMetrics } from '../../shared/lambda/metrics.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { ScalingDecision } from '../../shared/decide/scaling/types.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('scale wiring', () => {
  it('emits ScalingDecisions with direction and bound as EMF', () => {
    // EMF is off for the suite (vitest.config.ts); this test reads it.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const deps = scaleDependencies({ region: 'us-east-1', stateTable: 'table', notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:t' }, validateConfig({}, 'test'), createMetrics('scale', 'test'), () => new Date());
    deps.recordDecision({ direction: 'up', bound: 'step' } as ScalingDecision);
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l)!;
    expect(emf).toMatchObject({ ScalingDecisions: 1, direction: 'up', bound: 'step', stage: 'test', service: 'ecs-autopilot-scale' });
    const directive = (emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }).CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('EcsAutopilot');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['direction', 'bound']));
  });
});
