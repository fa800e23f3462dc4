// subscribe: ship.autoSubscribe. Subscribes the ship function to log groups under the configured
// prefixes as CloudTrail reports their creation and on a schedule (the sweep catches what
// CloudTrail did not report), and removes those subscriptions when the stack is removed (a
// custom resource). Wiring only: the pipeline lives in shared/execute/subscribe.
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { answerStackRequest } from '../../shared/adapters/stack-response.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { groupsNeedingAction, onSubscriberSignal, type SubscriberOutcome, SubscriptionError } from '../../shared/execute/subscribe/log-group-subscriptions.js';
import { parseEvent } from '../../shared/intake/index.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, publishMetrics } from '../../shared/lambda/metrics.js';
import { publishSubscribeMetrics } from './subscribe-metrics.js';
import { subscribeDependencies } from './wiring.js';

const config = await packagedConfig();
const environment = readEnvironment();
const logger = new Logger({ serviceName: 'ecs-autopilot-subscribe' });
const metrics = createMetrics('subscribe', environment.stage);
let invocation: Context | undefined;
const dependencies = subscribeDependencies(environment, config, () => invocation?.getRemainingTimeInMillis() ?? 60_000);

async function handle(event: unknown, context: Context): Promise<SubscriberOutcome> {
  invocation = context;
  const intake = parseEvent(event);
  if (intake.type !== 'signal') return { outcome: 'ignored', notes: [intake.why] };
  let outcome: SubscriberOutcome;
  try {
    outcome = await onSubscriberSignal(intake.signal, dependencies, (request, answer) => answerStackRequest(request, answer));
  } catch (error) {
    if (error instanceof SubscriptionError) publishSubscribeMetrics(metrics, error.report);
    throw error;
  }
  if (outcome.report) publishSubscribeMetrics(metrics, outcome.report);
  const blocked = outcome.report ? groupsNeedingAction(outcome.report) : [];
  if (blocked.length > 0) logger.warn('log groups not subscribed', { blocked });
  return outcome;
}

export const handler = middy(handle).use(publishMetrics(metrics)).use(logOutcome(logger));
