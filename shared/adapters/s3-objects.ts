// gzip-compressed NDJSON objects in S3: what the S3 destination and the S3 backup both write.
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IamGrant } from './iam.js';

export const s3WriteGrants = (bucket: string, prefix: string, purpose: string): IamGrant[] => [
  { purpose, actions: ['s3:PutObject'], resource: `s3-objects:${bucket}/${prefix}` },
];

/** UTC date of a time, for dt= partitions. */
export const utcDate = (timeMs: number): string => new Date(timeMs).toISOString().slice(0, 10);

/** A key segment from untrusted text (a service name): S3-safe characters only. */
export const keySegment = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128) || '_';

export async function putNdjsonObject(s3: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(body), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }),
  );
}
