// The IAM grants of the scale function: the union of what the adapters it wires declare, for the
// queues this configuration names, and the receivers its notices go to.
import { cloudWatchMetricGrants } from '../../shared/adapters/cloudwatch-metric.js';
import { ecsDesiredCountGrants } from '../../shared/adapters/ecs-desired-count.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import { scalableTargetGrants } from '../../shared/adapters/scalable-target.js';
import { sqsBacklogGrants } from '../../shared/adapters/sqs-backlog.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { stateStoreGrants } from '../../shared/state/dynamodb-store.js';
import { receiverGrants } from '../notify/permissions.js';

export function scaleGrants(config: AutopilotConfig): IamGrant[] {
  // No scaled service, no function: the role (always in the stack) grants nothing then.
  if ((config.scale?.services ?? []).length === 0) return [];
  const policies = (config.scale?.services ?? []).flatMap((s) => s.policies);
  const queues = [...new Set(policies.flatMap((p) => (p.type === 'sqs-backlog' ? [p.queue] : [])))];
  return [
    ...ecsDesiredCountGrants,
    ...scalableTargetGrants,
    ...sqsBacklogGrants(queues),
    ...(policies.some((p) => p.type === 'metric') ? cloudWatchMetricGrants : []),
    // Notices go where the notify route sends them (Slack webhooks' secrets, SNS topics).
    ...receiverGrants(config),
    ...stateStoreGrants,
  ];
}
