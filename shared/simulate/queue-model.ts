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

/**
 * How long past the trace's end the model runs on to drain what is still queued: a scaler that
 * never drains (max 0, paused) stops here, and the report counts what it did until then.
 */
export const DRAIN_LIMIT_MINUTES = 7 * 24 * 60;

/**
 * The trace, then minutes with no arrivals until the backlog is empty (at most DRAIN_LIMIT_MINUTES):
 * a trace that ends while messages wait would otherwise stop the clock before they are served, and
 * report fewer task-minutes than the work needs and a drain that never finished.
 */
export function runQueueModel(trace: TracePoint[], scaler: Scaler, options: ModelOptions): MinuteSample[] {
  // Each task is the minute it becomes ready; the initial ones are ready from the start.
  let tasks: number[] = Array.from({ length: scaler.initial }, () => 0);
  let backlog = 0;
  let lastArrivals = 0;
  const samples: MinuteSample[] = [];
  const last = trace.at(-1);
  for (let minute = 0; minute < trace.length || (backlog > 0 && last && minute < trace.length + DRAIN_LIMIT_MINUTES); minute += 1) {
    const point = trace[minute] ?? { time: new Date(last!.time.getTime() + (minute - trace.length + 1) * 60_000), arrivals: 0, perTask: last!.perTask };
    const perTask = point.perTask ?? options.perTask;
    const running = tasks.filter((readyAt) => readyAt <= minute).length;
    const desired = Math.max(0, Math.round(scaler.decide({ minute, time: point.time, backlog, running, desired: tasks.length, lastArrivals, oracle: { arrivals: point.arrivals, perTask } })));
    if (desired > tasks.length) tasks = [...tasks, ...Array.from({ length: desired - tasks.length }, () => minute + options.startupMinutes)];
    else if (desired < tasks.length) tasks = [...tasks].sort((a, b) => a - b).slice(0, desired);
    const ready = tasks.filter((readyAt) => readyAt <= minute).length;
    backlog = Math.max(0, backlog + point.arrivals - ready * perTask);
    lastArrivals = point.arrivals;
    samples.push({ time: point.time, arrivals: point.arrivals, perTask, backlog, running: ready, desired: tasks.length });
  }
  return samples;
}
