// scale: on its schedule (every service) and on the alarms the configuration names (those
// services at once), decide each service's count and carry it out. Wiring only: the decision
// lives in shared/decide/scaling, its execution in shared/execute/scaling.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import middy from '@middy/core';
import { readEnvironment } from '../../shared/config/environment.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { servicesToEvaluate } from '../../shared/decide/scaling/select-services.js';
import { type ServiceOutcome, scaleServices } from '../../shared/execute/scaling/scale-services.js';
import { parseEvent } from '../../shared/intake/index.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, publishMetrics } from '../../shared/lambda/metrics.js';
import { scaleDependencies } from './wiring.js';

const config = await packagedConfig();
const env = readEnvironment();
const logger = new Logger({ serviceName: 'ecs-autopilot-scale' });
const metrics = createMetrics('scale', env.stage);
let invocation: Context | undefined;
const dependencies = scaleDependencies(env, config, metrics, () => new Date(), () => ({ remainingMs: () => invocation?.getRemainingTimeInMillis() ?? 30_000 }));

interface ScaleOutcome {
  outcome: 'acted' | 'ignored' | 'error';
  notes: string[];
  services: ServiceOutcome[];
}

async function handle(event: unknown, context: Context): Promise<ScaleOutcome> {
  invocation = context;
  const intake = parseEvent(event);
  if (intake.type !== 'signal') return { outcome: 'ignored', notes: [intake.why], services: [] };
  const { signal } = intake;
  const services = servicesToEvaluate(config.scale, signal);
  if (services.length === 0 || (signal.kind !== 'scheduled-tick' && signal.kind !== 'alarm-state-changed')) return { outcome: 'ignored', notes: [`no scaled service is evaluated on ${signal.kind}`], services: [] };
  const { eventId, region, account } = signal;
  const outcomes = await scaleServices(services, { eventId, region, account }, dependencies);
  for (const outcome of outcomes) {
    if (outcome.outcome === 'error') logger.error('scaling failed', { ...outcome });
    else if (outcome.noticeFailures) logger.warn('scaling notice failed', { ...outcome });
    else logger.info('scaling', { ...outcome });
  }
  const failed = outcomes.filter((o) => o.outcome === 'error');
  return {
    outcome: failed.length > 0 ? 'error' : outcomes.some((o) => o.outcome === 'scaled' || o.outcome === 'floor-raised' || o.outcome === 'floor-lowered') ? 'acted' : 'ignored',
    notes: outcomes.map((o) => `${o.service}: ${o.outcome}: ${o.reason}`),
    services: outcomes,
  };
}

export const handler = middy(handle).use(publishMetrics(metrics)).use(logOutcome(logger));
