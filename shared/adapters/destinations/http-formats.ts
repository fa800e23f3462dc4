// Request bodies of the HTTP destination's formats, and how each answers per record.
//   opensearch-bulk  _bulk `create` actions with _id = log event id: a retried record that already
//                    landed answers 409 (version conflict), which counts as delivered, so a partial
//                    retry never indexes a line twice. Works for indices and data streams.
//   loki             push API JSON; one stream per service/container/cluster label set; the line is
//                    the record's JSON. Loki drops an entry identical in stream, timestamp and line,
//                    so a retry does not duplicate either.
//   ndjson           the records' JSON, one per line.
import { copyLine, uidJsonRange } from '../../decide/logs/line-writer.js';
import { recordJson, type ShipRecord } from '../../decide/logs/types.js';
import { gzipSync } from 'node:zlib';
import { GzipPieces } from '../gzip-pieces.js';
import { ndjson, type RecordFailure } from './destination.js';

export type HttpFormat = 'opensearch-bulk' | 'loki' | 'ndjson';

export const CONTENT_TYPE: Record<HttpFormat, string> = { 'opensearch-bulk': 'application/x-ndjson', loki: 'application/json', ndjson: 'application/x-ndjson' };

/** `{"create":{"_index":INDEX,"_id":` and `}}\n`: an action line is these around the record's uid as a JSON string. */
function bulkActionParts(index: string): { open: Buffer; close: Buffer } {
  return { open: Buffer.from(`{"create":{"_index":${JSON.stringify(index)},"_id":`, 'utf8'), close: Buffer.from('}}\n', 'latin1') };
}

type UidRange = ReturnType<typeof uidJsonRange>;
type BulkParts = ReturnType<typeof bulkActionParts>;

const bulkEntryBytes = ({ open, close }: BulkParts, uid: UidRange, record: ShipRecord) => open.length + uid.end - uid.start + close.length + record.bytes;

/** Writes a record's action line (its uid copied as the JSON literal its line holds) and its line at `at`; the offset after them. */
function writeBulkEntry({ open, close }: BulkParts, uid: UidRange, record: ShipRecord, target: Buffer, at: number): number {
  at += open.copy(target, at);
  at += uid.bytes.copy(target, at, uid.start, uid.end);
  at += close.copy(target, at);
  return at + copyLine(record, target, at);
}

/**
 * The _bulk body, written into one buffer of its exact size: each record's action line, then its
 * line. No string or buffer per record, only where its uid lies.
 */
export function bulkBody(index: string, records: readonly ShipRecord[]): Buffer {
  const parts = bulkActionParts(index);
  // Each uid found once: its place sizes the body, then is copied into it.
  const uids = records.map(uidJsonRange);
  let size = 0;
  records.forEach((record, i) => (size += bulkEntryBytes(parts, uids[i]!, record)));
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  records.forEach((record, i) => (at = writeBulkEntry(parts, uids[i]!, record, body, at)));
  return body;
}

const PIECE_BYTES = 256 * 1024;
// Written and compressed synchronously, so one buffer serves every body of the container.
let piece: Buffer | undefined;

/**
 * The same body gzip-compressed, written a 256 KiB piece at a time (GzipPieces): it never exists
 * uncompressed as a whole (a 5 MiB body buffer per request was the largest part of what the HTTP
 * destination added to a shipment's peak memory).
 */
export function gzippedBulkBody(index: string, records: readonly ShipRecord[]): Buffer {
  const parts = bulkActionParts(index);
  const buffer = (piece ??= Buffer.allocUnsafeSlow(PIECE_BYTES));
  const gzip = new GzipPieces();
  let at = 0;
  for (const record of records) {
    const uid = uidJsonRange(record);
    const size = bulkEntryBytes(parts, uid, record);
    if (at + size > buffer.length) {
      gzip.add(buffer.subarray(0, at));
      at = 0;
    }
    if (size <= buffer.length) at = writeBulkEntry(parts, uid, record, buffer, at);
    else {
      const entry = Buffer.allocUnsafe(size);
      writeBulkEntry(parts, uid, record, entry, 0);
      gzip.add(entry);
    }
  }
  gzip.add(buffer.subarray(0, at));
  return gzip.finish();
}

/** Loki's envelope and a few label sets, besides the entries (a batch's records share their labels). */
export const LOKI_ENVELOPE_BYTES = 4096;

/** Bytes a line takes as a JSON string: one more for a quote, backslash or \n-style escape, five more for \u00XX. */
function escapedBytes(line: Buffer, end: number): number {
  let extra = 0;
  for (let i = 0; i < end; i += 1) {
    const c = line[i]!;
    if (c === 34 || c === 92) extra += 1;
    else if (c < 32) extra += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
  }
  return end + 2 + extra;
}

/** What one record adds to the body of each format: the real request bytes, before gzip. */
export function bodyBytesOf(format: HttpFormat, index: string): ((record: ShipRecord) => number) | undefined {
  if (format === 'opensearch-bulk') {
    const parts = bulkActionParts(index);
    return (record) => bulkEntryBytes(parts, uidJsonRange(record), record);
  }
  // ["<19-digit ns>",<the line as a JSON string>], : 26 bytes of framing per entry.
  if (format === 'loki') return (record) => 26 + escapedBytes(record.line, record.bytes - 1);
  return undefined;
}

export function lokiLabels(record: ShipRecord): Record<string, string> {
  const { source } = record;
  const cluster = source.task?.clusterArn.split('/').pop();
  return {
    service_name: record.service,
    ...(source.container ? { container: source.container } : {}),
    ...(cluster ? { cluster } : {}),
    log_group: source.logGroup,
  };
}

export function lokiBody(records: readonly ShipRecord[]): Buffer {
  const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
  for (const record of records) {
    const labels = lokiLabels(record);
    const key = JSON.stringify(labels);
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = { stream: labels, values: [] }));
    stream.values.push([`${record.timeMs}000000`, recordJson(record)]);
  }
  return Buffer.from(JSON.stringify({ streams: [...streams.values()] }));
}

export function formatBody(format: HttpFormat, index: string, records: readonly ShipRecord[]): Buffer {
  if (format === 'opensearch-bulk') return bulkBody(index, records);
  if (format === 'loki') return lokiBody(records);
  return ndjson(records);
}

/** The request body gzip-compressed (Content-Encoding: gzip). */
export const gzippedBody = (format: HttpFormat, index: string, records: readonly ShipRecord[]): Buffer =>
  format === 'opensearch-bulk' ? gzippedBulkBody(index, records) : gzipSync(formatBody(format, index, records));

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string };
}

/** Per-item outcomes of a _bulk answer: 2xx and 409 (already there) are delivered. */
export function bulkFailures(answer: unknown): RecordFailure[] {
  const { errors, items } = (answer ?? {}) as { errors?: boolean; items?: Array<Record<string, BulkItem>> };
  if (!errors || !Array.isArray(items)) return [];
  const failures: RecordFailure[] = [];
  items.forEach((item, index) => {
    const result = Object.values(item ?? {})[0];
    const status = result?.status ?? 0;
    if ((status >= 200 && status < 300) || status === 409) return;
    const reason = `_bulk item ${status}${result?.error?.type ? ` ${result.error.type}` : ''}${result?.error?.reason ? `: ${result.error.reason}` : ''}`;
    failures.push({ index, reason, retryable: status === 429 || status >= 500 || status === 0 });
  });
  return failures;
}
