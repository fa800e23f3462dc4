// The scaling policy types, one file each. A new type: its schema in shared/config/schema-scale.ts,
// its file here, one line below (the type checker fails until both exist).
import { metricPolicy } from './metric.js';
import type { PolicyDefinition } from './policy.js';
import { schedulePolicy } from './schedule.js';
import { sqsBacklogPolicy } from './sqs-backlog.js';
import type { PolicyEvaluation, PolicyReading, ScalingPolicy } from './types.js';

export const POLICY_TYPES: { [T in ScalingPolicy['type']]: PolicyDefinition<T> } = {
  'sqs-backlog': sqsBacklogPolicy,
  metric: metricPolicy,
  schedule: schedulePolicy,
};

export function evaluatePolicy(policy: ScalingPolicy, reading: PolicyReading | undefined, now: Date): PolicyEvaluation {
  return (POLICY_TYPES[policy.type] as PolicyDefinition<ScalingPolicy['type']>).evaluate(policy, reading, now);
}

export function describePolicy(policy: ScalingPolicy): string {
  return (POLICY_TYPES[policy.type] as PolicyDefinition<ScalingPolicy['type']>).describe(policy);
}

/** Policies that read a value (and so need an adapter and can be missing). */
export const readsLoad = (policy: ScalingPolicy): boolean => policy.type !== 'schedule';
