// The simulation: the queue model's rules, and the README's report and chart kept in step with
// `npm run simulate:scaling` (a test fails when they are stale, as for the JSON Schema).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQueueModel, type Scaler } from '../../shared/simulate/queue-model.js';
import { reportLines, summarise } from '../../shared/simulate/report.js';
import type { TracePoint } from '../../shared/simulate/trace.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { EXAMPLE_CHART, runExampleDay } from '../../scripts/lib/scaling-example.js';

const minutes = (arrivals: number[]): TracePoint[] => arrivals.map((a, i) => ({ time: new Date(Date.UTC(2026, 10, 20, 9, i)), arrivals: a }));
const fixed = (counts: number[], initial = 0): Scaler => ({ initial, decide: ({ minute }) => counts[minute] ?? counts.at(-1)! });

describe('queue model', () => {
  it('starts new tasks after the start-up time and bills them from the start', () => {
    const samples = runQueueModel(minutes([100, 100, 100, 0]), fixed([1]), { perTask: 100, startupMinutes: 2 });
    expect(samples.map((s) => s.running)).toEqual([0, 0, 1, 1]);
    expect(samples.map((s) => s.backlog)).toEqual([100, 200, 200, 100]);
    expect(summarise(samples, 50, 0)).toMatchObject({ taskMinutes: 4, actions: 1 });
  });

  it('stops starting tasks first on scale-in, and counts direction changes between actions', () => {
    const samples = runQueueModel(minutes([0, 0, 0, 0, 0]), fixed([2, 3, 2, 3, 3], 2), { perTask: 10, startupMinutes: 3 });
    expect(samples.map((s) => [s.desired, s.running])).toEqual([[2, 2], [3, 2], [2, 2], [3, 2], [3, 2]]);
    expect(summarise(samples, 1, 2)).toMatchObject({ actions: 3, directionChanges: 2 });
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
