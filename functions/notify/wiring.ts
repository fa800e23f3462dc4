// Builds the notify function's dependencies from its environment and configuration, once per
// container: one client per AWS service, receivers by name, enrichers, timers.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createAgentStatusReader } from '../../shared/adapters/ecs-container-instances.js';
import { createDeploymentReader } from '../../shared/adapters/ecs-deployments.js';
import { createServiceTagReader } from '../../shared/adapters/ecs-service-tags.js';
import { createLogTailReader, logStreamConsoleUrl } from '../../shared/adapters/log-tail.js';
import type { Deadline } from '../../shared/adapters/slack-webhook.js';
import type { Notifier } from '../../shared/adapters/sns-notifier.js';
import { createSnsNotifier } from '../../shared/adapters/sns-notifier.js';
import { createSqsTimers } from '../../shared/adapters/sqs-timers.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import { effectiveReceivers } from '../../shared/config/receivers.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { Receivers } from '../../shared/execute/execute.js';
import type { Enrichers } from '../../shared/execute/enrichers.js';
import type { PipelineDependencies } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';

/**
 * Loads a module the first time it is needed. Adapters that only some configurations or event
 * kinds use (Slack with SSM and Secrets Manager, the alarm resolver with CloudWatch) are split into
 * their own chunks, so a stack without Slack never loads them and a cold start stays short.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
}

/** Lambda's remaining time, so a Slack retry never outlives the invocation. */
export type DeadlineSource = () => Deadline;

/** The read-only enrichment: what `replay` uses too, without a deployed stack. */
export function notifyEnrichers(env: RuntimeEnvironment, config: AutopilotConfig, ecs = createAwsClient(ECSClient, env)): Enrichers {
  const logTail = createLogTailReader({ ecs, logs: createAwsClient(CloudWatchLogsClient, env) }, { cacheSeconds: 3600 });
  const alarms = once(async () => (await import('./lazy-alarms.js')).createAlarmResolution(env, ecs));
  const deployments = createDeploymentReader(ecs);
  return {
    serviceTags: createServiceTagReader(ecs, config.serviceTags.cacheSeconds),
    logTail: async (input, lines, at) => {
      const tail = await logTail.lastLines(input, lines, at);
      if ('unavailable' in tail) return tail;
      return { lines: tail.lines, logGroup: tail.logGroup, logStream: tail.logStream, logStreamUrl: logStreamConsoleUrl(tail.region ?? input.region, tail.logGroup, tail.logStream) };
    },
    deployment: (cluster, service) => deployments(cluster, service),
    alarmService: async (alarm, at) => (await alarms()).resolve({ alarmName: alarm.alarmName, dimensions: alarm.dimensions, ...(alarm.alarmArn ? { alarmArn: alarm.alarmArn } : {}) }, at),
    agentStatus: createAgentStatusReader(ecs),
  };
}

export function notifyDependencies(env: RuntimeEnvironment, config: AutopilotConfig, deadline: DeadlineSource, now: () => Date): PipelineDependencies {
  const sns = createAwsClient(SNSClient, env);
  const slack = once(async () => (await import('./lazy-slack.js')).createSlackReceiverFactory(env, deadline, now));
  const slackReceiver = (options: { webhook: string; mention?: string }): Notifier => {
    let notifier: Notifier | undefined;
    return {
      async notify(action) {
        notifier ??= (await slack())(options);
        return notifier.notify(action);
      },
    };
  };

  const receivers: Receivers = {};
  for (const [name, receiver] of Object.entries(effectiveReceivers(config))) {
    receivers[name] = receiver.slack
      ? slackReceiver(receiver.slack)
      : createSnsNotifier(sns, receiver.sns?.topicArn ?? requireSetting(env, 'notifyTopicArn', 'NOTIFY_TOPIC_ARN'));
  }
  return {
    config,
    store: new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE')),
    receivers,
    enrichers: notifyEnrichers(env, config),
    timers: createSqsTimers(createAwsClient(SQSClient, env), requireSetting(env, 'timerQueueUrl', 'TIMER_QUEUE_URL')),
    dryRun: false,
    now,
  };
}
