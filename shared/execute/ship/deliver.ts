// Delivers records to one destination: chunks within its limits, retries with exponential backoff
// and full jitter while the invocation has time left (keeping a reserve for the backup), and
// re-sends only the records that failed. What is still undelivered comes back with its reason.
import { DeliveryError, type Destination, recordBytes } from '../../adapters/destinations/destination.js';
import type { BackedUpRecord } from '../../adapters/log-backup.js';
import type { ShipRecord } from '../../decide/logs/types.js';
import { chunkRecords } from './chunk.js';

export interface RetryClock {
  remainingMs(): number;
  sleep(ms: number): Promise<void>;
  /** [0, 1), for jitter. */
  random(): number;
}

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
  /** Time left for the backup after the last attempt. */
  reserveMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 100, capMs: 5_000, maxAttempts: 10, reserveMs: 5_000 };

export interface DestinationResult {
  destination: string;
  delivered: number;
  bytes: number;
  attempts: number;
  failed: BackedUpRecord[];
}

export async function deliverToDestination(records: readonly ShipRecord[], destination: Destination, clock: RetryClock, policy: RetryPolicy = DEFAULT_RETRY): Promise<DestinationResult> {
  const { chunks, oversized } = chunkRecords(records, destination.limits);
  const result: DestinationResult = {
    destination: destination.name,
    delivered: 0,
    bytes: 0,
    attempts: 0,
    failed: oversized.map((record) => ({ record, reason: `${destination.name}: record of ${recordBytes(record)} bytes is larger than the ${destination.limits.maxRecordBytes} bytes the destination takes` })),
  };
  for (const chunk of chunks) {
    let pending = chunk;
    const reasons = new Map<ShipRecord, string>();
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      result.attempts += 1;
      let retry: ShipRecord[] = [];
      try {
        // A call may not eat the time kept for the backup: its own timeout ends where that begins.
        const failures = await destination.send(pending, { timeoutMs: clock.remainingMs() - policy.reserveMs });
        const failedAt = new Set(failures.map((f) => f.index));
        for (const failure of failures) {
          const record = pending[failure.index];
          if (!record) continue;
          if (failure.retryable) {
            retry.push(record);
            reasons.set(record, failure.reason);
          } else result.failed.push({ record, reason: failure.reason });
        }
        pending.forEach((record, index) => {
          if (!failedAt.has(index)) {
            result.delivered += 1;
            result.bytes += recordBytes(record);
          }
        });
      } catch (error) {
        const reason = `${destination.name}: ${(error as Error).message}`;
        if (error instanceof DeliveryError && !error.retryable) {
          for (const record of pending) result.failed.push({ record, reason });
          retry = [];
        } else {
          retry = pending;
          for (const record of pending) reasons.set(record, reason);
        }
      }
      pending = retry;
      if (pending.length === 0) break;
      const delay = clock.random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
      if (attempt + 1 >= policy.maxAttempts || clock.remainingMs() - delay < policy.reserveMs) {
        const why = attempt + 1 >= policy.maxAttempts ? `after ${attempt + 1} attempts` : `after ${attempt + 1} attempts, with no time left in the invocation`;
        for (const record of pending) result.failed.push({ record, reason: `${reasons.get(record) ?? 'failed'} (gave up ${why})` });
        break;
      }
      await clock.sleep(delay);
    }
  }
  return result;
}
