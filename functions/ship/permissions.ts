// The IAM grants of the ship function: the union of what the adapters it wires declare, for the
// destinations, backup and secrets this configuration names (and nothing else).
import { destinationGrants } from '../../shared/adapters/destinations/index.js';
import { taskMetadataGrants } from '../../shared/adapters/ecs-task-metadata.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import { logBackupGrants } from '../../shared/adapters/log-backup.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';

export function shipGrants(config: AutopilotConfig): IamGrant[] {
  const ship = config.ship;
  if (Object.keys(ship.destinations).length === 0) return [];
  return [
    ...destinationGrants(ship),
    ...(ship.backup ? logBackupGrants(ship.backup.bucket, ship.backup.prefix) : []),
    ...(ship.taskMetadata ? taskMetadataGrants : []),
  ];
}
