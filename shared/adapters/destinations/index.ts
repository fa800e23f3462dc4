// Every log destination, by configuration key: one file each, listed here (no registration by
// import side effect). test/unit/destinations.contract.test.ts runs the same contract on each.
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ShipConfig, ShipDestinationConfig } from '../../config/schema-ship.js';
import type { IamGrant } from '../iam.js';
import type { Destination } from './destination.js';
import { createFirehoseDestination, firehoseGrants } from './firehose.js';
import { createHttpDestination, type HttpDependencies, httpDestinationGrants } from './http.js';
import { createS3Destination, s3DestinationGrants } from './s3.js';

export interface DestinationClients extends Omit<HttpDependencies, 'timeoutMs'> {
  firehose: () => FirehoseClient;
  s3: () => S3Client;
}

export const DESTINATIONS = {
  firehose: { create: (name: string, c: NonNullable<ShipDestinationConfig['firehose']>, clients: DestinationClients) => createFirehoseDestination(name, clients.firehose(), c), grants: (c: NonNullable<ShipDestinationConfig['firehose']>) => firehoseGrants(c.deliveryStream) },
  s3: { create: (name: string, c: NonNullable<ShipDestinationConfig['s3']>, clients: DestinationClients) => createS3Destination(name, clients.s3(), c), grants: (c: NonNullable<ShipDestinationConfig['s3']>) => s3DestinationGrants(c.bucket, c.prefix) },
  http: { create: (name: string, c: NonNullable<ShipDestinationConfig['http']>, clients: DestinationClients) => createHttpDestination(name, c, clients), grants: httpDestinationGrants },
} as const;

export function createDestinations(ship: ShipConfig, clients: DestinationClients): Destination[] {
  return Object.entries(ship.destinations).map(([name, d]) => {
    if (d.firehose) return DESTINATIONS.firehose.create(name, d.firehose, clients);
    if (d.s3) return DESTINATIONS.s3.create(name, d.s3, clients);
    return DESTINATIONS.http.create(name, d.http!, clients);
  });
}

export function destinationGrants(ship: ShipConfig): IamGrant[] {
  return Object.values(ship.destinations).flatMap((d) => {
    if (d.firehose) return DESTINATIONS.firehose.grants(d.firehose);
    if (d.s3) return DESTINATIONS.s3.grants(d.s3);
    return DESTINATIONS.http.grants(d.http!);
  });
}
