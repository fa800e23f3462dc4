// ship: CloudWatch Logs subscription batches of ECS log groups in; enriched, redacted records out
// to Firehose, S3 and HTTP, or to the S3 backup. Wiring only: the pipeline lives in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readEnvironment } from '../../shared/config/environment.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { type ShipDependencies, type ShipOutcome, shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { logOutcome } from '../../shared/lambda/log-outcome.js';
import { createMetrics, publishMetrics } from '../../shared/lambda/metrics.js';
import { publishShipMetrics } from './ship-metrics.js';

// Once per container: the configuration (validated at package time), clients and caches outside the handler.
const config = await packagedConfig();
const environment = readEnvironment();
const logger = new Logger({ serviceName: 'ecs-autopilot-ship' });
const metrics = createMetrics('ship', environment.stage);
let invocation: Context | undefined;
// The AWS clients (Firehose, S3, ECS, SSM, Secrets Manager) load on the first batch, in a chunk of
// their own: importing them all at cold start would double the import time (npm run bench).
let dependencies: Promise<ShipDependencies> | undefined;
const loadDependencies = () =>
  (dependencies ??= import('./wiring.js')
    .then((wiring) => wiring.shipDependencies(environment, config, () => invocation?.getRemainingTimeInMillis() ?? 30_000, () => new Date()))
    .catch((error: unknown) => {
      dependencies = undefined;
      throw error;
    }));

async function handle(event: unknown, context: Context): Promise<ShipOutcome> {
  invocation = context;
  // A failure (undecodable batch, backup unreachable) throws: Lambda retries, then the dead-letter queue keeps the batch.
  const outcome = await shipLogEvent(event, await loadDependencies());
  publishShipMetrics(metrics, outcome);
  if (outcome.backups.length > 0) logger.warn('records backed up', { backups: outcome.backups });
  return outcome;
}

export const handler = middy(handle).use(publishMetrics(metrics)).use(logOutcome(logger));
