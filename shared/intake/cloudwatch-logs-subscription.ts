// A CloudWatch Logs subscription delivers {"awslogs":{"data": base64(gzip(JSON))}} to Lambda.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import { IntakeError } from './errors.js';
import type { LogBatch } from './signals.js';

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
  // Checked by logEventProblem below: a batch holds up to tens of thousands of events, and a
  // per-event schema walk would cost as much as decompressing them (npm run bench).
  logEvents: z._default(z.array(z.unknown()), []),
});

const logEventSchema = z.object({ id: z.string(), timestamp: z.number().check(z.gte(0), z.lte(MAX_DATE_MS)), message: z.string() });

/** The same checks as logEventSchema, inline; the schema runs only on an event that fails them, to name the field. */
function checkLogEvents(events: unknown[]): LogBatch['logEvents'] {
  for (let i = 0; i < events.length; i += 1) {
    const e = events[i] as { id?: unknown; timestamp?: unknown; message?: unknown } | null;
    const ok = typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.message === 'string' &&
      typeof e.timestamp === 'number' && e.timestamp >= 0 && e.timestamp <= MAX_DATE_MS;
    if (!ok) parseOrThrow(logEventSchema, e, '', DETAIL_TYPE, `awslogs.data.logEvents[${i}]`);
  }
  return events as LogBatch['logEvents'];
}

export function isLogsSubscriptionEvent(raw: unknown): raw is { awslogs: { data: unknown } } {
  return typeof raw === 'object' && raw !== null && 'awslogs' in raw;
}

/**
 * Output chunk for gunzip: the decompressed size the gzip trailer states (plus room to see the
 * end), so a several-MB batch inflates into one buffer, with no list of chunks concatenated into
 * a second copy. The trailer is untrusted: a size out of proportion falls back to 1 MiB chunks.
 */
function chunkSizeFor(gzip: Buffer): number {
  if (gzip.length < 18) return 1 << 20;
  const stated = gzip.readUInt32LE(gzip.length - 4);
  return stated > 0 && stated <= 64 << 20 && stated <= gzip.length * 1032 ? stated + 1024 : 1 << 20;
}

function decode(data: unknown): unknown {
  if (typeof data !== 'string' || data.length === 0) {
    throw new IntakeError('', DETAIL_TYPE, ['awslogs.data: expected a base64 string of gzip-compressed JSON']);
  }
  let text: string;
  try {
    const gzip = Buffer.from(data, 'base64');
    text = gunzipSync(gzip, { chunkSize: Math.max(1 << 20, chunkSizeFor(gzip)) }).toString('utf8');
  } catch (error) {
    throw new IntakeError('', DETAIL_TYPE, [`awslogs.data: not gzip-compressed data after base64 decoding (${(error as Error).message})`]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new IntakeError('', DETAIL_TYPE, ['awslogs.data: the decompressed payload is not JSON']);
  }
}

type Payload = z.infer<typeof payloadSchema>;

/** The usual payload, checked inline; anything else goes through the schema, which names the field (or fills a default). */
function isPlainPayload(value: unknown): value is Payload {
  const p = value as Record<string, unknown> | null;
  return typeof p === 'object' && p !== null && typeof p.messageType === 'string' && p.messageType.length > 0 && typeof p.owner === 'string' &&
    typeof p.logGroup === 'string' && typeof p.logStream === 'string' && Array.isArray(p.subscriptionFilters) && p.subscriptionFilters.every((f) => typeof f === 'string') && Array.isArray(p.logEvents);
}

export function parseLogsSubscription(raw: { awslogs: { data: unknown } }): LogBatch {
  const decoded = decode(raw.awslogs?.data);
  const payload = isPlainPayload(decoded) ? decoded : parseOrThrow(payloadSchema, decoded, '', DETAIL_TYPE, 'awslogs.data');
  const logEvents = checkLogEvents(payload.logEvents);
  const first = logEvents[0];
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
    logEvents,
  };
}
