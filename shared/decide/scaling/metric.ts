// Target tracking on any CloudWatch metric or metric-math expression: desired = ceil(value /
// targetPerTask), the value being the newest datapoint (read by shared/adapters/cloudwatch-metric.ts).
import { type PolicyDefinition, perTaskEvaluation } from './policy.js';

export const metricPolicy: PolicyDefinition<'metric'> = {
  type: 'metric',
  describe: (policy) => (policy.metric ? `metric ${policy.metric.namespace} ${policy.metric.name}` : `metric ${policy.expression}`),
  evaluate(policy, reading) {
    return perTaskEvaluation(this.describe(policy), policy, reading, { unreadable: 'unreadable', unit: '' });
  },
};
