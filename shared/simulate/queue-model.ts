// The queue model the simulation drives: one step per minute. A scaler sees the backlog at the
// start of a minute and sets the desired count; new tasks start work `startupMinutes` later;
// removed tasks stop at once (pending ones first); ready tasks each handle perTask messages a minute.
import type { TracePoint } from './trace.js';

export interface MinuteObservation {
  minute: number;
  time: Date;
  /** Messages waiting at the start of the minute. */
  backlog: number;
  /** Tasks doing work. */
  running: number;
  desired: number;
  /** Arrivals of the previous minute (what a metric policy would read). */
  lastArrivals: number;
  /** This minute's arrivals and capacity: only an oracle (the ideal scaler) may look. */
  oracle: { arrivals: number; perTask: number };
}

export interface Scaler {
  initial: number;
  decide(observation: MinuteObservation): number;
}

export interface MinuteSample {
  time: Date;
  arrivals: number;
  perTask: number;
  /** At the end of the minute. */
  backlog: number;
  running: number;
  desired: number;
}

export interface ModelOptions {
  /** Per-task throughput per minute where the trace has none. */
  perTask: number;
  startupMinutes: number;
}

export function runQueueModel(trace: TracePoint[], scaler: Scaler, options: ModelOptions): MinuteSample[] {
  // Each task is the minute it becomes ready; the initial ones are ready from the start.
  let tasks: number[] = Array.from({ length: scaler.initial }, () => 0);
  let backlog = 0;
  let lastArrivals = 0;
  const samples: MinuteSample[] = [];
  trace.forEach((point, minute) => {
    const perTask = point.perTask ?? options.perTask;
    const running = tasks.filter((readyAt) => readyAt <= minute).length;
    const desired = Math.max(0, Math.round(scaler.decide({ minute, time: point.time, backlog, running, desired: tasks.length, lastArrivals, oracle: { arrivals: point.arrivals, perTask } })));
    if (desired > tasks.length) tasks = [...tasks, ...Array.from({ length: desired - tasks.length }, () => minute + options.startupMinutes)];
    else if (desired < tasks.length) tasks = [...tasks].sort((a, b) => a - b).slice(0, desired);
    const ready = tasks.filter((readyAt) => readyAt <= minute).length;
    backlog = Math.max(0, backlog + point.arrivals - ready * perTask);
    lastArrivals = point.arrivals;
    samples.push({ time: point.time, arrivals: point.arrivals, perTask, backlog, running: ready, desired: tasks.length });
  });
  return samples;
}
