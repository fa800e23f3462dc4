// SQS backlog per task: desired = ceil(messages / targetPerTask). The reading is the queue's visible
// messages (plus in-flight ones when includeInFlight), read by shared/adapters/sqs-backlog.ts.
import { type PolicyDefinition, perTaskEvaluation } from './policy.js';

export const sqsBacklogPolicy: PolicyDefinition<'sqs-backlog'> = {
  type: 'sqs-backlog',
  describe: (policy) => `sqs-backlog ${policy.queue.split('/').pop()}`,
  evaluate(policy, reading) {
    return perTaskEvaluation(this.describe(policy), policy, reading, { unreadable: 'backlog unreadable', unit: ' messages' });
  },
};
