// Builds the scale function's dependencies once per container: one client per AWS service, and
// the notify receivers its notices go to.
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createMetricReader } from '../../shared/adapters/cloudwatch-metric.js';
import { createEcsDesiredCount } from '../../shared/adapters/ecs-desired-count.js';
import { createScalableTargets } from '../../shared/adapters/scalable-target.js';
import { createScalingNotifier } from '../../shared/adapters/scaling-notifier.js';
import { createSqsBacklogReader } from '../../shared/adapters/sqs-backlog.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { ScalerDependencies } from '../../shared/execute/scaling/scale-services.js';
import { METRIC, MetricUnit } from '../../shared/lambda/metrics.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { createReceivers, type DeadlineSource } from '../notify/receivers.js';

export function scaleDependencies(
  env: RuntimeEnvironment,
  config: AutopilotConfig,
  metrics: Metrics,
  now: () => Date,
  deadline: DeadlineSource = () => ({ remainingMs: () => 30_000 }),
): ScalerDependencies {
  return {
    store: new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE')),
    ecs: createEcsDesiredCount(createAwsClient(ECSClient, env)),
    scalableTargets: createScalableTargets(createAwsClient(ApplicationAutoScalingClient, env)),
    readers: { backlog: createSqsBacklogReader(createAwsClient(SQSClient, env)), metrics: createMetricReader(createAwsClient(CloudWatchClient, env)) },
    // Notices go where the notify route sends kind `scaling` (Slack, SNS), as remediation announcements do.
    notify: createScalingNotifier(config, createReceivers(env, config, deadline, now)),
    recordDecision(decision) {
      // Dimensions per decision (direction, bound), so one metric each rather than the invocation's set.
      const single = metrics.singleMetric();
      single.addDimensions({ direction: decision.direction, bound: decision.bound });
      single.addMetric(METRIC.scalingDecisions, MetricUnit.Count, 1);
    },
    now,
  };
}
