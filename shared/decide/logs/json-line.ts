// A JSON log line's fields become attributes; its message field becomes the body and its level
// field the severity. A line is taken for JSON only if it starts with "{" and ends with "}" (after
// trailing blanks): most plain lines are rejected by two character reads.
//
// A JSON line is read by one scan of its text (scanObject) instead of JSON.parse: the scan checks
// the grammar as JSON.parse would (it accepts exactly what JSON.parse accepts as an object) and
// notes where each top-level member's key and value lie, so the body's literal and the other
// members are cut from the line as they are, and the level is read from its one value, with no
// object built for the fields, no string per key, no re-serialisation. It took the JSON lines of
// the bench batch from 1.8 to 0.8 µs a line (its 975 JSON lines, timed alone). The rare line the
// scan does not settle (a raw line break between tokens, which NDJSON cannot carry; an escaped
// key; a body or level key twice; a key named like an enrichment attribute) goes through
// JSON.parse as before (parseWithJsonParse).
import { JSON_LEVEL_KEYS, type Severity, severityOfFields, severityOfValue } from './level.js';

export interface ParsedJsonLine {
  /** The body as text: the message field's value, or the whole line when it has none. */
  readonly body: string;
  /** The body as a JSON string literal, when the line has a message field. */
  bodyJson?: string;
  /** The field the body came from, left out of fieldsJson. */
  bodyKey?: string;
  /** The fields as JSON members without braces ("a":1,"b":2), the body's member left out. */
  fieldsJson: string;
  /** From the level fields (level, severity, lvl, ...), when one names a level. */
  severity: Severity | undefined;
}

const BODY_KEYS = ['message', 'msg', 'log', '@message'];

export function mayBeJsonObject(line: string): boolean {
  if (line.charCodeAt(0) !== 123) return false;
  let end = line.length - 1;
  while (end > 0 && line.charCodeAt(end) <= 32) end -= 1;
  return line.charCodeAt(end) === 125;
}

/**
 * The line's fields, body and level, or undefined when it is not a JSON object. `reserved`: keys
 * the record's own attributes use; a field so named is left out (the source's attribute wins).
 */
export function parseJsonLine(line: string, reserved: ReadonlySet<string> = NO_KEYS): ParsedJsonLine | undefined {
  if (!mayBeJsonObject(line)) return undefined;
  const members = scanObject(line, reserved);
  if (members === NOT_JSON) return undefined;
  if (members === UNSETTLED) return parseWithJsonParse(line, reserved);
  return fromScan(line, members, reserved);
}

const NO_KEYS: ReadonlySet<string> = new Set();

// ---- The scan ---------------------------------------------------------------------------------
// Top-level members go into these arrays (reused by every line; a line with more members grows
// them): key start (its opening quote), key end (after its closing quote), value start, value end.
let keyStart = new Int32Array(64);
let keyEnd = new Int32Array(64);
let valueStart = new Int32Array(64);
let valueEnd = new Int32Array(64);
/** Set by scanString: the string had an escape. */
let escaped = false;
/** Set by memberValueAt: the index after the member's key. */
let keyEndAt = 0;
/** Set by skipSpace: a line break between tokens. */
let lineBreak = false;

const NOT_JSON = -1;
const UNSETTLED = -2;

function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) i += 1;
    else if (c === 10 || c === 13) {
      lineBreak = true;
      i += 1;
    } else return i;
  }
}

// A string literal, as the regex engine scans it (its character-class loops run far faster than
// a loop of charCodeAt): without escapes (nearly every string of a log line), or with them.
const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;
const ESCAPED_STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;

/** The index after the string literal opening at i (a quote), or -1. */
function scanString(s: string, i: number): number {
  PLAIN_STRING.lastIndex = i;
  if (PLAIN_STRING.test(s)) {
    escaped = false;
    return PLAIN_STRING.lastIndex;
  }
  ESCAPED_STRING.lastIndex = i;
  if (!ESCAPED_STRING.test(s)) return -1;
  escaped = true;
  return ESCAPED_STRING.lastIndex;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The index after the number at i, or -1: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function scanNumber(s: string, i: number): number {
  if (s.charCodeAt(i) === 45) i += 1;
  let c = s.charCodeAt(i);
  if (c === 48) i += 1;
  else if (c >= 49 && c <= 57) {
    i += 1;
    while (isDigit(s.charCodeAt(i))) i += 1;
  } else return -1;
  if (s.charCodeAt(i) === 46) {
    i += 1;
    if (!isDigit(s.charCodeAt(i))) return -1;
    while (isDigit(s.charCodeAt(i))) i += 1;
  }
  c = s.charCodeAt(i);
  if (c === 101 || c === 69) {
    i += 1;
    c = s.charCodeAt(i);
    if (c === 43 || c === 45) i += 1;
    if (!isDigit(s.charCodeAt(i))) return -1;
    while (isDigit(s.charCodeAt(i))) i += 1;
  }
  return i;
}

/** Containers open around the value being skipped: 1 object, 2 array (grown for deep values). */
let open = new Uint8Array(64);

/** The index after the JSON value at i (no space before it), or -1. Iterative: any depth. */
function skipValue(s: string, i: number): number {
  let depth = 0;
  for (;;) {
    // One value at i.
    const c = s.charCodeAt(i);
    if (c === 34) i = scanString(s, i);
    else if (c === 45 || isDigit(c)) i = scanNumber(s, i);
    else if (c === 123 || c === 91) {
      const inner = skipSpace(s, i + 1);
      if (s.charCodeAt(inner) === (c === 123 ? 125 : 93)) i = inner + 1;
      else {
        if (depth === open.length) {
          const grown = new Uint8Array(depth * 2);
          grown.set(open);
          open = grown;
        }
        open[depth] = c === 123 ? 1 : 2;
        depth += 1;
        i = c === 123 ? memberValueAt(s, inner) : inner;
        if (i < 0) return -1;
        continue;
      }
    } else if (c === 116 && s.startsWith('true', i)) i += 4;
    else if (c === 102 && s.startsWith('false', i)) i += 5;
    else if (c === 110 && s.startsWith('null', i)) i += 4;
    else return -1;
    if (i < 0) return -1;
    // The value is complete: the next member or element, or the end of its containers.
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(s, i);
      const next = s.charCodeAt(i);
      const inObject = open[depth - 1] === 1;
      if (next === 44) {
        i = skipSpace(s, i + 1);
        if (inObject) i = memberValueAt(s, i);
        if (i < 0) return -1;
        break;
      }
      if (next !== (inObject ? 125 : 93)) return -1;
      depth -= 1;
      i += 1;
    }
  }
}

/** At a member's key (i): the index of its value, after the colon and spaces, or -1 (keyEndAt and escaped tell of the key). */
function memberValueAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  i = scanString(s, i);
  if (i < 0) return -1;
  keyEndAt = i;
  i = skipSpace(s, i);
  return s.charCodeAt(i) === 58 ? skipSpace(s, i + 1) : -1;
}

/** How many top-level members the object text has (positions in the arrays above); NOT_JSON, or UNSETTLED. */
function scanObject(s: string, reserved: ReadonlySet<string>): number {
  lineBreak = false;
  let i = skipSpace(s, 1);
  let n = 0;
  let unsettled = false;
  if (s.charCodeAt(i) === 125) i += 1;
  else {
    for (;;) {
      if (n === keyStart.length) growMembers();
      const start = i;
      let end: number;
      let c: number;
      let keyEscaped = false;
      // Most members are compact and flat ("key":"text" or "key":12): one regex test reads one,
      // its separator included. Any other is read a token at a time.
      COMPACT_MEMBER.lastIndex = i;
      if (COMPACT_MEMBER.test(s)) {
        end = s.indexOf('"', i + 1) + 1;
        i = COMPACT_MEMBER.lastIndex;
        valueStart[n] = end + 1;
        valueEnd[n] = i - 1;
        c = s.charCodeAt(i - 1);
      } else {
        i = memberValueAt(s, i);
        if (i < 0) return NOT_JSON;
        keyEscaped = escaped;
        end = keyEndAt;
        valueStart[n] = i;
        i = skipValue(s, i);
        if (i < 0) return NOT_JSON;
        valueEnd[n] = i;
        i = skipSpace(s, i);
        c = s.charCodeAt(i);
        i += 1;
      }
      // An escaped key could spell any key: JSON.parse decides. The attributes' keys are dotted.
      if (keyEscaped || (reserved.size > 0 && hasDot(s, start, end) && reserved.has(s.slice(start + 1, end - 1)))) unsettled = true;
      keyStart[n] = start;
      keyEnd[n] = end;
      n += 1;
      if (c === 44) {
        i = skipSpace(s, i);
        continue;
      }
      if (c !== 125) return NOT_JSON;
      break;
    }
  }
  if (skipSpace(s, i) !== s.length) return NOT_JSON;
  return unsettled || lineBreak ? UNSETTLED : n;
}

/** A key whose text has no escape, a value that is a plain string, a number or a literal, and the comma or brace after it, with no space anywhere. */
const COMPACT_MEMBER = /"[^"\\\u0000-\u001f]*":(?:"[^"\\\u0000-\u001f]*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)[,}]/y;

function hasDot(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (s.charCodeAt(i) === 46) return true;
  return false;
}

function growMembers(): void {
  const grow = (a: Int32Array) => {
    const b = new Int32Array(a.length * 2);
    b.set(a);
    return b;
  };
  keyStart = grow(keyStart);
  keyEnd = grow(keyEnd);
  valueStart = grow(valueStart);
  valueEnd = grow(valueEnd);
}

// ---- From the scan to the record's parts ------------------------------------------------------

// The keys that name the body and the level, in the order they are looked for (as JSON.parse's
// fields would be read: the first body key whose value is a string, the first level key whose
// value names a level). Each has an id: its place in KEYS.
const KEYS = [...BODY_KEYS, ...JSON_LEVEL_KEYS];
const BODY_IDS = BODY_KEYS.map((_, i) => i);
const LEVEL_IDS = JSON_LEVEL_KEYS.map((_, i) => BODY_KEYS.length + i);
/** Key ids by key length, to compare a member's key with the few of its length only. */
const KEYS_BY_LENGTH: number[][] = [];
KEYS.forEach((key, id) => (KEYS_BY_LENGTH[key.length] ??= []).push(id));
/** The member of each key id in the line being read (-1: none). */
const memberOfKey = new Int32Array(KEYS.length);

/** Finds the members of the body and level keys; false when one of them is there twice (JSON.parse keeps the last: it decides). */
function findKeys(s: string, n: number): boolean {
  memberOfKey.fill(-1);
  for (let m = 0; m < n; m += 1) {
    const ids = KEYS_BY_LENGTH[keyEnd[m]! - keyStart[m]! - 2];
    if (ids === undefined) continue;
    for (const id of ids) {
      if (!s.startsWith(KEYS[id]!, keyStart[m]! + 1)) continue;
      if (memberOfKey[id] !== -1) return false;
      memberOfKey[id] = m;
    }
  }
  return true;
}

function fromScan(s: string, n: number, reserved: ReadonlySet<string>): ParsedJsonLine | undefined {
  if (!findKeys(s, n)) return parseWithJsonParse(s, reserved);
  let body = -1;
  let bodyKey: string | undefined;
  for (const id of BODY_IDS) {
    const m = memberOfKey[id]!;
    if (m >= 0 && s.charCodeAt(valueStart[m]!) === 34) {
      body = m;
      bodyKey = KEYS[id];
      break;
    }
  }
  let severity: Severity | undefined;
  for (const id of LEVEL_IDS) {
    const m = memberOfKey[id]!;
    if (m === -1) continue;
    severity = severityOfValue(valueOf(s, m));
    if (severity) break;
  }
  const first = n > 0 ? keyStart[0]! : 0;
  const last = n > 0 ? valueEnd[n - 1]! : 0;
  if (body === -1) return { body: s, fieldsJson: s.slice(first, last), severity };
  // The members before the body's and after it, as they are in the line.
  let fieldsJson: string;
  if (n === 1) fieldsJson = '';
  else if (body === 0) fieldsJson = s.slice(keyStart[1]!, last);
  else if (body === n - 1) fieldsJson = s.slice(first, valueEnd[n - 2]!);
  else fieldsJson = s.slice(first, keyStart[body]!) + s.slice(keyStart[body + 1]!, last);
  return new ScannedLine(s.slice(valueStart[body]!, valueEnd[body]!), bodyKey!, fieldsJson, severity);
}

/** A member's value as JSON.parse gives it, for the level: strings and numbers without a parse when plain. */
function valueOf(s: string, m: number): unknown {
  const start = valueStart[m]!;
  const end = valueEnd[m]!;
  const c = s.charCodeAt(start);
  if (c === 34) {
    const text = s.slice(start + 1, end - 1);
    return text.includes('\\') ? JSON.parse(s.slice(start, end)) : text;
  }
  if (c === 45 || isDigit(c)) return Number(s.slice(start, end));
  return c === 116 || c === 102 || c === 110 ? undefined : JSON.parse(s.slice(start, end)); // booleans, null, objects and arrays name no level
}

/** A scanned line with a message field: its text is decoded only if asked for (the level from the text, when no level field named one). */
class ScannedLine implements ParsedJsonLine {
  constructor(
    readonly bodyJson: string,
    readonly bodyKey: string,
    readonly fieldsJson: string,
    readonly severity: Severity | undefined,
  ) {}

  get body(): string {
    return JSON.parse(this.bodyJson) as string;
  }
}

// ---- The lines the scan leaves to JSON.parse ---------------------------------------------------

/** JSON.parse, then the fields re-serialised (one line, each key once, the attributes' keys left out). */
export function parseWithJsonParse(line: string, reserved: ReadonlySet<string> = NO_KEYS): ParsedJsonLine | undefined {
  const fields = jsonObject(line);
  if (fields === undefined) return undefined;
  const severity = severityOfFields(fields);
  const bodyKey = BODY_KEYS.find((key) => typeof fields[key] === 'string');
  let fieldsJson: string;
  try {
    fieldsJson = membersWithout(fields, reserved, bodyKey);
  } catch {
    return undefined; // nested too deep for JSON.stringify (JSON.parse has no such limit): shipped as a plain line
  }
  if (bodyKey === undefined) return { body: line, fieldsJson, severity };
  const body = fields[bodyKey] as string;
  return { body, bodyJson: JSON.stringify(body), bodyKey, fieldsJson, severity };
}

/** JSON.parse's object, or undefined when the text is not a JSON object. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The fields as JSON members, without the reserved keys and the body's. */
function membersWithout(fields: Record<string, unknown>, reserved: ReadonlySet<string>, bodyKey?: string): string {
  return JSON.stringify(Object.fromEntries(Object.entries(fields).filter(([k]) => k !== bodyKey && !reserved.has(k)))).slice(1, -1);
}
