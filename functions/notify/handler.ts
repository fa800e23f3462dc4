// notify: ECS events, CloudWatch alarms and its own timers in; Slack and SNS notifications out.
// Wiring only: parse, decide and execute live in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { readEnvironment } from '../../shared/config/environment.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { type EventOutcome, processEvent } from '../../shared/execute/process-event.js';
import { eventOrTimers } from '../../shared/lambda/event-or-timers.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, publishMetrics } from '../../shared/lambda/metrics.js';
import { emfPipelineMetrics } from '../../shared/lambda/pipeline-metrics.js';
import { notifyDependencies } from './wiring.js';

// Once per container: the configuration (validated at package time), clients created outside the handler.
const config = await packagedConfig();
const logger = new Logger({ serviceName: 'ecs-autopilot-notify' });
const environment = readEnvironment();
const metrics = createMetrics('notify', environment.stage);
let invocation: Context | undefined;
const dependencies = {
  ...notifyDependencies(environment, config, () => ({ remainingMs: () => invocation?.getRemainingTimeInMillis() ?? 30_000 }), () => new Date()),
  metrics: emfPipelineMetrics(metrics),
};

const handleEventOrTimers = eventOrTimers((event) => processEvent(event, dependencies), logger);

async function handle(event: unknown, context: Context): Promise<EventOutcome | SQSBatchResponse> {
  invocation = context;
  return handleEventOrTimers(event);
}

export const handler = middy(handle).use(logOutcome(logger)).use(publishMetrics(metrics));
