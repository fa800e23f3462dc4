// A CloudWatch Logs subscription delivers {"awslogs":{"data": base64(gzip(JSON))}} to Lambda.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import { IntakeError } from './errors.js';
import { LogPayloadReader, NotJsonError } from './log-payload-reader.js';
import type { LogBatch, LogEventLine } from './signals.js';

const DETAIL_TYPE = 'CloudWatch Logs';
/** The largest time a JavaScript Date can hold; a batch's time is taken from its first log event. */
const MAX_DATE_MS = 8.64e15;

const payloadSchema = z.object({
  messageType: z.string().check(z.minLength(1)),
  owner: z._default(z.string(), ''),
  logGroup: z._default(z.string(), ''),
  logStream: z._default(z.string(), ''),
  subscriptionFilters: z._default(z.array(z.string()), []),
  // CONTROL_MESSAGE batches carry one log event whose id is "" (and no group or stream).
  // Checked by checkLogEvents below: a batch holds up to tens of thousands of events, and a
  // per-event schema walk would cost as much as decompressing them (npm run bench).
  logEvents: z._default(z.array(z.unknown()), []),
});

const logEventSchema = z.object({ id: z.string(), timestamp: z.number().check(z.gte(0), z.lte(MAX_DATE_MS)), message: z.string() });

/** The same checks as logEventSchema, inline; the schema runs only on an event that fails them, to name the field. */
function checkLogEvents(events: unknown[], offset: number): LogEventLine[] {
  for (let i = 0; i < events.length; i += 1) {
    const e = events[i] as { id?: unknown; timestamp?: unknown; message?: unknown } | null;
    const ok = typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.message === 'string' &&
      typeof e.timestamp === 'number' && e.timestamp >= 0 && e.timestamp <= MAX_DATE_MS;
    if (!ok) parseOrThrow(logEventSchema, e, '', DETAIL_TYPE, `awslogs.data.logEvents[${offset + i}]`);
  }
  return events as LogEventLine[];
}

export { isLogsSubscriptionEvent } from './logs-subscription-shape.js';

/**
 * Output chunk for a gunzip in one go: the decompressed size the gzip trailer states (plus room to
 * see the end), so the batch inflates into one buffer, with no list of chunks concatenated into a
 * second copy. The trailer is untrusted: a size out of proportion falls back to 1 MiB chunks.
 */
function statedSize(gzip: Buffer): number | undefined {
  if (gzip.length < 18) return undefined;
  const stated = gzip.readUInt32LE(gzip.length - 4);
  return stated > 0 && stated <= 64 << 20 && stated <= gzip.length * 1032 ? stated : undefined;
}

/** Batches up to this size (decompressed) inflate in one synchronous call: a stream's thread hops cost more than they save. */
const INFLATE_AT_ONCE_BYTES = 2 << 20;
/** Larger ones inflate as a stream of this much at a time, parsed as each arrives. */
const INFLATE_CHUNK_BYTES = 1 << 20;
/** Compressed bytes per write to the inflating stream: log batches compress about 10x. */
const INFLATE_INPUT_BYTES = 64 * 1024;

function* slices(buffer: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

const notGzip = (error: unknown) => new IntakeError('', DETAIL_TYPE, [`awslogs.data: not gzip-compressed data after base64 decoding (${(error as Error).message})`]);
const notJson = () => new IntakeError('', DETAIL_TYPE, ['awslogs.data: the decompressed payload is not JSON']);

function gzipOf(data: unknown): Buffer {
  if (typeof data !== 'string' || data.length === 0) {
    throw new IntakeError('', DETAIL_TYPE, ['awslogs.data: expected a base64 string of gzip-compressed JSON']);
  }
  return Buffer.from(data, 'base64');
}

function gunzipAtOnce(gzip: Buffer): Buffer {
  try {
    return gunzipSync(gzip, { chunkSize: Math.max(1 << 20, (statedSize(gzip) ?? 0) + 1024) });
  } catch (error) {
    throw notGzip(error);
  }
}

/** The decompressed payload, in one buffer for a small batch, else chunk by chunk as zlib inflates it (off the main thread). */
async function* inflate(gzip: Buffer): AsyncGenerator<Buffer> {
  if ((statedSize(gzip) ?? Number.POSITIVE_INFINITY) <= INFLATE_AT_ONCE_BYTES) {
    yield gunzipAtOnce(gzip);
    return;
  }
  // Fed a slice of input at a time, so zlib waits while a chunk is being parsed (given the whole
  // input in one write, it would inflate all of it before the first chunk is read).
  const stream = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  Readable.from(slices(gzip, INFLATE_INPUT_BYTES)).pipe(stream);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw notGzip(error);
  }
}

type Payload = z.infer<typeof payloadSchema>;

/** The usual header, checked inline; anything else goes through the schema, which names the field (or fills a default). */
function isPlainHeader(value: unknown): value is Payload {
  const p = value as Record<string, unknown> | null;
  return typeof p === 'object' && p !== null && typeof p.messageType === 'string' && p.messageType.length > 0 && typeof p.owner === 'string' &&
    typeof p.logGroup === 'string' && typeof p.logStream === 'string' && Array.isArray(p.subscriptionFilters) && p.subscriptionFilters.every((f) => typeof f === 'string') &&
    (p.logEvents === undefined || Array.isArray(p.logEvents));
}

const checkHeader = (header: unknown): Payload => (isPlainHeader(header) ? header : parseOrThrow(payloadSchema, header, '', DETAIL_TYPE, 'awslogs.data'));

/** Everything of a batch but its log events; the first event names it. */
export type LogBatchHead = Omit<LogBatch, 'logEvents'>;

function headOf(payload: Payload, first: LogEventLine | undefined): LogBatchHead {
  return {
    kind: 'log-batch',
    // A batch has no id of its own; its first log event's id is unique and stable across redelivery.
    // A control message's log event has an empty id, so its timestamp tells one check from the next.
    eventId: first?.id
      ? `logs:${first.id}`
      : `logs:${payload.logGroup}:${payload.logStream}:${payload.messageType}${first ? `:${first.timestamp}` : ''}`,
    detailType: DETAIL_TYPE,
    time: new Date(first?.timestamp ?? 0).toISOString(),
    owner: payload.owner,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    subscriptionFilters: payload.subscriptionFilters,
    control: payload.messageType === 'CONTROL_MESSAGE',
  };
}

/** Checks the reader's pieces of events as they come, numbering events across pieces for the error message. */
class CheckedReader {
  // Members of the header after the logEvents array (never so from CloudWatch Logs, but valid JSON): parsed whole.
  private readonly reader = new LogPayloadReader({ isWholeHeader: isPlainHeader });
  private count = 0;
  private header: Payload | undefined;

  private *checked(pieces: Iterable<unknown[]>): Generator<LogEventLine[]> {
    for (const piece of pieces) {
      this.header ??= checkHeader(this.reader.header);
      const events = checkLogEvents(piece, this.count);
      this.count += piece.length;
      yield events;
    }
  }

  push(chunk: Buffer): Generator<LogEventLine[]> {
    return this.checked(this.reader.push(chunk));
  }

  *end(): Generator<LogEventLine[]> {
    let pieces: unknown[][];
    try {
      pieces = this.reader.end();
    } catch (error) {
      if (error instanceof NotJsonError) throw notJson();
      throw error;
    }
    this.header ??= checkHeader(this.reader.header);
    yield* this.checked(pieces);
  }

  get payload(): Payload {
    return this.header!;
  }
}

/** A whole batch, decoded at once (notify's intake, the offline CLI, tests). */
export function parseLogsSubscription(raw: { awslogs: { data: unknown } }): LogBatch {
  const reader = new CheckedReader();
  const pieces = [...reader.push(gunzipAtOnce(gzipOf(raw.awslogs?.data))), ...reader.end()];
  const logEvents = pieces.length === 1 ? pieces[0]! : pieces.flat();
  return { ...headOf(reader.payload, logEvents[0]), logEvents };
}

/** A batch being decoded: its head, and its log events piece by piece as they are inflated and parsed. */
export interface LogBatchStream {
  head: LogBatchHead;
  /**
   * The events, in order, a piece at a time. A batch that turns out malformed part-way (a corrupt
   * gzip stream, an event without a message) throws an IntakeError from here, after the pieces before it.
   */
  pieces: AsyncIterable<LogEventLine[]>;
}

/**
 * Opens a batch for the shipper: reads until the first log event (which names the batch) and
 * leaves the rest to be inflated and parsed while the records of the first pieces are shipped.
 */
export async function openLogsSubscription(raw: { awslogs: { data: unknown } }): Promise<LogBatchStream> {
  const reader = new CheckedReader();
  const chunks = inflate(gzipOf(raw.awslogs?.data));
  async function* all(): AsyncGenerator<LogEventLine[]> {
    for await (const chunk of chunks) yield* reader.push(chunk);
    yield* reader.end();
  }
  const events = all();
  // Read up to the first piece: its first event names the batch (and the header is checked by then).
  const first = await events.next();
  async function* pieces(): AsyncGenerator<LogEventLine[]> {
    if (first.done) return;
    yield first.value;
    yield* events;
  }
  return { head: headOf(reader.payload, first.done ? undefined : first.value[0]), pieces: pieces() };
}
