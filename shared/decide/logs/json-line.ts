// A JSON log line's fields become attributes; its message field becomes the body. JSON.parse is
// tried only on a line that starts with "{" and ends with "}" (after trailing blanks): most plain
// lines are rejected by two character reads, not by a thrown SyntaxError.

export interface ParsedJsonLine {
  body: string;
  /** The body as a JSON string literal, when it was computed on the way. */
  bodyJson?: string;
  /** Every field of the line, the body's own included (no copy without it: that costs a whole object per line). */
  fields: Record<string, unknown>;
  /** The field the body came from, left out of fieldsJson. */
  bodyKey?: string;
  /** The fields as JSON members without braces ("a":1,"b":2), cut from the line itself when that is safe. */
  fieldsJson: string;
}

const BODY_KEYS = ['message', 'msg', 'log', '@message'];
/** `"msg":` and the others, as they open the body's member in the line. */
const BODY_MEMBERS = new Map(BODY_KEYS.map((key) => [key, `${JSON.stringify(key)}:`]));

export function mayBeJsonObject(line: string): boolean {
  if (line.charCodeAt(0) !== 123) return false;
  let end = line.length - 1;
  while (end > 0 && line.charCodeAt(end) <= 32) end -= 1;
  return line.charCodeAt(end) === 125;
}

export function parseJsonLine(line: string): ParsedJsonLine | undefined {
  if (!mayBeJsonObject(line)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  // A line with a raw line break between tokens would break NDJSON: re-serialise it.
  const compact = line.indexOf('\n') === -1 && line.indexOf('\r') === -1;
  const inner = line.slice(1, line.lastIndexOf('}'));
  for (const key of BODY_KEYS) {
    const body = fields[key];
    if (typeof body !== 'string') continue;
    const bodyJson = JSON.stringify(body);
    const fieldsJson = (compact ? withoutMember(inner, BODY_MEMBERS.get(key)! + bodyJson) : undefined) ?? membersWithout(fields, [key]);
    return { body, bodyJson, fields, bodyKey: key, fieldsJson };
  }
  return { body: line, fields, fieldsJson: compact ? inner.trim() : JSON.stringify(fields).slice(1, -1) };
}

/** The fields as JSON members, without the named ones. */
export function membersWithout(fields: Record<string, unknown>, keys: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(Object.entries(fields).filter(([k]) => !keys.includes(k)))).slice(1, -1);
}

/**
 * The members with `"key":"value"` cut out, or undefined when it is not there exactly so (spaces,
 * other escaping). Unescaped quotes cannot occur inside a JSON string, so a match is that member.
 */
function withoutMember(inner: string, member: string): string | undefined {
  const at = inner.indexOf(member);
  if (at === -1 || inner.indexOf(member, at + member.length) !== -1) return undefined;
  const end = at + member.length;
  if (inner.charCodeAt(end) === 44 /* , */) return inner.slice(0, at) + inner.slice(end + 1);
  if (at > 0 && inner.charCodeAt(at - 1) === 44) return inner.slice(0, at - 1) + inner.slice(end);
  return end === inner.length && at === 0 ? '' : undefined;
}
