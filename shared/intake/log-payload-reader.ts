// Reads the decompressed JSON of a CloudWatch Logs subscription batch a piece at a time, so a
// several-MB batch is never one string and one parsed array in memory at once (and so the shipper
// can ship the first records while the rest is still being inflated).
//
// The payload is one JSON object whose last member is the logEvents array:
//   {"messageType":"DATA_MESSAGE",...,"subscriptionFilters":[...],"logEvents":[{...},{...},...]}
// The members before `"logEvents":[` are parsed on their own (the header); the array is cut after
// a `}` that is followed by `,{"`, and each piece is parsed by JSON.parse as an array of its own.
// Why the cut is safe: inside a JSON string every `"` is escaped, so `},{"` is the gap between two
// objects of an array, or a string that ends in `},{` and its closing quote, or an event holding
// an array of objects. In the last two cases a piece does not parse: the reader then keeps the
// rest of the batch and parses it whole at the end, as it does for a payload shaped unlike the
// above (header members after the array, whitespace). Either way the result is what JSON.parse of
// the whole payload would give. Each piece is cut at ASCII bytes, so no UTF-8 character is ever split.
// A chunk is parsed where zlib wrote it: only the tail of the previous chunk and this chunk's head,
// up to its first cut, are copied into one piece. Bytes kept for a whole parse are kept as a list
// of chunks and joined once, at the end.
// A piece is read by the envelope scanner (envelope-scan.ts), which takes events in exactly the
// shape CloudWatch Logs writes them and gives what JSON.parse would; JSON.parse reads what it does not take.
import { scanLogEvents } from './envelope-scan.js';
import { tryJson } from './try-json.js';

/** The payload's members other than logEvents, as parsed: unchecked (the caller checks it). */
export type PayloadHeader = unknown;

const HEADER_END = Buffer.from('"logEvents":[');
const GAP = Buffer.from('},{"');
/** A header longer than this is not a CloudWatch Logs header (log group names are at most 512 characters). */
const MAX_HEADER_BYTES = 64 * 1024;
/** Bytes of events per piece (at least). */
const PIECE_BYTES = 64 * 1024;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]

export class NotJsonError extends Error {}

/** A piece of events, data[start, end) (a JSON array): by the envelope scanner when it takes it, else by JSON.parse (undefined when not JSON). */
function parsePiece(data: Buffer, start: number, end: number, scan: boolean): unknown {
  return (scan ? scanLogEvents(data, start, end) : undefined) ?? tryJson(data.toString('utf8', start, end));
}

function parseJson(text: string): unknown {
  const value = tryJson(text);
  if (value === undefined) throw new NotJsonError('the decompressed payload is not JSON');
  return value;
}

type Mode = 'header' | 'events' | 'rest' | 'whole';

export class LogPayloadReader {
  /** Set once the header is read; on a payload read whole, at end(). */
  header: PayloadHeader | undefined;
  private mode: Mode = 'header';
  /** In 'header', 'rest' and 'whole' mode, every byte not parsed yet ('rest': from where the next piece opens, `[`). */
  private held: Buffer[] = [];
  /** In 'events' mode, the bytes after the last cut: they start with `[`, where the next piece opens. */
  private tail: Buffer = Buffer.alloc(0);

  private readonly pieceBytes: number;
  private readonly isWholeHeader: (header: object) => boolean;
  private readonly scan: boolean;

  /**
   * pieceBytes: bytes of events per piece, at least (small in tests, to cut often). isWholeHeader:
   * whether the members before logEvents are the whole header; if not (some come after the
   * array), the payload is parsed whole, so no member is missed. scan: false reads every piece
   * with JSON.parse (tests compare the two).
   */
  constructor(options: { pieceBytes?: number; isWholeHeader?: (header: object) => boolean; scan?: boolean } = {}) {
    this.pieceBytes = options.pieceBytes ?? PIECE_BYTES;
    this.isWholeHeader = options.isWholeHeader ?? (() => true);
    this.scan = options.scan ?? true;
  }

  /**
   * Takes the next chunk of decompressed bytes; yields the log events it completed, a piece at a
   * time (unchecked: the caller checks each event's fields). Read it to its end before the next
   * push. Buffers passed in are written to.
   */
  *push(chunk: Buffer): Generator<unknown[]> {
    if (this.mode === 'events') {
      yield* this.events(chunk);
      return;
    }
    this.held.push(chunk);
    if (this.mode !== 'header') return;
    const data = this.held.length === 1 ? chunk : Buffer.concat(this.held);
    this.held = [data];
    const at = data.indexOf(HEADER_END);
    if (at === -1) {
      if (data.length > MAX_HEADER_BYTES) this.mode = 'whole';
      return;
    }
    const start = at + HEADER_END.length - 1;
    const header = tryJson(`${data.toString('utf8', 0, start + 1)}]}`);
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      this.mode = 'whole';
      return;
    }
    delete (header as { logEvents?: unknown }).logEvents;
    if (!this.isWholeHeader(header)) {
      this.mode = 'whole';
      return;
    }
    this.header = header;
    this.mode = 'events';
    this.held = [];
    yield* this.cut(data, start);
  }

  /**
   * The next chunk of events: the tail of the last one is joined only to this chunk's head, up to
   * its first cut point, so each zlib chunk (1 MiB) is parsed where it lies instead of being
   * copied onto the tail. A `},{"` that straddles the two is not seen; the next one serves.
   */
  private *events(chunk: Buffer): Generator<unknown[]> {
    const tail = this.tail;
    const gap = chunk.indexOf(GAP, Math.max(0, this.pieceBytes - tail.length));
    if (gap === -1) {
      yield* this.cut(Buffer.concat([tail, chunk]), 0);
      return;
    }
    const comma = gap + 1;
    const head = Buffer.concat([tail, chunk.subarray(0, comma + 1)]);
    head[head.length - 1] = CLOSE;
    const piece = parsePiece(head, 0, head.length, this.scan);
    if (!Array.isArray(piece)) {
      this.rest([tail, chunk]);
      return;
    }
    yield piece;
    yield* this.cut(chunk, comma);
  }

  /**
   * Pieces of about pieceBytes from data[start] on (where a piece opens), each parsed when it is
   * asked for: a piece's text and events then stay small objects that die young, where a 1 MiB
   * string would go to V8's large-object space and wait for a full GC. What is left is the tail.
   */
  private *cut(data: Buffer, start: number): Generator<unknown[]> {
    for (;;) {
      const gap = data.indexOf(GAP, start + this.pieceBytes);
      if (gap === -1) break;
      // The piece is data[start .. comma], the comma turned into `]`; the next one opens at that comma, turned into `[`.
      const comma = gap + 1;
      data[start] = OPEN;
      data[comma] = CLOSE;
      const piece = parsePiece(data, start, comma + 1, this.scan);
      if (!Array.isArray(piece)) {
        data[comma] = 0x2c; // , (back as it was: the rest is parsed whole at the end)
        this.rest([data.subarray(start)]);
        return;
      }
      start = comma;
      yield piece;
    }
    data[start] = OPEN;
    this.tail = data.subarray(start);
  }

  /** A shape the cuts do not fit (an event holding an array of objects): the rest is parsed whole at the end. */
  private rest(held: Buffer[]): void {
    this.mode = 'rest';
    this.held = held;
    this.tail = Buffer.alloc(0);
  }

  /** The last events; throws NotJsonError when the payload, read to its end, is not JSON. */
  end(): unknown[][] {
    const rest = this.mode === 'events' ? this.tail : Buffer.concat(this.held);
    this.held = [];
    this.tail = Buffer.alloc(0);
    if (this.mode === 'header' || this.mode === 'whole') {
      const payload = parseJson(rest.toString('utf8'));
      // Not an object, or logEvents not an array: the caller's check of the header names what is wrong.
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || !Array.isArray((payload as { logEvents?: unknown }).logEvents)) {
        this.header = payload;
        return [];
      }
      const { logEvents, ...header } = payload as { logEvents: unknown[] };
      this.header = header;
      return [logEvents];
    }
    // `[{...},{...}]}`: the array and the payload's closing brace.
    if (this.scan && rest.length > 1 && rest[rest.length - 1] === 0x7d && rest[rest.length - 2] === CLOSE) {
      const events = scanLogEvents(rest, 0, rest.length - 1);
      if (events) return [events];
    }
    // Anything else (members after the array, whitespace): one object again.
    const tail = parseJson(`{"logEvents":${rest.toString('utf8')}`) as { logEvents?: unknown };
    if (!Array.isArray(tail.logEvents)) throw new NotJsonError('the decompressed payload is not JSON');
    return [tail.logEvents];
  }
}
