// The simulation: the queue model's rules, and the README's report and chart kept in step with
// `npm run simulate:scaling` (a test fails when they are stale, as for the JSON Schema).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { DRAIN_LIMIT_MINUTES, runQueueModel, type Scaler } from '../../shared/simulate/queue-model.js';
import { reportLines, simulate, summarise } from '../../shared/simulate/report.js';
import type { TracePoint } from '../../shared/simulate/trace.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { EXAMPLE_CHART, runExampleDay } from '../../scripts/lib/scaling-example.js';

const minutes = (arrivals: number[]): TracePoint[] => arrivals.map((a, i) => ({ time: new Date(Date.UTC(2026, 10, 20, 9, i)), arrivals: a }));
const fixed = (counts: number[], initial = 0): Scaler => ({ initial, decide: ({ minute }) => counts[minute] ?? counts.at(-1)! });

describe('queue model', () => {
  it('starts new tasks after the start-up time and bills them from the start', () => {
    const samples = runQueueModel(minutes([100, 100, 100, 0]), fixed([1]), { perTask: 100, startupMinutes: 2 });
    // The fifth minute is past the trace's end: the model runs on until the last 100 are served.
    expect(samples.map((s) => s.running)).toEqual([0, 0, 1, 1, 1]);
    expect(samples.map((s) => s.backlog)).toEqual([100, 200, 200, 100, 0]);
    expect(summarise(samples, 50, 0)).toMatchObject({ taskMinutes: 5, actions: 1 });
  });

  it('stops starting tasks first on scale-in, and counts direction changes between actions', () => {
    const samples = runQueueModel(minutes([0, 0, 0, 0, 0]), fixed([2, 3, 2, 3, 3], 2), { perTask: 10, startupMinutes: 3 });
    expect(samples.map((s) => [s.desired, s.running])).toEqual([[2, 2], [3, 2], [2, 2], [3, 2], [3, 2]]);
    expect(summarise(samples, 1, 2)).toMatchObject({ actions: 3, directionChanges: 2 });
  });
});

describe('a trace that ends with messages queued', () => {
  it('runs on with no arrivals until the backlog is drained, one minute after another', () => {
    const samples = runQueueModel(minutes([500, 500, 0]), fixed([2]), { perTask: 100, startupMinutes: 0 });
    expect(samples.map((s) => s.backlog)).toEqual([300, 600, 400, 200, 0]);
    expect(samples.slice(3).map((s) => [s.arrivals, s.time.toISOString()])).toEqual([[0, '2026-11-20T09:03:00.000Z'], [0, '2026-11-20T09:04:00.000Z']]);
    expect(summarise(samples, 100, 0).taskMinutes).toBe(10);
  });

  it('stops DRAIN_LIMIT_MINUTES after the end when the backlog never drains', () => {
    expect(runQueueModel(minutes([500]), fixed([0]), { perTask: 100, startupMinutes: 0 })).toHaveLength(1 + DRAIN_LIMIT_MINUTES);
  });

  it('reports task-minutes no fewer than the ideal for the policy, the ideal scaler and the baseline', () => {
    const service = validateConfig({ scale: { services: [{ cluster: 'prod', service: 'worker', max: 10, policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 200 }] }] } }, 'test').scale!.services[0]!;
    const result = simulate(service, minutes([500, 500, 0]), { perTask: 100, startupMinutes: 1, rateSeconds: 60 });
    expect(result.idealTaskMinutes).toBe(10);
    for (const run of [result.autopilot, result.ideal, result.baseline]) expect(run.taskMinutes).toBeGreaterThanOrEqual(result.idealTaskMinutes);
    for (const samples of [result.samples.autopilot, result.samples.baseline]) expect(samples.at(-1)!.backlog).toBe(0);
  });
});

describe('npm run simulate:scaling', () => {
  const { result, svg } = runExampleDay();

  it('beats ECS target tracking on the synthetic day, and the README shows its report', () => {
    expect(result.autopilot.directionChanges).toBeLessThan(result.baseline.directionChanges);
    expect(result.autopilot.taskMinutes).toBeLessThan(result.baseline.taskMinutes);
    expect(result.autopilot.drainMinutes).toBeLessThanOrEqual(result.baseline.drainMinutes);
    expect(readFileSync(join(projectRoot, 'README.md'), 'utf8')).toContain(`\`\`\`text\n${reportLines(result).join('\n')}\n\`\`\``);
  });

  it('keeps docs/scaling-simulation.svg in step (npm run simulate:scaling rewrites it)', () => {
    expect(readFileSync(EXAMPLE_CHART, 'utf8')).toBe(svg);
  });
});
