// A piece of a CloudWatch Logs payload's events read by one WebAssembly pass instead of
// JSON.parse (wasm/envelope-scan.ts says what it checks). CloudWatch Logs writes every event as
// {"id":"…","timestamp":N,"message":"…"}; the scanner takes exactly that shape and gives the
// events JSON.parse would give, plus where each message's JSON literal lies and what is in it
// (ScannedLiterals), which the record builder uses to copy literals instead of escaping again and
// to skip redaction checks. Any other shape, or anything JSON.parse would refuse, gives undefined,
// and the caller parses the piece with JSON.parse, so results and errors are what they were.
// Why WebAssembly: the work is a scan of every byte, and a byte loop in JavaScript runs about 3x
// slower than V8's built-ins (README, Throughput); with SIMD it takes 16 bytes a step.
import { SCANNED_LITERALS, ScannedFlag, type ScannedLiterals, ScannedRow } from '../decide/logs/types.js';
import { ENVELOPE_SCAN_WASM } from './envelope-scan.wasm.js';
import type { LogEventLine } from './signals.js';
import { tryJson } from './try-json.js';

interface ScanExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  /** The row layout and flags as the WebAssembly source defines them (checked against ScannedRow and ScannedFlag). */
  ROW_INTS: { value: number };
  ESCAPED: { value: number };
  NON_ASCII: { value: number };
  UNICODE_ESCAPE: { value: number };
  MAY_HOLD_SECRET: { value: number };
  heapBase(): number;
  scan(start: number, end: number, rows: number, times: number, maxRows: number, text: number): number;
}

/** The WebAssembly API this module uses (the project's TypeScript libraries do not declare it: no DOM). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Pieces larger than this are parsed by JSON.parse: WebAssembly memory never shrinks, so it is not grown for an odd huge piece. */
const MAX_SCAN_BYTES = 4 << 20;
/** The scanner's vector loads read up to this far past a piece's end. */
const READ_AHEAD = 32;
/** The smallest event, `{"id":"","timestamp":0,"message":""}` and its comma: an upper bound on events per byte. */
const MIN_EVENT_BYTES = 37;

const { escaped, nonAscii, unicodeEscape } = ScannedFlag;

/** Buffer's own slice methods, which toString(encoding, start, end) calls after checking its arguments (Node 20 and 22 have them). */
interface SliceMethods {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const R = ScannedRow;

/** The buffer with its slice methods; on a Node without them, the same through toString. */
function withSliceMethods(bytes: Buffer & Partial<SliceMethods>): Buffer & SliceMethods {
  if (typeof bytes.latin1Slice === 'function' && typeof bytes.utf8Slice === 'function') return bytes as Buffer & SliceMethods;
  return Object.assign(bytes, {
    latin1Slice: (start: number, end: number) => bytes.toString('latin1', start, end),
    utf8Slice: (start: number, end: number) => bytes.toString('utf8', start, end),
  });
}

class EnvelopeScanner {
  private readonly exports: ScanExports;
  private readonly base: number;
  private bytes!: Buffer & SliceMethods;
  private ints!: Int32Array;
  private floats!: Float64Array;
  private last: ScannedLiterals | undefined;

  constructor() {
    const module = new Module(Buffer.from(ENVELOPE_SCAN_WASM, 'base64'));
    this.exports = new Instance(module, {}).exports as ScanExports;
    const { ROW_INTS, ESCAPED, NON_ASCII, UNICODE_ESCAPE, MAY_HOLD_SECRET } = this.exports;
    const theirs = [ROW_INTS, ESCAPED, NON_ASCII, UNICODE_ESCAPE, MAY_HOLD_SECRET].map((g) => g.value).join();
    const ours = [R.ints, ScannedFlag.escaped, ScannedFlag.nonAscii, ScannedFlag.unicodeEscape, ScannedFlag.mayHoldSecret].join();
    if (theirs !== ours) throw new Error(`envelope scanner: wasm/envelope-scan.ts defines rows and flags as ${theirs}, shared/decide/logs/types.ts as ${ours}`);
    this.base = this.exports.heapBase();
    this.views();
  }

  /** Views of the memory; a grown memory is a new ArrayBuffer (the old one is detached). */
  private views(): void {
    const buffer = this.exports.memory.buffer;
    this.bytes = withSliceMethods(Buffer.from(buffer));
    this.ints = new Int32Array(buffer);
    this.floats = new Float64Array(buffer);
  }

  /** The events of data[start, end) (a JSON array), or undefined when it is not in CloudWatch Logs' own shape. */
  scan(data: Buffer, start: number, end: number): LogEventLine[] | undefined {
    const length = end - start;
    if (length > MAX_SCAN_BYTES) return undefined;
    // Layout: input (+ read-ahead), rows, times, text; 16-byte aligned.
    const maxRows = Math.ceil(length / MIN_EVENT_BYTES) + 1;
    const input = this.base;
    const rows = align(input + length + READ_AHEAD);
    const times = align(rows + maxRows * R.ints * 4);
    const text = align(times + maxRows * 8);
    const needed = text + length + READ_AHEAD;
    // The previous piece's literals are about to be written over (and, if the memory grows, moved).
    if (this.last) this.last.live = false;
    this.last = undefined;
    const memory = this.exports.memory;
    if (needed > memory.buffer.byteLength) {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      this.views();
    }
    const bytes = this.bytes;
    data.copy(bytes, input, start, end);
    bytes.fill(0, input + length, input + length + READ_AHEAD);
    const count = this.exports.scan(input, input + length, rows, times, maxRows, text);
    if (count < 0) return undefined;
    const ints = this.ints;
    const floats = this.floats;
    const events = new Array<LogEventLine>(count);
    const rowBase = rows >> 2;
    const timeBase = times >> 3;
    for (let i = 0, r = rowBase; i < count; i += 1, r += R.ints) {
      const flags = ints[r + R.flags]!;
      let message: string;
      if ((flags & (escaped | nonAscii | unicodeEscape)) === 0) message = bytes.latin1Slice(ints[r + R.literalStart]!, ints[r + R.literalEnd]!);
      else if ((flags & (nonAscii | unicodeEscape)) === 0) message = bytes.latin1Slice(ints[r + R.textStart]!, ints[r + R.textEnd]!);
      // UTF-8, or \u escapes (a lone surrogate is only JSON.parse's to decide): the literal, decoded as JSON.parse would.
      else {
        // The scanner checked the literal, so JSON.parse is not expected to refuse it; if it did, JSON.parse reads the piece.
        const decoded = tryJson(bytes.utf8Slice(ints[r + R.literalStart]! - 1, ints[r + R.literalEnd]! + 1));
        if (typeof decoded !== 'string') return undefined;
        message = decoded;
      }
      events[i] = { id: bytes.latin1Slice(ints[r + R.idStart]!, ints[r + R.idEnd]!), timestamp: floats[timeBase + i]!, message };
    }
    const literals: ScannedLiterals = { bytes, rows: ints, rowBase, live: true };
    Object.defineProperty(events, SCANNED_LITERALS, { value: literals });
    this.last = literals;
    return events;
  }
}

const align = (n: number) => (n + 15) & ~15;

let scanner: EnvelopeScanner | undefined;

/**
 * The events of data[start, end), a JSON array of log events, as JSON.parse would give them, with
 * their ScannedLiterals attached; undefined when the scanner does not take the piece (the caller
 * then parses it with JSON.parse). The literals of a piece stay valid until the next call.
 */
export function scanLogEvents(data: Buffer, start: number, end: number): LogEventLine[] | undefined {
  scanner ??= new EnvelopeScanner();
  return scanner.scan(data, start, end);
}
