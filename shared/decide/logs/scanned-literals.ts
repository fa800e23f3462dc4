// What the record builder does with the envelope scanner's ScannedLiterals (types.ts): a record
// whose lines are all in the piece being built, and whose text nothing changed, is written from
// the JSON literals CloudWatch Logs sent, which are already escaped; and a record in which the
// scanner saw nothing that may start a secret skips the redaction check. Where a record's lines
// are not all in the live piece, the builder does what it did without the scanner.
import type { LineWriter } from './line-writer.js';
import { ScannedFlag, type ScannedLiterals, ScannedRow } from './types.js';

const R = ScannedRow;

/** Flags that keep a line from being written from its literal: the text is UTF-8 or \u-decoded, which JSON.stringify may escape otherwise. */
export const NOT_COPIED = ScannedFlag.nonAscii | ScannedFlag.unicodeEscape;
/** Flags that keep a line's redaction check. */
export const MAY_NEED_REDACTION = ScannedFlag.mayHoldSecret | NOT_COPIED;

/** The flags of `lines` rows from `first`, or-ed: what any of the record's lines has. */
export function flagsOfLines(literals: ScannedLiterals, first: number, lines: number): number {
  const rows = literals.rows;
  let flags = 0;
  for (let r = literals.rowBase + first * R.ints, end = r + lines * R.ints; r < end; r += R.ints) flags |= rows[r + R.flags]!;
  return flags;
}

/**
 * The record's body as one JSON string: each line's literal without its trailing newline escape,
 * joined by `\n`, as the multiline joiner joins the texts. Bytes are copied, not escaped again.
 */
export function writeLiteralBody(out: LineWriter, literals: ScannedLiterals, first: number, lines: number): void {
  const { rows, bytes } = literals;
  const r = literals.rowBase + first * R.ints;
  // One line with no newline to cut (most records): its literal with both quotes, in one copy.
  if (lines === 1 && rows[r + R.bodyEnd] === rows[r + R.literalEnd]) {
    out.copy(bytes, rows[r + R.literalStart]! - 1, rows[r + R.literalEnd]! + 1);
    return;
  }
  out.byte(34 /* " */);
  for (let i = 0, at = r; i < lines; i += 1, at += R.ints) {
    if (i > 0) {
      out.byte(92 /* \ */);
      out.byte(110 /* n */);
    }
    out.copy(bytes, rows[at + R.literalStart]!, rows[at + R.bodyEnd]!);
  }
  out.byte(34);
}

/** The event's id as a JSON string: the scanner takes only ids of printable ASCII without quote or backslash, which need no escaping. */
export function writeIdLiteral(out: LineWriter, literals: ScannedLiterals, row: number): void {
  const r = literals.rowBase + row * R.ints;
  // With its quotes, which the scanner checked are there.
  out.copy(literals.bytes, literals.rows[r + R.idStart]! - 1, literals.rows[r + R.idEnd]! + 1);
}
