// Builds the remediate function's dependencies once per container: the ECS reads and writes, the
// kill switch, the announcer, the state store and its own timer queue.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { InstanceReplacer } from '../../shared/adapters/autoscaling-replace.js';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createRemediationEcs } from '../../shared/adapters/ecs-remediation.js';
import { createServiceTagReader } from '../../shared/adapters/ecs-service-tags.js';
import { createKillSwitch, lazySsm } from '../../shared/adapters/kill-switch.js';
import { once } from '../../shared/adapters/load-once.js';
import { createRemediationAnnouncer } from '../../shared/adapters/remediation-announcer.js';
import { createSqsTimers } from '../../shared/adapters/sqs-timers.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { RemediationDependencies } from '../../shared/execute/remediate-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { lazyAlarmService } from '../notify/alarm-service.js';
import { createReceivers, type DeadlineSource } from '../notify/receivers.js';

/** The instance replacer, with its Auto Scaling client loaded on the first replacement (./lazy-replacer.ts). */
function lazyInstanceReplacer(env: RuntimeEnvironment): InstanceReplacer {
  const replacer = once(async () => (await import('./lazy-replacer.js')).createReplacer(env));
  return { replace: async (ec2InstanceId) => (await replacer()).replace(ec2InstanceId) };
}

export function remediateDependencies(
  env: RuntimeEnvironment,
  config: AutopilotConfig,
  now: () => Date,
  deadline: DeadlineSource = () => ({ remainingMs: () => 30_000 }),
): RemediationDependencies {
  const ecs = createAwsClient(ECSClient, env);
  return {
    config,
    store: new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE')),
    now,
    ecs: createRemediationEcs(ecs),
    ...(config.remediate.playbooks.disconnectedAgent.replace ? { replacer: lazyInstanceReplacer(env) } : {}),
    killSwitch: createKillSwitch(lazySsm(env), config.remediate.killSwitchParameter),
    tags: createServiceTagReader(ecs, config.serviceTags.cacheSeconds),
    alarmService: lazyAlarmService(env, ecs),
    // Announced through the notify route's receivers (Slack, SNS), like every notification.
    announce: createRemediationAnnouncer(config, createReceivers(env, config, deadline, now)),
    timers: createSqsTimers(createAwsClient(SQSClient, env), requireSetting(env, 'remediateTimerQueueUrl', 'REMEDIATE_TIMER_QUEUE_URL')),
    dryRun: config.remediate.dryRun,
  };
}
