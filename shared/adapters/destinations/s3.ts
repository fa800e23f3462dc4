// S3: gzip NDJSON objects partitioned by date and service, PREFIX dt=YYYY-MM-DD/service=NAME/.
// A key is derived from the first record's log event id and the count, so sending the same chunk
// again overwrites the same object instead of adding a copy.
import type { S3Client } from '@aws-sdk/client-s3';
import type { ShipRecord } from '../../decide/logs/types.js';
import type { IamGrant } from '../iam.js';
import { keySegment, putNdjsonObject, s3WriteGrants, utcDate } from '../s3-objects.js';
import { DeliveryError, type Destination, ndjson, type RecordFailure } from './destination.js';

// An object per call stays well under what a Lambda holds comfortably once gzipped.
export const S3_LIMITS = { maxRecordsPerCall: 100_000, maxBytesPerCall: 32 * 1024 * 1024, maxRecordBytes: 32 * 1024 * 1024 } as const;

export const s3DestinationGrants = (bucket: string, prefix: string): IamGrant[] => s3WriteGrants(bucket, prefix, `ship log records to s3://${bucket}/${prefix}`);

export function partitionKey(prefix: string, records: readonly ShipRecord[]): string {
  const first = records[0]!;
  return `${prefix}dt=${utcDate(first.timeMs)}/service=${keySegment(first.service)}/${keySegment(first.uid)}-${records.length}.ndjson.gz`;
}

const DAY_MS = 86_400_000;

/**
 * The chunk's records by partition (UTC day and service), as indexes, in order. Keyed by the day's
 * number and the service string the records share, so no key string is made per record (a date
 * string per record was 10 MB of garbage for the largest batch).
 */
export function partitionIndexes(chunk: readonly ShipRecord[]): number[][] {
  const byService = new Map<string, Map<number, number[]>>();
  const partitions: number[][] = [];
  chunk.forEach((record, index) => {
    let byDay = byService.get(record.service);
    if (!byDay) byService.set(record.service, (byDay = new Map()));
    const day = Math.floor(record.timeMs / DAY_MS);
    const list = byDay.get(day);
    if (list) list.push(index);
    else {
      const partition = [index];
      byDay.set(day, partition);
      partitions.push(partition);
    }
  });
  return partitions;
}

export function createS3Destination(name: string, client: S3Client, options: { bucket: string; prefix: string }): Destination {
  return {
    name,
    kind: 's3',
    limits: S3_LIMITS,
    async send(chunk) {
      const partitions = partitionIndexes(chunk);
      const failures: RecordFailure[] = [];
      await Promise.all(
        partitions.map(async (indexes) => {
          const records = indexes.length === chunk.length ? chunk : indexes.map((i) => chunk[i]!);
          try {
            await putNdjsonObject(client, options.bucket, partitionKey(options.prefix, records), ndjson(records));
          } catch (error) {
            const reason = `S3 s3://${options.bucket}/${options.prefix}: ${(error as Error).name}: ${(error as Error).message}`;
            for (const index of indexes) failures.push({ index, reason, retryable: (error as Error).name !== 'NoSuchBucket' });
          }
        }),
      );
      if (failures.length === chunk.length && chunk.length > 0 && failures.every((f) => !f.retryable)) throw new DeliveryError(failures[0]!.reason, false);
      return failures;
    },
  };
}
