// remediate: ECS events, alarms and its own timers in; opt-in, rate-limited, audited fixes out.
// Wiring only: the playbooks live in shared/decide/remediation, the gates in shared/execute.
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readEnvironment } from '../../shared/config/environment.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { remediateEvent } from '../../shared/execute/remediate-event.js';
import { eventOrTimers } from '../../shared/lambda/event-or-timers.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, METRIC, MetricUnit, publishMetrics } from '../../shared/lambda/metrics.js';
import { remediateDependencies } from './wiring.js';

const config = await packagedConfig();
const env = readEnvironment();
const logger = new Logger({ serviceName: 'ecs-autopilot-remediate' });
const metrics = createMetrics('remediate', env.stage);
let invocation: Context | undefined;
const dependencies = {
  ...remediateDependencies(env, config, () => new Date(), () => ({ remainingMs: () => invocation?.getRemainingTimeInMillis() ?? 30_000 })),
  countAction: (playbook: string, outcome: string) => {
    const single = metrics.singleMetric();
    single.addDimensions({ playbook, outcome });
    single.addMetric(METRIC.remediationActions, MetricUnit.Count, 1);
  },
  reportKillSwitch: (engaged: boolean) => metrics.addMetric(METRIC.killSwitchEngaged, MetricUnit.Count, engaged ? 1 : 0),
};

// EventBridge events, and the remediation timers (agent re-checks, capacity restore checks).
const handleEventOrTimers = eventOrTimers((event) => remediateEvent(event, dependencies), logger);

async function handle(event: unknown, context: Context) {
  invocation = context;
  return handleEventOrTimers(event);
}

export const handler = middy(handle).use(logOutcome(logger)).use(publishMetrics(metrics));
