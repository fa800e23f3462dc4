// What one scaling policy type is: a file exporting a PolicyDefinition, listed in ./index.ts.
import type { PolicyEvaluation, PolicyReading, ScalingPolicy } from './types.js';

export interface PolicyDefinition<T extends ScalingPolicy['type']> {
  type: T;
  describe(policy: Extract<ScalingPolicy, { type: T }>): string;
  /** Pure: the reading (undefined for policies that read nothing) and the clock in, an evaluation out. */
  evaluate(policy: Extract<ScalingPolicy, { type: T }>, reading: PolicyReading | undefined, now: Date): PolicyEvaluation;
}

/**
 * Target tracking on one reading: desired = ceil(value / targetPerTask), never below 0. What the
 * metric and SQS backlog policies share; `what` names the reading in explanations ("messages").
 */
export function perTaskEvaluation(name: string, policy: { targetPerTask: number; activationThreshold: number }, reading: PolicyReading | undefined, what: { unreadable: string; unit: string }): PolicyEvaluation {
  if (!reading || 'error' in reading) return { policy: name, missing: reading?.error ?? 'not read', explanation: `${name}: ${what.unreadable} (${reading?.error ?? 'not read'})` };
  const count = Math.max(0, Math.ceil(reading.value / policy.targetPerTask));
  return {
    policy: name,
    value: reading.value,
    count,
    demand: reading.value / policy.targetPerTask,
    active: reading.value > policy.activationThreshold,
    explanation: `${name}: ${reading.value}${what.unit} / ${policy.targetPerTask} per task = ${count}`,
  };
}
