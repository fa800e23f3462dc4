// notify: ECS events in, SNS notifications out. Wiring only: parse, decide and execute live in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { createServiceTagReader } from '../../shared/adapters/ecs-service-tags.js';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createSnsNotifier } from '../../shared/adapters/sns-notifier.js';
import { embeddedConfig, readEnvironment, requireSetting } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { processEvent } from '../../shared/execute/process-event.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';

// Once per container: configuration validated at cold start, clients created outside the handler.
const env = readEnvironment();
const config = validateConfig(embeddedConfig(), 'autopilot.yml (embedded at package time)');
const logger = new Logger({ serviceName: 'ecs-autopilot-notify' });

const dependencies = {
  config,
  store: new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE')),
  adapters: {
    notifier: createSnsNotifier(createAwsClient(SNSClient, env), config.notify.topicArn ?? requireSetting(env, 'notifyTopicArn', 'NOTIFY_TOPIC_ARN')),
  },
  serviceTags: createServiceTagReader(createAwsClient(ECSClient, env), config.serviceTags.cacheSeconds),
  dryRun: false,
  now: () => new Date(),
};

export const handler = middy(async (event: unknown) => processEvent(event, dependencies)).use(logOutcome(logger));
