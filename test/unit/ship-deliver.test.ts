// The executor of the shipper: chunks within limits, retries only what failed, with backoff
// bounded by the invocation's time, backs up what is left, and fails the invocation when even
// the backup fails.
import { describe, expect, it } from 'vitest';
import { DeliveryError, type Destination, type DestinationLimits } from '../../shared/adapters/destinations/destination.js';
import type { BackedUpRecord, LogBackup } from '../../shared/adapters/log-backup.js';
import { validateConfig } from '../../shared/config/validate.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { SlabStore } from '../../shared/decide/logs/line-writer.js';
import { recordJson, type ShipRecord } from '../../shared/decide/logs/types.js';
import { chunkRecords } from '../../shared/execute/ship/chunk.js';
import { deliverToDestination, type RetryClock } from '../../shared/execute/ship/deliver.js';
import { shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { controlMessagePayload, makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';
import { ecsPayload } from '../fixtures/logs/ecs-lines.js';

const record = (i: number, bytes = 100): ShipRecord => ({
  uid: String(i),
  timeMs: 0,
  service: 'api',
  source: { logGroup: 'g', logStream: 's', owner: '' },
  bytes,
  line: Buffer.from(`${'x'.repeat(bytes - 1)}\n`),
});

function fakeClock(remainingMs = 60_000): RetryClock & { waits: number[] } {
  let remaining = remainingMs;
  const waits: number[] = [];
  return { waits, remainingMs: () => remaining, random: () => 0.5, sleep: async (ms) => void (waits.push(ms), (remaining -= ms)) };
}

/** A destination whose answers a test scripts; it records every chunk it was sent. */
function scripted(answers: Array<(chunk: readonly ShipRecord[]) => Promise<Array<{ index: number; reason: string; retryable: boolean }>>>, limits: DestinationLimits = { maxRecordsPerCall: 500, maxBytesPerCall: 4 << 20, maxRecordBytes: 1000 * 1024 }) {
  const calls: string[][] = [];
  const destination: Destination = {
    name: 'd',
    kind: 'http',
    limits,
    send: async (chunk) => {
      calls.push(chunk.map((r) => r.uid));
      const answer = answers.shift() ?? (async () => []);
      return answer(chunk);
    },
  };
  return { destination, calls };
}

describe('chunking', () => {
  it('respects records per call, bytes per call and bytes per record, in order', () => {
    const limits = { maxRecordsPerCall: 3, maxBytesPerCall: 250, maxRecordBytes: 200 };
    const { chunks, oversized } = chunkRecords([record(1), record(2), record(3), record(4), record(5, 300), record(6, 120), record(7, 120)], limits);
    expect(chunks.map((c) => c.map((r) => r.uid))).toEqual([['1', '2'], ['3', '4'], ['6', '7']]);
    expect(oversized.map((r) => r.uid)).toEqual(['5']);
  });
});

describe('delivery with retries', () => {
  it('re-sends only the records that failed, with growing backoff', async () => {
    const { destination, calls } = scripted([
      async () => [{ index: 1, reason: 'busy', retryable: true }, { index: 3, reason: 'busy', retryable: true }],
      async () => [{ index: 0, reason: 'busy', retryable: true }],
      async () => [],
    ]);
    const clock = fakeClock();
    const result = await deliverToDestination([record(0), record(1), record(2), record(3)], destination, clock);
    expect(calls).toEqual([['0', '1', '2', '3'], ['1', '3'], ['1']]);
    expect(result).toMatchObject({ delivered: 4, attempts: 3, failed: [] });
    expect(clock.waits).toEqual([50, 100]);
  });

  it('gives a final failure to the backup at once, and retries a failed call', async () => {
    const { destination, calls } = scripted([
      async () => {
        throw new DeliveryError('503', true);
      },
      async () => [{ index: 0, reason: '400 mapper_parsing_exception', retryable: false }],
    ]);
    const result = await deliverToDestination([record(0), record(1)], destination, fakeClock());
    expect(calls).toEqual([['0', '1'], ['0', '1']]);
    expect(result.delivered).toBe(1);
    expect(result.failed).toEqual([{ record: expect.objectContaining({ uid: '0' }), reason: '400 mapper_parsing_exception' }]);
  });

  it('stops retrying when the invocation has no time left beyond the backup reserve', async () => {
    const failing = async () => {
      throw new DeliveryError('connection refused', true);
    };
    const { destination, calls } = scripted(Array.from({ length: 20 }, () => failing));
    const result = await deliverToDestination([record(0)], destination, fakeClock(6_000), { baseMs: 1000, capMs: 5000, maxAttempts: 10, reserveMs: 5_000 });
    expect(calls.length).toBeLessThan(4);
    expect(result.failed[0]!.reason).toMatch(/connection refused \(gave up after \d attempts, with no time left in the invocation\)/);
  });

  it('sends a record too large for the destination straight to the backup', async () => {
    const { destination, calls } = scripted([], { maxRecordsPerCall: 10, maxBytesPerCall: 1000, maxRecordBytes: 500 });
    const result = await deliverToDestination([record(0, 600), record(1)], destination, fakeClock());
    expect(calls).toEqual([['1']]);
    expect(result.failed[0]!.reason).toMatch(/record of 600 bytes is larger than the 500 bytes/);
  });
});

describe('shipping a subscription event', () => {
  const rules = compileShipRules(validateConfig({}, 't').ship);
  const event = makeSubscriptionEvent(ecsPayload(3_000));

  it('backs up what a destination refused, with the reason, and fails the invocation when the backup fails', async () => {
    const written: Array<{ destination: string; failed: readonly BackedUpRecord[] }> = [];
    const backup: LogBackup = { write: async (destination, failed) => (written.push({ destination, failed }), { bucket: 'b', key: 'k' }) };
    const down: Destination = { name: 'down', kind: 'http', limits: { maxRecordsPerCall: 500, maxBytesPerCall: 1 << 20, maxRecordBytes: 1 << 20 }, send: async () => Promise.reject(new DeliveryError('HTTP ndjson https://x: 503', true)) };
    const deps = { rules, destinations: [down], backup, clock: fakeClock(6_000), retry: { baseMs: 100, capMs: 1000, maxAttempts: 3, reserveMs: 1000 }, now: () => new Date() };
    const outcome = await shipLogEvent(event, deps);
    expect(outcome.backups).toEqual([{ destination: 'down', records: outcome.stats.records, key: 'k' }]);
    expect(written[0]!.failed.every((f) => /503/.test(f.reason))).toBe(true);


    // With the container's shared buffer, the backed-up records of every slice keep their own lines.
    written.length = 0;
    const big = makeSubscriptionEvent(ecsPayload(1_500_000)); // about 6 MB of records: two slices
    const shared = await shipLogEvent(big, { ...deps, clock: fakeClock(60_000), slabs: new SlabStore() });
    const uids = written[0]!.failed.map((f) => (JSON.parse(recordJson(f.record)) as { attributes: { 'log.record.uid': string } }).attributes['log.record.uid']);
    expect(uids).toHaveLength(shared.stats.records - shared.stats.dropped);
    expect(uids).toEqual(written[0]!.failed.map((f) => f.record.uid));

    const broken: LogBackup = { write: async () => Promise.reject(new Error('log backup to s3://b/k failed (NoSuchBucket)')) };
    await expect(shipLogEvent(event, { ...deps, backup: broken, clock: fakeClock(6_000) })).rejects.toThrow(/NoSuchBucket/);
  });

  it('acknowledges a control message without shipping anything', async () => {
    const { destination, calls } = scripted([]);
    const outcome = await shipLogEvent(makeSubscriptionEvent(controlMessagePayload), { rules, destinations: [destination], clock: fakeClock(), now: () => new Date() });
    expect(outcome.outcome).toBe('control-message');
    expect(calls).toEqual([]);
  });

  it('refuses a payload that does not decode, naming what is wrong', async () => {
    await expect(shipLogEvent({ awslogs: { data: 'bm90IGd6aXA=' } }, { rules, destinations: [], clock: fakeClock(), now: () => new Date() })).rejects.toThrow(/awslogs\.data: not gzip-compressed/);
    await expect(shipLogEvent({ Records: [] }, { rules, destinations: [], clock: fakeClock(), now: () => new Date() })).rejects.toThrow(/expected a CloudWatch Logs subscription event/);
  });
});
