// The three scalers the simulation compares on the same trace and queue model: ecs-autopilot's
// own decision function, an ideal scaler, and a model of ECS target tracking.
import type { ScaledService } from '../config/schema-scale.js';
import { decideScale } from '../decide/scaling/decide-scale.js';
import { EMPTY_HISTORY, type PolicyReading, type ScalingDecision, type ScalingHistory } from '../decide/scaling/types.js';
import type { MinuteObservation, Scaler } from './queue-model.js';

/** The load policy whose target defines "over target" in the report: the first sqs-backlog or metric policy. */
export function targetPerTask(service: ScaledService): number {
  const load = service.policies.find((p) => p.type !== 'schedule');
  if (!load || !('targetPerTask' in load)) throw new Error(`service ${service.service} has no sqs-backlog or metric policy to simulate`);
  return load.targetPerTask;
}

/**
 * ecs-autopilot: decideScale every `rate`. An sqs-backlog policy reads the backlog; a metric
 * policy reads the previous minute's arrivals (requests per minute); a schedule reads the clock.
 */
export function autopilotScaler(service: ScaledService, rateSeconds: number, onDecision?: (decision: ScalingDecision) => void): Scaler {
  let history: ScalingHistory = EMPTY_HISTORY;
  const everyMinutes = Math.max(1, Math.round(rateSeconds / 60));
  const initial = service.scaleToZero ? 0 : service.min;
  return {
    initial,
    decide(observation: MinuteObservation) {
      if (observation.minute % everyMinutes !== 0) return observation.desired;
      const readings = service.policies.map((policy): PolicyReading | undefined => {
        if (policy.type === 'sqs-backlog') return { value: observation.backlog };
        if (policy.type === 'metric') return { value: observation.lastArrivals };
        return undefined;
      });
      const decision = decideScale(service, { desired: observation.desired, running: observation.running, readings }, history, observation.time);
      history = decision.history;
      onDecision?.(decision);
      return decision.desired;
    },
  };
}

/** Sets the exact count needed every minute (this minute's backlog and arrivals), within max. */
export function idealScaler(service: ScaledService): Scaler {
  return {
    initial: 0,
    decide: ({ backlog, oracle }) => Math.min(service.max, Math.ceil((backlog + oracle.arrivals) / oracle.perTask)),
  };
}

/**
 * ECS target tracking on backlog per task, as AWS documents it: the metric is visible messages /
 * running tasks (one datapoint a minute); 3 datapoints above the target scale out, 15 below scale
 * in, to ceil(current * metric / target), within [max(min, 1), max] (target tracking cannot wake a
 * service from zero: the metric divides by the running count). After an action the alarm needs
 * fresh datapoints; scale-in waits out the default 300 s cooldown.
 */
export function targetTrackingScaler(service: ScaledService): Scaler {
  const target = targetPerTask(service);
  const low = Math.max(1, service.min);
  let above = 0;
  let below = 0;
  let lastActionMinute = -Infinity;
  return {
    initial: low,
    decide({ minute, backlog, running, desired }) {
      const metric = backlog / Math.max(1, running);
      above = metric > target ? above + 1 : 0;
      below = metric < target ? below + 1 : 0;
      const proportional = Math.min(service.max, Math.max(low, Math.ceil((Math.max(1, running) * metric) / target)));
      if (above >= 3 && proportional > desired) {
        above = 0;
        lastActionMinute = minute;
        return proportional;
      }
      if (below >= 15 && minute - lastActionMinute >= 5 && proportional < desired) {
        below = 0;
        lastActionMinute = minute;
        return proportional;
      }
      return Math.min(service.max, Math.max(low, desired));
    },
  };
}
