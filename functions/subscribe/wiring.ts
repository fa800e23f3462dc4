// Builds the subscribe function's dependencies once per container.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createLogSubscriptions } from '../../shared/adapters/log-subscriptions.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { SubscribeDependencies } from '../../shared/execute/subscribe/log-group-subscriptions.js';

/** What the stack names its functions by (serverless.yml: service ecs-autopilot, then the stage). */
const stackPrefix = (stage: string) => `ecs-autopilot-${stage}-`;

/** The filter name of this stack's subscriptions (the ship function's name): how removal finds exactly its own. */
export const ownFilterName = (stage: string) => `${stackPrefix(stage)}ship`;

export function subscribeDependencies(env: RuntimeEnvironment, config: AutopilotConfig, remainingMs: () => number): SubscribeDependencies {
  const stage = requireSetting(env, 'stage', 'STAGE');
  return {
    subscriptions: createLogSubscriptions(createAwsClient(CloudWatchLogsClient, env)),
    own: { filterName: ownFilterName(stage), destinationArn: requireSetting(env, 'shipFunctionArn', 'SHIP_FUNCTION_ARN'), filterPattern: config.ship.filterPattern },
    policy: { prefixes: config.ship.autoSubscribe.prefixes, listed: config.ship.logGroups, ownLogGroupPrefix: `/aws/lambda/${stackPrefix(stage)}` },
    remainingMs,
  };
}
