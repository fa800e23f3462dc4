// Builds the ship function's dependencies once per container: compiled rules, destinations, the
// S3 backup, the task-metadata cache. Clients are created only for what the configuration uses.
import { setTimeout as sleep } from 'node:timers/promises';
import { ECSClient } from '@aws-sdk/client-ecs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createDestinations } from '../../shared/adapters/destinations/index.js';
import { createTaskMetadataReader } from '../../shared/adapters/ecs-task-metadata.js';
import { createLogBackup } from '../../shared/adapters/log-backup.js';
import { createSecretReader } from '../../shared/adapters/secret-reader.js';
import { isClusterWatched } from '../../shared/config/cluster-filter.js';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { SlabStore } from '../../shared/decide/logs/line-writer.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import type { ShipDependencies } from '../../shared/execute/ship/ship-batch.js';

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

export function shipDependencies(env: RuntimeEnvironment, config: AutopilotConfig, remainingMs: () => number, now: () => Date): ShipDependencies {
  const ship = config.ship;
  const s3 = lazy(() => createAwsClient(S3Client, env));
  const secrets = createSecretReader({ ssm: createAwsClient(SSMClient, env), secretsManager: createAwsClient(SecretsManagerClient, env) }, { cacheSeconds: 300 });
  return {
    rules: compileShipRules(ship),
    destinations: createDestinations(ship, { firehose: lazy(() => createAwsClient(FirehoseClient, env)), s3, secrets, now }),
    ...(ship.backup ? { backup: createLogBackup(s3(), ship.backup) } : {}),
    ...(ship.taskMetadata ? { taskMetadata: createTaskMetadataReader(createAwsClient(ECSClient, env), { watches: (name) => isClusterWatched(config.clusters, name) }) } : {}),
    clock: { remainingMs, sleep: (ms) => sleep(ms), random: Math.random },
    now,
    slabs: new SlabStore(),
  };
}
