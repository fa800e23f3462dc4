// The simulation report: the same trace through ecs-autopilot, the ideal scaler and ECS target
// tracking, summarised in the lines the issue specifies (scripts read them; keep them exact).
import type { ScaledService } from '../config/schema-scale.js';
import { type MinuteSample, type ModelOptions, runQueueModel } from './queue-model.js';
import { autopilotScaler, idealScaler, targetPerTask, targetTrackingScaler } from './scalers.js';
import type { TracePoint } from './trace.js';

export interface RunSummary {
  /** Longest time (minutes) the backlog per running task stayed above the target, once above it. */
  drainMinutes: number;
  actions: number;
  directionChanges: number;
  taskMinutes: number;
}

export interface SimulationResult {
  autopilot: RunSummary;
  ideal: RunSummary;
  baseline: RunSummary;
  /** Fewest task-minutes that serve the trace: total work / per-task throughput. */
  idealTaskMinutes: number;
  samples: { autopilot: MinuteSample[]; baseline: MinuteSample[] };
}

export function summarise(samples: MinuteSample[], target: number, initial: number): RunSummary {
  let drainMinutes = 0;
  let episode = 0;
  let actions = 0;
  let directionChanges = 0;
  let lastDirection = 0;
  let previous = initial;
  let taskMinutes = 0;
  for (const sample of samples) {
    episode = sample.backlog > target * Math.max(1, sample.running) ? episode + 1 : 0;
    drainMinutes = Math.max(drainMinutes, episode);
    if (sample.desired !== previous) {
      const direction = Math.sign(sample.desired - previous);
      actions += 1;
      if (lastDirection !== 0 && direction !== lastDirection) directionChanges += 1;
      lastDirection = direction;
      previous = sample.desired;
    }
    taskMinutes += sample.desired;
  }
  return { drainMinutes, actions, directionChanges, taskMinutes };
}

export function simulate(service: ScaledService, trace: TracePoint[], options: ModelOptions & { rateSeconds: number }): SimulationResult {
  const target = targetPerTask(service);
  const run = (scaler: ReturnType<typeof idealScaler>) => {
    const samples = runQueueModel(trace, scaler, options);
    return { samples, summary: summarise(samples, target, scaler.initial) };
  };
  const autopilot = run(autopilotScaler(service, options.rateSeconds));
  const ideal = run(idealScaler(service));
  const baseline = run(targetTrackingScaler(service));
  const idealTaskMinutes = Math.ceil(trace.reduce((sum, p) => sum + p.arrivals / (p.perTask ?? options.perTask), 0));
  return { autopilot: autopilot.summary, ideal: ideal.summary, baseline: baseline.summary, idealTaskMinutes, samples: { autopilot: autopilot.samples, baseline: baseline.samples } };
}

export function reportLines(result: SimulationResult): string[] {
  const { autopilot, ideal, baseline } = result;
  return [
    `drain time: ${autopilot.drainMinutes} min (ideal ${ideal.drainMinutes} min)`,
    `direction changes: ${autopilot.directionChanges}`,
    `actions: ${autopilot.actions}`,
    `task-minutes: ${autopilot.taskMinutes} (ideal ${result.idealTaskMinutes})`,
    `baseline: ECS target tracking drain time ${baseline.drainMinutes} min, task-minutes ${baseline.taskMinutes}, direction changes ${baseline.directionChanges}`,
  ];
}
