// notify: ECS events, CloudWatch alarms and its own timers in; Slack and SNS notifications out.
// Wiring only: parse, decide and execute live in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { embeddedConfig, readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { type EventOutcome, processEvent } from '../../shared/execute/process-event.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics } from '../../shared/lambda/metrics.js';
import { emfPipelineMetrics } from '../../shared/lambda/pipeline-metrics.js';
import { notifyDependencies } from './wiring.js';

// Once per container: configuration validated at cold start, clients created outside the handler.
const config = validateConfig(embeddedConfig(), 'autopilot.yml (embedded at package time)');
const logger = new Logger({ serviceName: 'ecs-autopilot-notify' });
const environment = readEnvironment();
const metrics = createMetrics('notify', environment.stage);
let invocation: Context | undefined;
const dependencies = {
  ...notifyDependencies(environment, config, () => ({ remainingMs: () => invocation?.getRemainingTimeInMillis() ?? 30_000 }), () => new Date()),
  metrics: emfPipelineMetrics(metrics),
};

function isSqsBatch(event: unknown): event is { Records: Array<{ messageId: string }> } {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.every((r) => (r as { eventSource?: unknown })?.eventSource === 'aws:sqs');
}

async function handle(event: unknown, context: Context): Promise<EventOutcome | SQSBatchResponse> {
  invocation = context;
  if (!isSqsBatch(event)) return processEvent(event, dependencies);
  // Timer messages: each is one event; a failed one goes back to the queue (and, after retries,
  // to its dead-letter queue) without failing the others.
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await processEvent(record, dependencies);
    } catch (error) {
      logger.error('timer failed', { messageId: record.messageId, errorName: (error as Error).name, reason: (error as Error).message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

export const handler = middy(handle).use(logOutcome(logger)).use(logMetrics(metrics));
