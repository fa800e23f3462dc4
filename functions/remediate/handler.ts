// remediate: ECS events, alarms and its own timers in; opt-in, rate-limited, audited fixes out.
// Wiring only: the playbooks live in shared/decide/remediation, the gates in shared/execute.
import { Logger } from '@aws-lambda-powertools/logger';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse } from 'aws-lambda';
import { embeddedConfig, readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { type RemediationEventOutcome, remediateEvent } from '../../shared/execute/remediate-event.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, METRIC, MetricUnit } from '../../shared/lambda/metrics.js';
import { remediateDependencies } from './wiring.js';

const config = validateConfig(embeddedConfig(), 'autopilot.yml (embedded at package time)');
const env = readEnvironment();
const logger = new Logger({ serviceName: 'ecs-autopilot-remediate' });
const metrics = createMetrics('remediate', env.stage);
const dependencies = {
  ...remediateDependencies(env, config, () => new Date()),
  countAction: (playbook: string, outcome: string) => {
    const single = metrics.singleMetric();
    single.addDimensions({ playbook, outcome });
    single.addMetric(METRIC.remediationActions, MetricUnit.Count, 1);
  },
  reportKillSwitch: (engaged: boolean) => metrics.addMetric(METRIC.killSwitchEngaged, MetricUnit.Count, engaged ? 1 : 0),
};

function isSqsBatch(event: unknown): event is { Records: Array<{ messageId: string }> } {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.every((r) => (r as { eventSource?: unknown })?.eventSource === 'aws:sqs');
}

async function handle(event: unknown): Promise<RemediationEventOutcome | SQSBatchResponse> {
  if (!isSqsBatch(event)) return remediateEvent(event, dependencies);
  // Timers: a failed one goes back to its queue without failing the others.
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await remediateEvent(record, dependencies);
    } catch (error) {
      logger.error('timer failed', { messageId: record.messageId, errorName: (error as Error).name, reason: (error as Error).message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

export const handler = middy(handle).use(logOutcome(logger)).use(logMetrics(metrics));
