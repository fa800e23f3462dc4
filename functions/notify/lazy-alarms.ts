// Loaded on the first alarm only (a chunk of its own): CloudWatch and the alarm-to-service resolver.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createAlarmServiceResolver } from '../../shared/adapters/alarm-service-resolver.js';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';

export function createAlarmResolution(env: RuntimeEnvironment, ecs: ECSClient) {
  return createAlarmServiceResolver({ ecs, cloudwatch: createAwsClient(CloudWatchClient, env) }, { cacheSeconds: 300 });
}
