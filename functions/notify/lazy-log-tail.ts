// Loaded on the first notification that shows a container's last log lines (a chunk of its own):
// CloudWatch Logs and the tail reader. Deployments, service actions, alarms, container instances
// and timers never need them, and the Logs client is a large part of the bundle's import.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createLogTailReader, logStreamConsoleUrl } from '../../shared/adapters/log-tail.js';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';
import type { Enrichers } from '../../shared/execute/enrichers.js';

export function createLogTailEnricher(env: RuntimeEnvironment, ecs: ECSClient): Enrichers['logTail'] {
  const logTail = createLogTailReader({ ecs, logs: createAwsClient(CloudWatchLogsClient, env) }, { cacheSeconds: 3600 });
  return async (input, lines, at) => {
    const tail = await logTail.lastLines(input, lines, at);
    if ('unavailable' in tail) return tail;
    return { lines: tail.lines, logGroup: tail.logGroup, logStream: tail.logStream, logStreamUrl: logStreamConsoleUrl(tail.region ?? input.region, tail.logGroup, tail.logStream) };
  };
}
