// The IAM grants of the notify function: the union of what the adapters it wires declare, for the
// receivers and secrets this configuration names (and nothing else).
import { alarmServiceResolverGrants } from '../../shared/adapters/alarm-service-resolver.js';
import { agentStatusGrants } from '../../shared/adapters/ecs-container-instances.js';
import { deploymentReaderGrants } from '../../shared/adapters/ecs-deployments.js';
import { serviceTagReaderGrants } from '../../shared/adapters/ecs-service-tags.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import { logTailGrants } from '../../shared/adapters/log-tail.js';
import { secretReaderGrants } from '../../shared/adapters/secret-reader.js';
import { snsNotifierGrants } from '../../shared/adapters/sns-notifier.js';
import { timerGrants } from '../../shared/adapters/sqs-timers.js';
import { effectiveReceivers } from '../../shared/config/receivers.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { stateStoreGrants } from '../../shared/state/dynamodb-store.js';

/** Posting to the receivers the configuration names: their SNS topics and Slack webhook secrets. */
export function receiverGrants(config: AutopilotConfig): IamGrant[] {
  const receivers = Object.values(effectiveReceivers(config));
  const topics = receivers.filter((r) => r.sns).map((r) => r.sns?.topicArn);
  const webhooks = receivers.flatMap((r) => (r.slack ? [r.slack.webhook] : []));
  return [...snsNotifierGrants(topics), ...secretReaderGrants(webhooks)];
}

export function notifyGrants(config: AutopilotConfig): IamGrant[] {
  return [
    ...receiverGrants(config),
    ...serviceTagReaderGrants,
    ...deploymentReaderGrants,
    ...agentStatusGrants,
    ...(config.notify.logTail.lines > 0 ? logTailGrants : []),
    ...alarmServiceResolverGrants,
    ...timerGrants,
    ...stateStoreGrants,
  ];
}
