// Builds the notify function's dependencies from its environment and configuration, once per
// container: one client per AWS service, receivers by name, enrichers, timers.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createAgentStatusReader } from '../../shared/adapters/ecs-container-instances.js';
import { createDeploymentReader } from '../../shared/adapters/ecs-deployments.js';
import { createServiceTagReader } from '../../shared/adapters/ecs-service-tags.js';
import { once } from '../../shared/adapters/load-once.js';
import { createSqsTimers } from '../../shared/adapters/sqs-timers.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { Enrichers } from '../../shared/execute/enrichers.js';
import type { PipelineDependencies } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { lazyAlarmService } from './alarm-service.js';
import { createReceivers, type DeadlineSource } from './receivers.js';

export type { DeadlineSource };


/** The read-only enrichment: what `replay` uses too, without a deployed stack. */
export function notifyEnrichers(env: RuntimeEnvironment, config: AutopilotConfig, ecs = createAwsClient(ECSClient, env)): Enrichers {
  const logTail = once(async () => (await import('./lazy-log-tail.js')).createLogTailEnricher(env, ecs));
  const deployments = createDeploymentReader(ecs);
  return {
    serviceTags: createServiceTagReader(ecs, config.serviceTags.cacheSeconds),
    logTail: async (input, lines, at) => (await logTail())(input, lines, at),
    deployment: (cluster, service) => deployments(cluster, service),
    alarmService: lazyAlarmService(env, ecs),
    agentStatus: createAgentStatusReader(ecs),
  };
}

export function notifyDependencies(env: RuntimeEnvironment, config: AutopilotConfig, deadline: DeadlineSource, now: () => Date): PipelineDependencies {
  return {
    config,
    store: new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE')),
    receivers: createReceivers(env, config, deadline, now),
    enrichers: notifyEnrichers(env, config),
    timers: createSqsTimers(createAwsClient(SQSClient, env), requireSetting(env, 'timerQueueUrl', 'TIMER_QUEUE_URL')),
    dryRun: false,
    now,
  };
}
