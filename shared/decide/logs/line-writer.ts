// Record lines are written straight into one large buffer per slice, each byte once, instead of
// living as JavaScript strings. Strings built with `+` and then encoded cost two or three copies
// of every byte (the rope's flattening, Array#join, the UTF-8 encoding) and a piece of garbage
// per record; here the parts every record shares (the batch's attributes, the JSON punctuation,
// the severity, the timestamp's second) are pre-encoded bytes copied with TypedArray#set, and
// only the text of the line itself (body, fields) goes through the UTF-8 encoder.
// The lines of a slice sit one after another in its buffer, so a run of them is one view
// (lineRun), and the buffer lives outside the JS heap. A record holds its line's place in the
// buffer; the view (a Buffer object) is made only when a destination asks for that one line.
import { base64Into } from './base64-into.js';
import type { RecordSource, ShipRecord } from './types.js';

// Anchored and negated: V8 runs a greedy loop over one character class faster than it searches
// for the first character of a class at each position.
const NEEDS_NO_ESCAPING = /^[^"\\\u0000-\u001f\u007f-\uffff]*$/;

/** A buffer of record lines, and how many times it has been reused: a record written before the last reuse refuses to be read. */
export class Slab {
  generation = 0;
  constructor(readonly bytes: Buffer) {}
}

/**
 * Where a caller keeps a slab between batches, so that a warm Lambda container writes into memory
 * it has already touched: a fresh multi-MB buffer costs a page fault per 4 KiB on first write,
 * which is more than writing the lines themselves (npm run bench -- --only shipper). Only for a
 * caller that is done with a slice's records when it asks for the next slice (see buildRecordSlices).
 */
export class SlabStore {
  slab: Slab | undefined;
}

export class LineWriter {
  private slab: Slab;
  private offset = 0;
  private lineStart = 0;

  /** With a store, the slab is taken from it, reused for every slice, and given back by release(). */
  constructor(
    private readonly slabBytes: number,
    private readonly store?: SlabStore,
  ) {
    const kept = store?.slab;
    if (store) store.slab = undefined;
    this.slab = kept ?? new Slab(Buffer.allocUnsafe(slabBytes));
  }

  /** Bytes written to the current slab. */
  get written(): number {
    return this.offset;
  }

  /** Whether `worst` more bytes fit in the current slab. */
  fits(worst: number): boolean {
    return this.offset + worst <= this.slab.bytes.length;
  }

  /**
   * Starts writing the next slice. With a store, the records of the previous slice are done with,
   * and the slab is written over (their lines refuse to be read from now on); without one, a new
   * slab is made, and the previous lines live as long as their records.
   */
  nextSlice(atLeast: number): void {
    if (this.store && this.slab.bytes.length >= atLeast) this.slab.generation += 1;
    else this.slab = new Slab(Buffer.allocUnsafe(Math.max(this.slabBytes, atLeast)));
    this.offset = 0;
    this.lineStart = 0;
  }

  /** The writer is done and so is its last slice: the slab goes back to the store (a slab grown for one huge record is dropped). */
  release(): void {
    if (!this.store) return;
    this.slab.generation += 1;
    if (this.slab.bytes.length <= this.slabBytes) this.store.slab = this.slab;
  }

  bytes(bytes: Uint8Array): void {
    this.slab.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** bytes[start, end) as they are. */
  copy(from: Buffer, start: number, end: number): void {
    this.offset += from.copy(this.slab.bytes, this.offset, start, end);
  }

  /** UTF-8 text; the caller made room for 3 bytes per UTF-16 unit (fits()). */
  text(text: string): void {
    this.offset += this.slab.bytes.write(text, this.offset, 'utf8');
  }

  /**
   * A string as a JSON string literal. Printable ASCII without a quote or backslash (nearly every
   * log line) is written as is after one regex scan; anything else, lone surrogates included,
   * goes through JSON.stringify.
   */
  jsonString(text: string): void {
    if (!NEEDS_NO_ESCAPING.test(text)) {
      this.text(JSON.stringify(text));
      return;
    }
    const slab = this.slab.bytes;
    slab[this.offset] = 34;
    const end = this.offset + 1 + slab.write(text, this.offset + 1, 'utf8');
    slab[end] = 34;
    this.offset = end + 1;
  }

  /** One byte (ASCII punctuation). */
  byte(c: number): void {
    this.slab.bytes[this.offset] = c;
    this.offset += 1;
  }

  /** Three decimal digits (0-999). */
  millis(ms: number): void {
    const slab = this.slab.bytes;
    const at = this.offset;
    slab[at] = 48 + ((ms / 100) | 0);
    slab[at + 1] = 48 + (((ms / 10) | 0) % 10);
    slab[at + 2] = 48 + (ms % 10);
    this.offset = at + 3;
  }

  // The lines of the current slice, as numbers: where each ends, where its uid literal begins, its
  // time. Record objects are made only when the slice is taken (takeRecords), just before it is
  // delivered: made as each line was written, they lived through the young-generation collections
  // of the whole slice's writing, two objects each (a record's time is a boxed number), and
  // copying them was most of what those collections cost (npm run bench).
  private lineEnds = new Int32Array(1024);
  private uidAts = new Int32Array(1024);
  private times = new Float64Array(1024);
  private lineCount = 0;

  /** Lines written to the current slice and not taken yet. */
  get lines(): number {
    return this.lineCount;
  }

  /** Ends the line with a newline. uidAt: where the uid's JSON string literal begins in it (the record reads its uid back from there). */
  endLine(uidAt: number, timeMs: number): void {
    this.slab.bytes[this.offset] = 10;
    this.offset += 1;
    const n = this.lineCount;
    if (n === this.lineEnds.length) this.growColumns();
    this.lineEnds[n] = this.offset;
    this.uidAts[n] = uidAt;
    this.times[n] = timeMs;
    this.lineCount = n + 1;
  }

  private growColumns(): void {
    const lineEnds = new Int32Array(this.lineEnds.length * 2);
    const uidAts = new Int32Array(this.uidAts.length * 2);
    const times = new Float64Array(this.times.length * 2);
    lineEnds.set(this.lineEnds);
    uidAts.set(this.uidAts);
    times.set(this.times);
    this.lineEnds = lineEnds;
    this.uidAts = uidAts;
    this.times = times;
  }

  /** The records of the lines written since the last take, in order; before nextSlice(), whose reuse of the slab they would not see. */
  takeRecords(batch: RecordBatch): SlabRecord[] {
    const records = new Array<SlabRecord>(this.lineCount);
    let start = this.lineStart;
    for (let i = 0; i < this.lineCount; i += 1) {
      const end = this.lineEnds[i]!;
      records[i] = new SlabRecord(batch, this.slab, this.slab.generation, start, end, this.uidAts[i]!, this.times[i]!);
      start = end;
    }
    this.lineStart = start;
    this.lineCount = 0;
    return records;
  }
}

/** What the records of one batch share: one object, not two fields on each record. */
export interface RecordBatch {
  readonly service: string;
  readonly source: RecordSource;
}

/**
 * A record whose line is in a slab. It holds no string of its own: the records of a slice live
 * until the slice is delivered, through several young-generation collections, and every byte a
 * record keeps is copied at each of them and then promoted (what grew the heap of a large batch:
 * npm run bench, peak memory). Its uid is read back from its line, where it was written as a JSON
 * string (only some destinations ask for it: _bulk ids, twice a record with the size count, and
 * the first record's object key).
 */
export class SlabRecord implements ShipRecord {
  constructor(
    private readonly batch: RecordBatch,
    private readonly slab: Slab,
    private readonly generation: number,
    private readonly start: number,
    private readonly end: number,
    private readonly uidAt: number,
    readonly timeMs: number,
  ) {}

  get uid(): string {
    const bytes = this.slabBytes();
    const close = this.uidClose(bytes);
    return close.plain ? bytes.toString('latin1', this.uidAt + 1, close.at) : (JSON.parse(bytes.toString('utf8', this.uidAt, close.at + 1)) as string);
  }

  /** Where the uid's JSON literal lies in the slab, quotes included: [start, end). */
  uidLiteral(): [number, number] {
    return [this.uidAt, this.uidClose(this.slabBytes()).at + 1];
  }

  /**
   * The closing quote of the uid literal: the first quote not escaped (JSON.stringify escapes a
   * quote as \" and a backslash as \\), and whether the literal is printable ASCII with no
   * escape (a CloudWatch Logs id: digits), which is its text as it is.
   */
  private uidClose(bytes: Buffer): { at: number; plain: boolean } {
    let close = this.uidAt + 1;
    let plain = true;
    for (let c = bytes[close]!; c !== 34; c = bytes[close]!) {
      if (c === 92) {
        plain = false;
        close += 2;
      } else {
        if (c > 126) plain = false;
        close += 1;
      }
    }
    return { at: close, plain };
  }

  get service(): string {
    return this.batch.service;
  }

  get source(): RecordSource {
    return this.batch.source;
  }

  get bytes(): number {
    return this.end - this.start;
  }

  get line(): Buffer {
    return this.slabBytes().subarray(this.start, this.end);
  }

  /** The record with a copy of its line, for a caller that keeps it past its slice (a failed record waiting for the backup). */
  detached(): ShipRecord {
    return { uid: this.uid, timeMs: this.timeMs, service: this.service, source: this.source, bytes: this.bytes, line: Buffer.from(this.line) };
  }

  /** The slab, if this record's line is still in it. */
  slabBytes(): Buffer {
    if (this.slab.generation !== this.generation) throw new Error(`log record at ${new Date(this.timeMs).toISOString()} of ${this.service}: its slice's buffer was reused; a record kept past its slice must be detached first`);
    return this.slab.bytes;
  }

  /** The end of this record's line when it directly follows `previous` in the same slab, else -1. */
  following(previous: SlabRecord): number {
    return previous.slab === this.slab && previous.end === this.start ? this.end : -1;
  }

  get startOffset(): number {
    return this.start;
  }
}

/** Writes the record's line in base64 (a Firehose record's Data) into `target` at `at`, from its slab: no string and no view of the line; the offset after it. */
export function writeLineBase64(record: ShipRecord, target: Buffer, at: number): number {
  if (!(record instanceof SlabRecord)) return base64Into(record.line, 0, record.line.length, target, at);
  return base64Into(record.slabBytes(), record.startOffset, record.startOffset + record.bytes, target, at);
}

/**
 * Where the record's uid lies as a JSON string: in its slab, the literal its line holds (what
 * JSON.stringify(uid) gives: the builder wrote it so), with no string made for it; otherwise
 * JSON.stringify's bytes. Read once, it serves both a body's size and its writing.
 */
export function uidJsonRange(record: ShipRecord): { bytes: Buffer; start: number; end: number } {
  if (!(record instanceof SlabRecord)) {
    const bytes = Buffer.from(JSON.stringify(record.uid), 'utf8');
    return { bytes, start: 0, end: bytes.length };
  }
  const [start, end] = record.uidLiteral();
  return { bytes: record.slabBytes(), start, end };
}

/** Copies the record's line into `target` at `at`; the bytes copied. A record in a slab copies from it, with no view of the line made. */
export function copyLine(record: ShipRecord, target: Buffer, at: number): number {
  if (!(record instanceof SlabRecord)) return record.line.copy(target, at);
  return record.slabBytes().copy(target, at, record.startOffset, record.startOffset + record.bytes);
}

/** A record whose line outlives its slice. */
export const detachRecord = (record: ShipRecord): ShipRecord => (record instanceof SlabRecord ? record.detached() : record);

/** The lines of records written one after another into one slab, as one view (no copy); undefined otherwise. */
export function lineRun(records: readonly ShipRecord[]): Buffer | undefined {
  const first = records[0];
  if (!(first instanceof SlabRecord)) return undefined;
  let previous = first;
  let end = first.bytes + first.startOffset;
  for (let i = 1; i < records.length; i += 1) {
    const record = records[i];
    if (!(record instanceof SlabRecord)) return undefined;
    end = record.following(previous);
    if (end === -1) return undefined;
    previous = record;
  }
  return first.slabBytes().subarray(first.startOffset, end);
}
