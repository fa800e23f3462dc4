// The S3 backup of the log shipper: records a destination still refused after retries, each with
// the destination and the reason, as gzip NDJSON under PREFIX destination=NAME/dt=YYYY-MM-DD/.
// The key derives from the first record's log event id, so Lambda's retry of the invocation
// overwrites rather than duplicates. A failure here is thrown: the invocation must fail.
import type { S3Client } from '@aws-sdk/client-s3';
import { recordJson, type ShipRecord } from '../decide/logs/types.js';
import type { IamGrant } from './iam.js';
import { keySegment, putNdjsonObject, s3WriteGrants, utcDate } from './s3-objects.js';

export interface BackedUpRecord {
  record: ShipRecord;
  reason: string;
}

export interface LogBackup {
  write(destination: string, failed: readonly BackedUpRecord[], at: Date): Promise<{ bucket: string; key: string }>;
}

export const logBackupGrants = (bucket: string, prefix: string): IamGrant[] => s3WriteGrants(bucket, prefix, `back up undeliverable log records to s3://${bucket}/${prefix}`);

export function backupKey(prefix: string, destination: string, failed: readonly BackedUpRecord[], at: Date): string {
  const first = failed[0]!.record;
  return `${prefix}destination=${keySegment(destination)}/dt=${utcDate(at.getTime())}/${keySegment(first.uid)}-${failed.length}.ndjson.gz`;
}

export function createLogBackup(client: S3Client, options: { bucket: string; prefix: string }): LogBackup {
  return {
    async write(destination, failed, at) {
      const key = backupKey(options.prefix, destination, failed, at);
      const failedAt = JSON.stringify(at.toISOString());
      let body = '';
      for (const { record, reason } of failed) body += `{"destination":${JSON.stringify(destination)},"reason":${JSON.stringify(reason)},"failedAt":${failedAt},"record":${recordJson(record)}}\n`;
      try {
        await putNdjsonObject(client, options.bucket, key, Buffer.from(body));
      } catch (error) {
        throw new Error(`log backup to s3://${options.bucket}/${key} failed (${(error as Error).name}: ${(error as Error).message}); the invocation fails so Lambda retries it, then the dead-letter queue keeps the batch`);
      }
      return { bucket: options.bucket, key };
    },
  };
}
