// The contract every log destination meets (Firehose, S3, HTTP): its limits, and one call that
// sends a chunk within them and says which records failed. Batching, retries, backoff and the S3
// backup live in shared/execute/ship/, once, so no destination can get them wrong.
import { lineRun } from '../../decide/logs/line-writer.js';
import type { ShipRecord } from '../../decide/logs/types.js';
import type { IamGrant } from '../iam.js';

export interface DestinationLimits {
  maxRecordsPerCall: number;
  /** Bytes per call, counted as each record's NDJSON line (JSON + newline, UTF-8), or its bodyBytes. */
  maxBytesPerCall: number;
  maxRecordBytes: number;
  /** What a record adds to a call's body when that is more than its line (a _bulk action line, Loki's escaping). */
  bodyBytes?: (record: ShipRecord) => number;
}

export interface RecordFailure {
  /** Index into the chunk passed to send(). */
  index: number;
  reason: string;
  /** False when sending the same record again cannot succeed (a 400 for that document). */
  retryable: boolean;
}

/** A call that failed as a whole; retryable unless the destination says it cannot succeed. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface Destination {
  readonly name: string;
  readonly kind: 'firehose' | 's3' | 'http';
  readonly limits: DestinationLimits;
  /**
   * Sends one chunk (within limits). Resolves with the records that failed, [] when all were
   * delivered; rejects (preferably with DeliveryError) when the call failed as a whole.
   * Sending the same chunk again must not duplicate what was delivered where the destination
   * allows it (ids, deterministic keys).
   */
  send(chunk: readonly ShipRecord[], options?: SendOptions): Promise<RecordFailure[]>;
}

export interface SendOptions {
  /** How long this call may take: the invocation's time left minus what is kept for the backup. */
  timeoutMs?: number;
}

/** Bytes a record counts against a destination's limits: its NDJSON line. */
export const recordBytes = (record: ShipRecord): number => record.bytes;

/** The records as one NDJSON body: records written one after another (a chunk of a slice) are one view of their buffer, no copy. */
export const ndjson = (records: readonly ShipRecord[]): Buffer => lineRun(records) ?? Buffer.concat(records.map((r) => r.line));

export type { IamGrant };
