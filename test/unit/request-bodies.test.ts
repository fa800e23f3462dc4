// How destinations build request bodies without holding them whole or twice: base64 written
// straight into the Firehose body, a gzip member written a piece at a time for _bulk, a body
// buffer a destination reuses between its calls, S3 partitions found without a string per record.
// Each is held to the plain way of doing the same thing (Buffer#toString, gzipSync, Map by string).
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFirehoseDestination } from '../../shared/adapters/destinations/firehose.js';
import { bulkBody, gzippedBody, gzippedBulkBody } from '../../shared/adapters/destinations/http-formats.js';
import { partitionIndexes } from '../../shared/adapters/destinations/s3.js';
import { capacityFor, ScratchBuffer } from '../../shared/adapters/destinations/scratch-buffer.js';
import { GzipPieces } from '../../shared/adapters/gzip-pieces.js';
import { utcDate } from '../../shared/adapters/s3-objects.js';
import { base64Into, base64Length } from '../../shared/decide/logs/base64-into.js';
import type { ShipRecord } from '../../shared/decide/logs/types.js';

const record = (line: Buffer, uid: string, timeMs = 0, service = 's'): ShipRecord => ({ uid, timeMs, service, source: { logGroup: 'g', logStream: 's', owner: '' }, bytes: line.length, line });

describe('base64Into', () => {
  it('writes what Buffer#toString("base64") gives, for any bytes, range and target offset, and nothing around it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), fc.nat({ max: 7 }), (bytes, a, b, offset) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        const expected = Buffer.from(bytes.subarray(start, end)).toString('base64');
        const target = Buffer.alloc(offset + base64Length(end - start) + 3, 0xee);
        const after = base64Into(bytes, start, end, target, offset);
        expect(after).toBe(offset + expected.length);
        expect(target.toString('latin1', offset, after)).toBe(expected);
        expect([...target.subarray(0, offset), ...target.subarray(after)].every((x) => x === 0xee)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes lines longer than its 64 KiB word buffer, block after block, whatever their length modulo 3', () => {
    const bytes = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919 + (i >> 9)) & 255));
    for (const [start, end] of [[0, 200_003], [1, 196_609], [5, 196_612], [2, 150_000]] as const) {
      const target = Buffer.alloc(base64Length(end - start) + 1);
      expect(target.toString('latin1', 1, base64Into(bytes, start, end, target, 1))).toBe(bytes.toString('base64', start, end));
    }
  });
});

describe('GzipPieces', () => {
  it('is one gzip file of the pieces in order, that zlib reads back with its CRC-32 and length checked', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 400 }).map((s) => new Uint8Array(Buffer.from(s.repeat(3))))), { maxLength: 8 }), (pieces) => {
        const gzip = new GzipPieces();
        for (const piece of pieces) gzip.add(piece);
        const file = gzip.finish();
        expect(file.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 8]));
        expect(gunzipSync(file).equals(Buffer.concat(pieces))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('takes a piece the caller writes over right after add(), and a trailer that names a corrupted piece', () => {
    const buffer = Buffer.from('first piece, then written over\n');
    const gzip = new GzipPieces();
    gzip.add(buffer);
    buffer.fill(0x41);
    gzip.add(buffer.subarray(0, 5));
    const file = gzip.finish();
    expect(gunzipSync(file).toString()).toBe('first piece, then written over\nAAAAA');
    // The CRC-32 covers every piece: zlib refuses a file whose trailer does not match.
    const corrupt = Buffer.from(file);
    corrupt.writeUInt32LE((corrupt.readUInt32LE(corrupt.length - 8) ^ 1) >>> 0, corrupt.length - 8);
    expect(() => gunzipSync(corrupt)).toThrow(/incorrect data check/);
  });
});

describe('gzippedBulkBody', () => {
  it('is the _bulk body gzip-compressed, whether records fit a 256 KiB piece, straddle two or are larger than one', () => {
    const kib = 1024;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(1, 120, 70 * kib, 255 * kib, 300 * kib), fc.string({ minLength: 1, maxLength: 12 })), { maxLength: 9 }), (specs) => {
        const records = specs.map(([size, uid], i) => record(Buffer.from(`${'x'.repeat(Math.max(0, size - 1))}\n`), `${uid}${i}`));
        const plain = bulkBody('logs', records);
        // Buffer#equals: a deep comparison of MBs of bytes one by one takes minutes.
        expect(gunzipSync(gzippedBulkBody('logs', records)).equals(plain)).toBe(true);
        expect(gunzipSync(gzippedBody('opensearch-bulk', 'logs', records)).equals(plain)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('compresses about as well as gzip of the whole body: each piece refers back into the one before it', () => {
    const records = Array.from({ length: 4000 }, (_, i) => record(Buffer.from(`${JSON.stringify({ body: `GET /orders/${i % 97} 200 ${i % 13} ms`, attributes: { 'service.name': 'orders-api', 'aws.ecs.task.id': 'c0ffee00d15ea5e0b16b00b5deadbeef', n: i } })}\n`), `3791${i}`));
    const whole = gzipSync(bulkBody('logs', records)).length;
    const pieces = gzippedBulkBody('logs', records).length;
    // With a fresh window for every 256 KiB piece this body came out 10-12% larger.
    expect(pieces).toBeLessThan(whole * 1.02);
  });
});

describe('ScratchBuffer', () => {
  it('lends the same memory to calls one after another, with room to spare, and a buffer of its own to a call made while it is lent', async () => {
    const scratch = new ScratchBuffer();
    const first = await scratch.lend(async (allocate) => allocate(1000));
    const second = await scratch.lend(async (allocate) => allocate(1200));
    expect(second.buffer).toBe(first.buffer);
    expect(first.buffer.byteLength).toBe(capacityFor(1000));
    let release!: () => void;
    const held = scratch.lend(async (allocate) => {
      const mine = allocate(10);
      await new Promise<void>((resolve) => (release = resolve));
      return mine;
    });
    const meanwhile = await scratch.lend(async (allocate) => allocate(10));
    release();
    expect((await held).buffer).toBe(first.buffer);
    expect(meanwhile.buffer).not.toBe(first.buffer);
  });

  it('keeps no buffer larger than it is allowed to', async () => {
    const scratch = new ScratchBuffer(4096);
    const big = await scratch.lend(async (allocate) => allocate(5000));
    const small = await scratch.lend(async (allocate) => allocate(100));
    expect(small.buffer).not.toBe(big.buffer);
    expect(small.buffer.byteLength).toBeLessThanOrEqual(4096);
  });

  it('sizes a buffer at least as large as asked, a power of two up to 1 MiB and whole MiB above', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 * 1024 * 1024 }), (size) => {
        const capacity = capacityFor(size);
        expect(capacity).toBeGreaterThanOrEqual(size);
        expect(capacity <= 1024 * 1024 ? Number.isInteger(Math.log2(capacity)) : capacity % (1024 * 1024) === 0).toBe(true);
        expect(capacity).toBeLessThan(Math.max(2 * size, size + 1024 * 1024, 64 * 1024 + 1));
      }),
    );
  });
});

describe('Firehose body buffer', () => {
  it('sends each of two calls in flight at once its own records (the second does not write over the first body)', async () => {
    const bodies: string[] = [];
    const answers: Array<() => void> = [];
    const client = new FirehoseClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestHandler: {
        handle: async (request: { body: Buffer }) => {
          await new Promise<void>((resolve) => answers.push(resolve));
          bodies.push(Buffer.from(request.body).toString());
          return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from('{"FailedPutCount":0,"RequestResponses":[]}')]) } };
        },
      },
    });
    const destination = createFirehoseDestination('stream', client, { deliveryStream: 'logs' });
    const a = [record(Buffer.from('{"a":1}\n'), '1'), record(Buffer.from('{"a":2}\n'), '2')];
    const b = [record(Buffer.from('{"b":"second call"}\n'), '3')];
    const sends = [destination.send(a), destination.send(b)];
    while (answers.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    answers.forEach((answer) => answer());
    await Promise.all(sends);
    const decoded = bodies.map((body) => (JSON.parse(body) as { Records: Array<{ Data: string }> }).Records.map((r) => Buffer.from(r.Data, 'base64').toString()));
    expect(decoded).toEqual([a.map((r) => r.line.toString()), b.map((r) => r.line.toString())]);
    // A third call reuses the first call's buffer, and still sends its own records.
    const c = [record(Buffer.from('{"c":3}\n'), '4')];
    const third = destination.send(c);
    while (answers.length < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    answers[2]!();
    await third;
    expect(Buffer.from((JSON.parse(bodies[2]!) as { Records: Array<{ Data: string }> }).Records[0]!.Data, 'base64').toString()).toBe('{"c":3}\n');
  });
});

describe('partitionIndexes', () => {
  it('groups a chunk by UTC day and service, in order of first appearance, as grouping by the date string does', () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -3 * day, max: 3 * day }), fc.constantFrom('api', 'web', 'a/b')), { maxLength: 40 }), (specs) => {
        const chunk = specs.map(([offset, service], i) => record(Buffer.from('x\n'), String(i), 1_700_000_000_000 + offset, service));
        const byString = new Map<string, number[]>();
        chunk.forEach((r, i) => {
          const key = `${utcDate(r.timeMs)}/${r.service}`;
          byString.set(key, [...(byString.get(key) ?? []), i]);
        });
        expect(partitionIndexes(chunk)).toEqual([...byString.values()]);
      }),
    );
  });
});
