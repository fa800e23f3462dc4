// A JSON log line's fields become attributes; its message field becomes the body. JSON.parse is
// tried only on a line that starts with "{" and ends with "}" (after trailing blanks): most plain
// lines are rejected by two character reads, not by a thrown SyntaxError.

export interface ParsedJsonLine {
  body: string;
  fields: Record<string, unknown>;
}

const BODY_KEYS = ['message', 'msg', 'log', '@message'];

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
  for (const key of BODY_KEYS) {
    const body = fields[key];
    if (typeof body === 'string') {
      const { [key]: _, ...rest } = fields;
      return { body, fields: rest };
    }
  }
  return { body: line, fields };
}
