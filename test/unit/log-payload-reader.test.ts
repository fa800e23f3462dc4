// The piecewise reader of a subscription payload must give exactly what JSON.parse of the whole
// payload gives, however zlib cuts the bytes, and fall back to the whole parse on shapes it does
// not cut (members in another order, whitespace, events holding arrays of objects).
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLogsSubscription, parseLogsSubscription } from '../../shared/intake/cloudwatch-logs-subscription.js';
import { IntakeError } from '../../shared/intake/errors.js';
import { LogPayloadReader, NotJsonError } from '../../shared/intake/log-payload-reader.js';
import { ecsPayload } from '../fixtures/logs/ecs-lines.js';

/** Feeds `text` to a reader cut at the given points; the header and every event, in order. */
function readInChunks(text: string, cuts: number[], pieceBytes?: number): { header: unknown; events: unknown[]; pieces: number } {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const reader = new LogPayloadReader({ pieceBytes });
  const events: unknown[] = [];
  let pieces = 0;
  let at = 0;
  for (const point of [...points, bytes.length]) {
    // A copy per chunk: the reader writes into the buffers it is given, as zlib's are.
    for (const piece of reader.push(Buffer.from(bytes.subarray(at, point)))) {
      events.push(...piece);
      pieces += 1;
    }
    at = point;
  }
  for (const piece of reader.end()) {
    events.push(...piece);
    pieces += 1;
  }
  return { header: reader.header, events, pieces };
}

const event = fc.record({
  id: fc.stringMatching(/^[0-9]{1,56}$/),
  timestamp: fc.integer({ min: 0, max: 2e12 }),
  // Text that looks like the reader's own cut points, quotes, braces, non-ASCII, emoji.
  message: fc.oneof(fc.string({ unit: fc.constantFrom('}', ',', '{', '"', '\\', '[', ']', 'a', ' ', '\n', 'é', '😀', 'logEvents', ':') }), fc.string({ unit: 'binary' })),
});
const header = { messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/ecs/api', logStream: 'ecs/api/abc', subscriptionFilters: ['f'] };

describe('LogPayloadReader', () => {
  it('gives the events JSON.parse gives, for any cut of the bytes', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), (logEvents, cuts) => {
        const text = JSON.stringify({ ...header, logEvents });
        const read = readInChunks(text, cuts);
        expect(read.events).toEqual(logEvents);
        expect(read.header).toEqual(header);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same with pieces cut after every few bytes, so chunks end and start anywhere around a cut', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 300 }), (logEvents, cuts, pieceBytes) => {
        const text = JSON.stringify({ ...header, logEvents });
        const read = readInChunks(text, cuts, pieceBytes);
        expect(read.events).toEqual(logEvents);
        expect(read.header).toEqual(header);
        // It did cut: a piece ends at the first gap past pieceBytes, so events this long make several.
        // Unless a message ends in `},{` (then `},{"` also closes a string, a cut there does not
        // parse, and the reader rightly reads the rest whole): only real gaps are counted on.
        const longest = Math.max(0, ...logEvents.map((e) => Buffer.byteLength(JSON.stringify(e))));
        const onlyRealGaps = text.split('},{"').length - 1 === Math.max(0, logEvents.length - 1);
        if (onlyRealGaps && Buffer.byteLength(JSON.stringify(logEvents)) > 3 * (pieceBytes + longest + 1)) expect(read.pieces).toBeGreaterThan(1);
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to the whole parse when an event holding an array of objects turns up after the first cut', () => {
    const plain = Array.from({ length: 30 }, (_, i) => ({ id: String(i), timestamp: i, message: `line ${i} },{"x` }));
    const logEvents = [...plain, { id: '30', timestamp: 30, message: 'm', extracted: [{ k: 1 }, { k: 2 }] }, ...plain];
    const text = JSON.stringify({ ...header, logEvents });
    for (const cuts of [[], [200], [text.length - 300], [400, 800, 1200, 1600]]) {
      for (const pieceBytes of [1, 50, 400]) expect(readInChunks(text, cuts, pieceBytes).events).toEqual(logEvents);
    }
  });

  it('parses a large batch in several pieces, not whole', () => {
    const payload = ecsPayload(1_000_000); // about 2 MB: pieces of 64 KiB and more
    const text = JSON.stringify(payload);
    const cuts = Array.from({ length: 10 }, (_, i) => Math.floor(((i + 1) * text.length) / 11));
    const read = readInChunks(text, cuts);
    expect(read.events).toEqual(payload.logEvents);
    expect(read.pieces).toBeGreaterThanOrEqual(10);
  });

  it('falls back to the whole parse for members in another order, whitespace, and events with arrays of objects', () => {
    const logEvents = [
      { id: '1', timestamp: 1, message: 'a' },
      { id: '2', timestamp: 2, message: 'b', extracted: [{ k: 1 }, { k: 2 }] },
      { id: '3', timestamp: 3, message: 'c' },
    ];
    const shapes = [
      JSON.stringify({ logEvents, ...header }),
      JSON.stringify({ ...header, logEvents }, null, 2),
      JSON.stringify({ ...header, logEvents }),
      JSON.stringify({ ...header, logEvents, addedLater: { x: [1] } }),
    ];
    for (const text of shapes) {
      for (const cuts of [[], [30], [text.length - 40, text.length - 5], [1, 2, 3, 60, 61, 90, 120]]) {
        const read = readInChunks(text, cuts);
        expect(read.events).toEqual(logEvents);
      }
    }
  });

  it('throws NotJsonError on a payload that ends early or is not JSON', () => {
    const text = JSON.stringify({ ...header, logEvents: ecsPayload(20_000).logEvents });
    expect(() => readInChunks(text.slice(0, text.length - 10), [100, 5000])).toThrow(NotJsonError);
    expect(() => readInChunks('not json at all', [])).toThrow(NotJsonError);
  });
});

describe('openLogsSubscription', () => {
  const subscription = (payload: unknown) => ({ awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') } });

  it('streams a batch larger than the one-call inflate size and gives what the whole parse gives', async () => {
    const payload = ecsPayload(2_500_000); // about 5 MB decompressed: inflated as a stream
    const raw = subscription(payload);
    const { head, pieces } = await openLogsSubscription(raw);
    const events: unknown[] = [];
    let count = 0;
    for await (const piece of pieces) {
      events.push(...piece);
      count += 1;
    }
    expect(count).toBeGreaterThan(3);
    expect(events).toEqual(payload.logEvents);
    const { logEvents, ...whole } = parseLogsSubscription(raw);
    expect(head).toEqual(whole);
    expect(logEvents).toEqual(payload.logEvents);
  });

  it('takes header members that come after logEvents (valid JSON, if never so from CloudWatch Logs), small batch and streamed', async () => {
    for (const bytes of [20_000, 2_500_000]) {
      const { logEvents, logGroup, logStream, ...first } = ecsPayload(bytes);
      for (const shape of [{ logEvents, ...first, logGroup, logStream }, { ...first, logEvents, logGroup, logStream }]) {
        const raw = subscription(shape);
        const { head, pieces } = await openLogsSubscription(raw);
        expect(head.logGroup).toBe(logGroup);
        expect(head.logStream).toBe(logStream);
        const events: unknown[] = [];
        for await (const piece of pieces) events.push(...piece);
        expect(events).toEqual(logEvents);
        const { logEvents: parsed, ...whole } = parseLogsSubscription(raw);
        expect(head).toEqual(whole);
        expect(parsed).toEqual(logEvents);
      }
    }
  });

  it('names a malformed event found part-way, by its index in the whole batch, after the pieces before it', async () => {
    const payload = ecsPayload(2_500_000);
    const bad = payload.logEvents.length - 3;
    (payload.logEvents[bad] as { message: unknown }).message = 42;
    const { pieces } = await openLogsSubscription(subscription(payload));
    let seen = 0;
    const error = await (async () => {
      try {
        for await (const piece of pieces) seen += piece.length;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).problems).toContainEqual(expect.stringMatching(new RegExp(`^awslogs\\.data\\.logEvents\\[${bad}\\]\\.message:`)));
    expect(seen).toBeGreaterThan(0);
  });

  it('a gzip stream cut short is not gzip data, named as such (at open or part-way)', async () => {
    const gzip = gzipSync(Buffer.from(JSON.stringify(ecsPayload(2_500_000))));
    const readAll = async () => {
      const { pieces } = await openLogsSubscription({ awslogs: { data: gzip.subarray(0, gzip.length - 200).toString('base64') } });
      for await (const piece of pieces) expect(piece.length).toBeGreaterThan(0);
    };
    await expect(readAll()).rejects.toThrow(/not gzip-compressed data/);
  });
});
