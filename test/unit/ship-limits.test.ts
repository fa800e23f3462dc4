// Batching respects each destination's limits, through the real destinations' own declarations:
// Firehose takes at most 500 records and 4 MiB per PutRecordBatch and 1,000 KiB per record; an
// HTTP request never runs into the time the executor keeps for the backup.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { createFirehoseDestination } from '../../shared/adapters/destinations/firehose.js';
import { createHttpDestination } from '../../shared/adapters/destinations/http.js';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecords } from '../../shared/decide/logs/build-records.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import type { ShipRecord } from '../../shared/decide/logs/types.js';
import { decodeLogBatch, sourceOf } from '../../shared/execute/ship/ship-batch.js';
import { ecsPayload } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';
import { deliverToDestination } from '../../shared/execute/ship/deliver.js';

const record = (i: number, bytes: number): ShipRecord => ({ uid: String(i), timeMs: 0, service: 'api', source: { logGroup: 'g', logStream: 's', owner: '' }, bytes, line: Buffer.alloc(bytes, 120) });
const clock = { remainingMs: () => 60_000, sleep: async () => {}, random: () => 0 };

describe('Firehose limits', () => {
  it('sends at most 500 records and 4 MiB per call, and backs up a record over 1,000 KiB', async () => {
    const calls: Array<{ records: number; bytes: number; largest: number }> = [];
    const client = {
      send: async (command: PutRecordBatchCommand) => {
        const records = command.input.Records ?? [];
        calls.push({ records: records.length, bytes: records.reduce((n, r) => n + r.Data!.length, 0), largest: Math.max(...records.map((r) => r.Data!.length)) });
        return { FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: 'x' })) };
      },
    } as unknown as FirehoseClient;
    const destination = createFirehoseDestination('stream', client, { deliveryStream: 'logs' });
    // 1,200 small records (count-bound), 12 of 900 KiB (size-bound), and one of 1,001 KiB (too large).
    const records = [...Array.from({ length: 1200 }, (_, i) => record(i, 200)), ...Array.from({ length: 12 }, (_, i) => record(2000 + i, 900 * 1024)), record(9999, 1001 * 1024)];
    const result = await deliverToDestination(records, destination, clock);

    expect(calls.every((c) => c.records <= 500)).toBe(true);
    expect(calls.every((c) => c.bytes <= 4 * 1024 * 1024)).toBe(true);
    expect(calls.every((c) => c.largest <= 1000 * 1024)).toBe(true);
    expect(calls.some((c) => c.records === 500)).toBe(true);
    expect(calls.some((c) => c.bytes > 3 * 1024 * 1024)).toBe(true);
    expect(result.delivered).toBe(1212);
    expect(calls.reduce((n, c) => n + c.records, 0)).toBe(1212);
    expect(result.failed.map((f) => f.record.uid)).toEqual(['9999']);
    expect(result.failed[0]!.reason).toMatch(/larger than the 1024000 bytes/);
  });
});

describe('HTTP request timeout', () => {
  it('ends a request where the time kept for the backup begins, so a hanging endpoint cannot use it up', async () => {
    const config = validateConfig({ ship: { destinations: { d: { http: { url: 'https://collector.invalid/ingest', format: 'ndjson' } } }, backup: { bucket: 'bench-backup' } } }, 't').ship.destinations.d!.http!;
    const signals: AbortSignal[] = [];
    // Answers only when aborted, as an endpoint that hangs.
    const hanging = ((_url: string, init: { signal: AbortSignal }) => {
      signals.push(init.signal);
      return new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    }) as unknown as typeof fetch;
    const destination = createHttpDestination('d', config, { fetch: hanging, now: () => new Date(), timeoutMs: 600_000 });
    let remaining = 5_050;
    const tight = { remainingMs: () => remaining, sleep: async (ms: number) => void (remaining -= ms), random: () => 0.5 };
    const result = await deliverToDestination([record(1, 100)], destination, tight, { baseMs: 100, capMs: 1000, maxAttempts: 5, reserveMs: 5_000 });
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(result.delivered).toBe(0);
    expect(result.failed[0]!.reason).toMatch(/no answer \(TimeoutError/);
  });
});

describe('HTTP maxBatchBytes', () => {
  const batch = decodeLogBatch(makeSubscriptionEvent(ecsPayload(60_000)));
  const records = buildRecords(batch.logEvents, sourceOf(batch), compileShipRules(validateConfig({}, 't').ship)).records;

  for (const format of ['opensearch-bulk', 'loki', 'ndjson'] as const) {
    it(`counts the real ${format} body (action lines, escaping), so no request is larger`, async () => {
      const max = 16 * 1024;
      const config = validateConfig({ ship: { destinations: { d: { http: { url: 'https://search.invalid/x', format, maxBatchBytes: max } } }, backup: { bucket: 'bench-backup' } } }, 't').ship.destinations.d!.http!;
      const sizes: number[] = [];
      const answer = (body: string) => (format === 'opensearch-bulk' ? `{"errors":false,"items":[]}` : body.length > 0 ? 'ok' : '');
      const post = (async (_url: string, init: { body: Buffer }) => {
        const body = gunzipSync(init.body);
        sizes.push(body.length);
        return new Response(answer(body.toString()));
      }) as unknown as typeof fetch;
      const result = await deliverToDestination(records, createHttpDestination('d', config, { fetch: post, now: () => new Date() }), clock);
      expect(result.delivered).toBe(records.length);
      expect(sizes.length).toBeGreaterThan(3);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
      // Packed close to the limit, not far under it.
      expect(Math.max(...sizes)).toBeGreaterThan(max * 0.7);
    });
  }
});
