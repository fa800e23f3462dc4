// One contract every log destination passes (shared/adapters/destinations/index.ts): it delivers
// each record of a chunk exactly once in a body its receiver accepts, reports a failed call as a
// retryable failure, reports per-record failures by index where the API has them, and its limits
// hold together. A new destination adds one entry to `cases`.
import { gunzipSync } from 'node:zlib';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, type Destination, type RecordFailure } from '../../shared/adapters/destinations/destination.js';
import { createFirehoseDestination } from '../../shared/adapters/destinations/firehose.js';
import { createHttpDestination } from '../../shared/adapters/destinations/http.js';
import { DESTINATIONS } from '../../shared/adapters/destinations/index.js';
import { createS3Destination } from '../../shared/adapters/destinations/s3.js';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecords } from '../../shared/decide/logs/build-records.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import type { ShipRecord } from '../../shared/decide/logs/types.js';
import { decodeLogBatch, sourceOf } from '../../shared/execute/ship/ship-batch.js';

const batch = decodeLogBatch(JSON.parse(readFileSync(new URL('../fixtures/logs/logs-ecs-api.json', import.meta.url), 'utf8')));
const records: ShipRecord[] = buildRecords(batch.logEvents, sourceOf(batch), compileShipRules(validateConfig({}, 't').ship)).records.slice(0, 40);
const uidsOfLines = (text: string) => text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { attributes: { 'log.record.uid': string } }).attributes['log.record.uid']);

/** What a backend should do with the next call. */
type Behaviour = 'accept' | 'fail-call' | 'fail-second-record';

interface Case {
  name: string;
  create(): Destination;
  setBackend(behaviour: Behaviour): void;
  /** Log event ids the backend has stored, in arrival order. */
  received(): string[];
  partialFailures: boolean;
}

const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);

function firehoseCase(): Case {
  let stored: string[] = [];
  return {
    name: 'firehose',
    partialFailures: true,
    create: () => createFirehoseDestination('fh', new FirehoseClient({ region: 'us-east-1' }), { deliveryStream: 'logs' }),
    setBackend(behaviour) {
      stored = [];
      firehose.reset();
      firehose.on(PutRecordBatchCommand).callsFake((input: { Records: Array<{ Data: Uint8Array }> }) => {
        if (behaviour === 'fail-call') throw Object.assign(new Error('slow down'), { name: 'ServiceUnavailableException' });
        const responses = input.Records.map((r, i) => {
          if (behaviour === 'fail-second-record' && i === 1) return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'busy' };
          stored.push(...uidsOfLines(Buffer.from(r.Data).toString()));
          return { RecordId: String(i) };
        });
        return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
      });
    },
    received: () => stored,
  };
}

function s3Case(): Case {
  let stored: string[] = [];
  return {
    name: 's3',
    partialFailures: false,
    create: () => createS3Destination('archive', new S3Client({ region: 'us-east-1' }), { bucket: 'b', prefix: 'logs/' }),
    setBackend(behaviour) {
      stored = [];
      s3.reset();
      s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Buffer; ContentEncoding: string }) => {
        if (behaviour === 'fail-call') throw Object.assign(new Error('slow down'), { name: 'SlowDown' });
        expect(input.Key).toMatch(/^logs\/dt=\d{4}-\d{2}-\d{2}\/service=[\w.-]+\/\d+-\d+\.ndjson\.gz$/);
        stored.push(...uidsOfLines(gunzipSync(input.Body).toString()));
        return {};
      });
    },
    received: () => stored,
  };
}

function httpCase(format: 'opensearch-bulk' | 'loki' | 'ndjson'): Case {
  let behaviour: Behaviour = 'accept';
  let stored: string[] = [];
  const fakeFetch = (async (_url: string, init: { body: Buffer; headers: Record<string, string> }) => {
    if (behaviour === 'fail-call') return new Response('overloaded', { status: 503 });
    const text = init.headers['content-encoding'] === 'gzip' ? gunzipSync(init.body).toString() : init.body.toString();
    if (format === 'opensearch-bulk') {
      const lines = text.split('\n').filter(Boolean);
      const items = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as { create: { _id: string; _index: string } };
        const uid = uidsOfLines(lines[i + 1]!)[0]!;
        expect(action.create._id).toBe(uid);
        if (behaviour === 'fail-second-record' && i === 2) {
          items.push({ create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } });
          continue;
        }
        stored.push(uid);
        items.push({ create: { _id: uid, status: 201 } });
      }
      return new Response(JSON.stringify({ errors: items.some((x) => x.create.status !== 201), items }), { status: 200 });
    }
    if (format === 'loki') {
      const push = JSON.parse(text) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
      for (const stream of push.streams) {
        expect(stream.stream.service_name).toBeTruthy();
        for (const [ns, line] of stream.values) {
          expect(ns).toMatch(/^\d{19}$/);
          stored.push(...uidsOfLines(line));
        }
      }
      return new Response(null, { status: 204 });
    }
    stored.push(...uidsOfLines(text));
    return new Response('ok', { status: 200 });
  }) as unknown as typeof fetch;
  return {
    name: `http ${format}`,
    partialFailures: format === 'opensearch-bulk',
    create: () =>
      createHttpDestination('http', validateConfig({ ship: { destinations: { h: { http: { url: 'https://logs.example.com/in', format } } }, backup: { bucket: 'bkp' } } }, 't').ship.destinations.h!.http!, {
        fetch: fakeFetch,
        now: () => new Date(),
      }),
    setBackend(next) {
      behaviour = next;
      stored = [];
    },
    received: () => stored,
  };
}

const cases: Case[] = [firehoseCase(), s3Case(), httpCase('opensearch-bulk'), httpCase('loki'), httpCase('ndjson')];

it('every destination kind of the index has a contract case', () => {
  expect(Object.keys(DESTINATIONS).sort()).toEqual(['firehose', 'http', 's3']);
});

describe.each(cases)('destination contract: $name', (c) => {
  beforeEach(() => c.setBackend('accept'));

  it('has limits that hold together', () => {
    const { limits } = c.create();
    expect(limits.maxRecordsPerCall).toBeGreaterThan(0);
    expect(limits.maxRecordBytes).toBeLessThanOrEqual(limits.maxBytesPerCall);
  });

  it('delivers every record of a chunk exactly once', async () => {
    await expect(c.create().send(records)).resolves.toEqual([]);
    expect([...c.received()].sort()).toEqual(records.map((r) => r.uid).sort());
  });

  it('reports a failed call as retryable', async () => {
    c.setBackend('fail-call');
    let failures: RecordFailure[] | undefined;
    try {
      failures = await c.create().send(records);
    } catch (error) {
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).retryable).toBe(true);
      return;
    }
    expect(failures.map((f) => f.index)).toEqual(records.map((_, i) => i));
    expect(failures.every((f) => f.retryable)).toBe(true);
  });

  it('reports only the record that failed, where the API says which', async () => {
    if (!c.partialFailures) return;
    c.setBackend('fail-second-record');
    const failures = await c.create().send(records);
    expect(failures).toEqual([expect.objectContaining({ index: 1, retryable: true })]);
    expect(c.received()).not.toContain(records[1]!.uid);
    expect(c.received()).toHaveLength(records.length - 1);
  });
});
