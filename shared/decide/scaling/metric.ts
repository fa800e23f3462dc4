// Target tracking on any CloudWatch metric or metric-math expression: desired = ceil(value /
// targetPerTask), the value being the newest datapoint (read by shared/adapters/cloudwatch-metric.ts).
import type { PolicyDefinition } from './policy.js';

export const metricPolicy: PolicyDefinition<'metric'> = {
  type: 'metric',
  describe: (policy) => (policy.metric ? `metric ${policy.metric.namespace} ${policy.metric.name}` : `metric ${policy.expression}`),
  evaluate(policy, reading) {
    const name = this.describe(policy);
    if (!reading || 'error' in reading) return { policy: name, missing: reading?.error ?? 'not read', explanation: `${name}: unreadable (${reading?.error ?? 'not read'})` };
    const count = Math.max(0, Math.ceil(reading.value / policy.targetPerTask));
    return {
      policy: name,
      value: reading.value,
      count,
      demand: reading.value / policy.targetPerTask,
      active: reading.value > policy.activationThreshold,
      explanation: `${name}: ${reading.value} / ${policy.targetPerTask} per task = ${count}`,
    };
  },
};
