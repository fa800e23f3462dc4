// Record lines are written straight into one large buffer per slice, each byte once, instead of
// living as JavaScript strings. Strings built with `+` and then encoded cost two or three copies
// of every byte (the rope's flattening, Array#join, the UTF-8 encoding) and a piece of garbage
// per record; here the parts every record shares (the batch's attributes, the JSON punctuation,
// the severity, the timestamp's second) are pre-encoded bytes copied with TypedArray#set, and
// only the text of the line itself (body, fields) goes through the UTF-8 encoder.
// The lines of a slice sit one after another in its buffer, so a run of them is one view
// (lineRun), and the buffer lives outside the JS heap. A record holds its line's place in the
// buffer; the view (a Buffer object) is made only when a destination asks for that one line.
import type { RecordSource, ShipRecord } from './types.js';

const NEEDS_ESCAPING = /["\\\u0000-\u001f\u007f-\uffff]/;

export class LineWriter {
  private slab: Buffer;
  private offset = 0;
  private lineStart = 0;

  constructor(private readonly slabBytes: number) {
    this.slab = Buffer.allocUnsafe(slabBytes);
  }

  /** Bytes written to the current slab. */
  get written(): number {
    return this.offset;
  }

  /** Whether `worst` more bytes fit in the current slab. */
  fits(worst: number): boolean {
    return this.offset + worst <= this.slab.length;
  }

  /** Starts a new slab (the lines already returned keep the old one alive as long as they live). */
  renew(atLeast: number): void {
    this.slab = Buffer.allocUnsafe(Math.max(this.slabBytes, atLeast));
    this.offset = 0;
    this.lineStart = 0;
  }

  bytes(bytes: Uint8Array): void {
    this.slab.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** UTF-8 text; the caller made room for 3 bytes per UTF-16 unit (fits()). */
  text(text: string): void {
    this.offset += this.slab.write(text, this.offset, 'utf8');
  }

  /**
   * A string as a JSON string literal. Printable ASCII without a quote or backslash (nearly every
   * log line) is written as is after one regex scan; anything else, lone surrogates included,
   * goes through JSON.stringify.
   */
  jsonString(text: string): void {
    if (NEEDS_ESCAPING.test(text)) {
      this.text(JSON.stringify(text));
      return;
    }
    const slab = this.slab;
    slab[this.offset] = 34;
    const end = this.offset + 1 + slab.write(text, this.offset + 1, 'utf8');
    slab[end] = 34;
    this.offset = end + 1;
  }

  /** One byte (ASCII punctuation). */
  byte(c: number): void {
    this.slab[this.offset] = c;
    this.offset += 1;
  }

  /** Three decimal digits (0-999). */
  millis(ms: number): void {
    const slab = this.slab;
    const at = this.offset;
    slab[at] = 48 + ((ms / 100) | 0);
    slab[at + 1] = 48 + (((ms / 10) | 0) % 10);
    slab[at + 2] = 48 + (ms % 10);
    this.offset = at + 3;
  }

  /** Ends the line with a newline; returns the record whose line it is. */
  endLine(uid: string, timeMs: number, service: string, source: RecordSource): SlabRecord {
    this.slab[this.offset] = 10;
    this.offset += 1;
    const record = new SlabRecord(uid, timeMs, service, source, this.slab, this.lineStart, this.offset);
    this.lineStart = this.offset;
    return record;
  }
}

export class SlabRecord implements ShipRecord {
  constructor(
    readonly uid: string,
    readonly timeMs: number,
    readonly service: string,
    readonly source: RecordSource,
    readonly slab: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get bytes(): number {
    return this.end - this.start;
  }

  get line(): Buffer {
    return this.slab.subarray(this.start, this.end);
  }
}

/** The lines of records written one after another into one slab, as one view (no copy); undefined otherwise. */
export function lineRun(records: readonly ShipRecord[]): Buffer | undefined {
  const first = records[0];
  if (!(first instanceof SlabRecord)) return undefined;
  let end = first.end;
  for (let i = 1; i < records.length; i += 1) {
    const record = records[i];
    if (!(record instanceof SlabRecord) || record.slab !== first.slab || record.start !== end) return undefined;
    end = record.end;
  }
  return first.slab.subarray(first.start, end);
}
