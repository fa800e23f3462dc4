// AssemblyScript source of the log envelope scanner (shared/intake/envelope-scan.ts loads it;
// `npm run build:wasm` compiles it into shared/intake/envelope-scan.wasm.ts).
//
// One pass over a piece of a CloudWatch Logs payload, `[{"id":"…","timestamp":N,"message":"…"},…]`,
// in the exact shape CloudWatch Logs writes it. For each event it notes where the id and the
// message's JSON string literal lie, the timestamp, and what JavaScript needs to know of the
// message without reading it again: whether it has escapes (then its decoded bytes are written to
// the text area), non-ASCII bytes, \u escapes, or anything that may start a secret the built-in
// redaction rules look for. Anything else (another shape, whitespace, a number that is not a plain
// integer, an invalid escape, a raw control character) returns -1, and the caller parses the piece
// with JSON.parse as before, so the result is always what JSON.parse gives, or its error.
//
// Row of the events table (8 x i32): id start, id end, literal start, literal end (its closing
// quote), literal end without a trailing \n or \r\n escape, text start, text end, flags.

export const ESCAPED: i32 = 1; // the literal has escapes: its decoded bytes are at text start..end
export const NON_ASCII: i32 = 2; // bytes >= 0x80: the caller decodes UTF-8
export const UNICODE_ESCAPE: i32 = 4; // a \u escape: the caller decodes the literal with JSON.parse
export const MAY_HOLD_SECRET: i32 = 8; // a byte pair that may start a built-in redaction trigger
export const ROW_INTS: i32 = 8;

/** Lowest address free for the caller's data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

const MAX_DATE_MS: f64 = 8.64e15;

// The structural runs of an event, read as little-endian words (the caller pads the input, so a
// word read past `end` is safe; the position check comes first).
const ID_OPEN: u64 = 0x223a226469227b; // {"id":"  (7 bytes)
const TIMESTAMP_A: u64 = 0x73656d6974222c22; // ","times
const TIMESTAMP_B: u64 = 0x3a22706d61747365; // estamp":  (from byte 6; 14 bytes in all)
const MESSAGE_A: u64 = 0x67617373656d222c; // ,"messag
const MESSAGE_B: u32 = 0x223a2265; // e":"  (12 bytes in all)
const EVENT_CLOSE: u16 = 0x7d22; // "}

/**
 * Scans [start, end): a JSON array of events. Returns how many events it wrote to `rows` and
 * `times`, or -1. The caller leaves at least 32 readable bytes after `end` (the vector loads read
 * ahead) and room for `end - start` bytes of text at `text`.
 */
export function scan(start: usize, end: usize, rows: usize, times: usize, maxRows: i32, text: usize): i32 {
  let p = start;
  if (p >= end || load<u8>(p) != 0x5b) return -1; // [
  p++;
  if (p < end && load<u8>(p) == 0x5d) return p + 1 == end ? 0 : -1; // []
  let n: i32 = 0;
  let t = text;
  const quote = i8x16.splat(0x22);
  const backslash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  const lower = i8x16.splat(0x20);
  const tilde = i8x16.splat(0x7e);
  while (true) {
    if (n == maxRows) return -1;
    if (p + 7 > end || (load<u64>(p) & 0xffffffffffffff) != ID_OPEN) return -1;
    p += 7;
    const idStart = p;
    // Printable ASCII without a backslash up to its quote, 16 bytes at a time.
    while (true) {
      if (p >= end) return -1;
      const v = v128.load(p);
      const mask = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), v128.or(i8x16.lt_u(v, space), i8x16.gt_u(v, tilde))));
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += <usize>ctz(mask);
      break;
    }
    if (p >= end || load<u8>(p) != 0x22) return -1;
    const idEnd = p;
    if (p + 14 > end || load<u64>(p) != TIMESTAMP_A || load<u64>(p, 6) != TIMESTAMP_B) return -1;
    p += 14;
    // A plain non-negative integer: 0, or no leading zero; at most 16 digits (MAX_DATE_MS has 16).
    let ts: f64 = 0;
    const digits = p;
    while (p < end) {
      const d = <i32>load<u8>(p) - 0x30;
      if (d < 0 || d > 9) break;
      ts = ts * 10 + <f64>d;
      p++;
    }
    const count = p - digits;
    if (count == 0 || count > 16 || (count > 1 && load<u8>(digits) == 0x30) || ts > MAX_DATE_MS) return -1;
    if (p + 12 > end || load<u64>(p) != MESSAGE_A || load<u32>(p, 8) != MESSAGE_B) return -1;
    p += 12;

    // The message literal.
    const litStart = p;
    const textStart = t;
    let flags: i32 = 0;
    let lastEscape: i32 = 0; // the character the last escape stood for
    let lastEscapeEnd: usize = 0;
    let previousEscape: i32 = 0;
    let previousEscapeEnd: usize = 0;
    while (true) {
      if (p + 16 <= end) {
        const v = v128.load(p);
        const special = v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space));
        const mask = i8x16.bitmask(special);
        // Bytes >= 0x80 (their sign bits) before the first special byte: UTF-8, copied like the rest.
        const high = i8x16.bitmask(v);
        if (high != 0 && (mask == 0 || (high & ((1 << ctz(mask)) - 1)) != 0)) flags |= NON_ASCII;
        if ((flags & MAY_HOLD_SECRET) == 0) {
          // Superset of the triggers: ":/" ("://"), "PR" ("PRIVATE KEY"), "A" + capital or digit
          // (AKIA, ASIA, A3T...), "sec" and "bea" in any case (secret, bearer). Bytes past the
          // literal's end only add false alarms, which cost the caller a redaction check.
          const v1 = v128.load(p + 1);
          const v2 = v128.load(p + 2);
          const f = v128.or(v, lower);
          const f1 = v128.or(v1, lower);
          const f2 = v128.or(v2, lower);
          const url = v128.and(i8x16.eq(v, i8x16.splat(0x3a)), i8x16.eq(v1, i8x16.splat(0x2f)));
          const pem = v128.and(i8x16.eq(v, i8x16.splat(0x50)), i8x16.eq(v1, i8x16.splat(0x52)));
          const upperOrDigit = v128.or(i8x16.lt_u(i8x16.sub(v1, i8x16.splat(0x41)), i8x16.splat(26)), i8x16.lt_u(i8x16.sub(v1, i8x16.splat(0x30)), i8x16.splat(10)));
          const aws = v128.and(i8x16.eq(v, i8x16.splat(0x41)), upperOrDigit);
          const e1 = i8x16.eq(f1, i8x16.splat(0x65));
          const secret = v128.and(v128.and(i8x16.eq(f, i8x16.splat(0x73)), e1), i8x16.eq(f2, i8x16.splat(0x63)));
          const bearer = v128.and(v128.and(i8x16.eq(f, i8x16.splat(0x62)), e1), i8x16.eq(f2, i8x16.splat(0x61)));
          let hits = i8x16.bitmask(v128.or(v128.or(url, pem), v128.or(aws, v128.or(secret, bearer))));
          // Only the bytes before the first special byte are surely in the literal here.
          if (mask != 0) hits &= (1 << ctz(mask)) - 1 | (1 << ctz(mask));
          if (hits != 0) flags |= MAY_HOLD_SECRET;
        }
        if (mask == 0) {
          if (flags & ESCAPED) {
            v128.store(t, v);
            t += 16;
          }
          p += 16;
          continue;
        }
        const k = <usize>ctz(mask);
        if (flags & ESCAPED) {
          // The whole vector: the bytes past k are written over by what follows.
          v128.store(t, v);
          t += k;
        }
        p += k;
      } else {
        // The last bytes of the piece, one at a time, with the same trigger test.
        const c = load<u8>(p);
        if (c != 0x22 && c != 0x5c && c >= 0x20) {
          if (c >= 0x80) flags |= NON_ASCII;
          if ((flags & MAY_HOLD_SECRET) == 0 && mayStartSecret(p)) flags |= MAY_HOLD_SECRET;
          if (flags & ESCAPED) store<u8>(t++, c);
          p++;
          if (p >= end) return -1;
          continue;
        }
      }
      // A special byte at p.
      if (p >= end) return -1;
      const c = load<u8>(p);
      if (c == 0x22) break;
      if (c < 0x20) return -1;
      // A backslash.
      if (p + 1 >= end) return -1;
      if ((flags & ESCAPED) == 0) {
        flags |= ESCAPED;
        memory.copy(t, litStart, p - litStart);
        t += p - litStart;
      }
      const e = load<u8>(p + 1);
      let decoded: i32 = 0;
      if (e == 0x22 || e == 0x5c) decoded = e;
      else if (e == 0x2f) {
        decoded = e;
        flags |= MAY_HOLD_SECRET; // "\/" may be part of "://"
      } else if (e == 0x6e) decoded = 10;
      else if (e == 0x74) decoded = 9;
      else if (e == 0x72) decoded = 13;
      else if (e == 0x62) decoded = 8;
      else if (e == 0x66) decoded = 12;
      else if (e == 0x75) {
        if (p + 6 > end) return -1;
        for (let i: usize = 2; i < 6; i++) {
          const h = load<u8>(p + i);
          const letter = h | 0x20; // a-f in either case (not applied to digits: 0x10 | 0x20 is "0")
          if (!((h >= 0x30 && h <= 0x39) || (letter >= 0x61 && letter <= 0x66))) return -1;
        }
        flags |= UNICODE_ESCAPE | MAY_HOLD_SECRET;
        p += 6;
        continue;
      } else return -1;
      store<u8>(t++, <u8>decoded);
      p += 2;
      previousEscape = lastEscape;
      previousEscapeEnd = lastEscapeEnd;
      lastEscape = decoded;
      lastEscapeEnd = p;
    }
    const litEnd = p;
    // The literal without a trailing newline escape (\n, or \r\n), as the multiline joiner strips it.
    let bodyEnd = litEnd;
    if ((flags & UNICODE_ESCAPE) == 0 && lastEscape == 10 && lastEscapeEnd == litEnd) {
      bodyEnd = litEnd - 2;
      if (previousEscape == 13 && previousEscapeEnd == bodyEnd) bodyEnd -= 2;
    }
    if (p + 2 > end || load<u16>(p) != EVENT_CLOSE) return -1;
    p += 2;
    const row = rows + (<usize>n << 5);
    store<i32>(row, <i32>idStart);
    store<i32>(row, <i32>idEnd, 4);
    store<i32>(row, <i32>litStart, 8);
    store<i32>(row, <i32>litEnd, 12);
    store<i32>(row, <i32>bodyEnd, 16);
    store<i32>(row, <i32>textStart, 20);
    store<i32>(row, <i32>t, 24);
    store<i32>(row, flags, 28);
    store<f64>(times + (<usize>n << 3), ts);
    n++;
    if (p >= end) return -1;
    const c = load<u8>(p);
    p++;
    if (c == 0x5d) return p == end ? n : -1; // ]
    if (c != 0x2c) return -1; // ,
  }
  return -1;
}

// @ts-ignore: decorator
@inline function mayStartSecret(p: usize): bool {
  const c = load<u8>(p);
  const c1 = load<u8>(p + 1);
  const c2 = load<u8>(p + 2);
  if (c == 0x3a) return c1 == 0x2f;
  if (c == 0x50) return c1 == 0x52;
  if (c == 0x41) return (c1 >= 0x41 && c1 <= 0x5a) || (c1 >= 0x30 && c1 <= 0x39);
  const f = c | 0x20;
  if ((c1 | 0x20) != 0x65) return false;
  if (f == 0x73) return (c2 | 0x20) == 0x63;
  if (f == 0x62) return (c2 | 0x20) == 0x61;
  return false;
}
