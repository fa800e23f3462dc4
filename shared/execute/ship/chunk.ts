// Cuts records into chunks that respect a destination's limits, in order, in one pass.
import { type DestinationLimits, recordBytes } from '../../adapters/destinations/destination.js';
import type { ShipRecord } from '../../decide/logs/types.js';

export interface Chunking {
  chunks: ShipRecord[][];
  /** Records larger than the destination takes at all: they go straight to the backup. */
  oversized: ShipRecord[];
}

export function chunkRecords(records: readonly ShipRecord[], limits: DestinationLimits): Chunking {
  const chunks: ShipRecord[][] = [];
  const oversized: ShipRecord[] = [];
  let current: ShipRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = limits.bodyBytes ? limits.bodyBytes(record) : recordBytes(record);
    if (size > limits.maxRecordBytes || size > limits.maxBytesPerCall) {
      oversized.push(record);
      continue;
    }
    if (current.length > 0 && (current.length >= limits.maxRecordsPerCall || bytes + size > limits.maxBytesPerCall)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, oversized };
}
