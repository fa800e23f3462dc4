// SQS backlog per task: desired = ceil(messages / targetPerTask). The reading is the queue's visible
// messages (plus in-flight ones when includeInFlight), read by shared/adapters/sqs-backlog.ts.
import type { PolicyDefinition } from './policy.js';

export const sqsBacklogPolicy: PolicyDefinition<'sqs-backlog'> = {
  type: 'sqs-backlog',
  describe: (policy) => `sqs-backlog ${policy.queue.split('/').pop()}`,
  evaluate(policy, reading) {
    const name = this.describe(policy);
    if (!reading || 'error' in reading) return { policy: name, missing: reading?.error ?? 'not read', explanation: `${name}: backlog unreadable (${reading?.error ?? 'not read'})` };
    const count = Math.ceil(reading.value / policy.targetPerTask);
    return {
      policy: name,
      value: reading.value,
      count,
      demand: reading.value / policy.targetPerTask,
      active: reading.value > policy.activationThreshold,
      explanation: `${name}: ${reading.value} messages / ${policy.targetPerTask} per task = ${count}`,
    };
  },
};
