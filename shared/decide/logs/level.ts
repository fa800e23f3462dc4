// Severity of a record, as OpenTelemetry numbers it (SeverityNumber 1-24, 0 = unspecified).
// JSON fields win; otherwise the first level word near the start of a plain line; a stack trace
// with no level word is an error.

export interface Severity {
  text: string;
  number: number;
}

const BY_WORD: Record<string, Severity> = {
  TRACE: { text: 'TRACE', number: 1 },
  DEBUG: { text: 'DEBUG', number: 5 },
  INFO: { text: 'INFO', number: 9 },
  NOTICE: { text: 'INFO', number: 10 },
  WARN: { text: 'WARN', number: 13 },
  WARNING: { text: 'WARN', number: 13 },
  ERROR: { text: 'ERROR', number: 17 },
  ERR: { text: 'ERROR', number: 17 },
  SEVERE: { text: 'ERROR', number: 17 },
  FATAL: { text: 'FATAL', number: 21 },
  CRITICAL: { text: 'FATAL', number: 21 },
  CRIT: { text: 'FATAL', number: 21 },
  PANIC: { text: 'FATAL', number: 21 },
  EMERG: { text: 'FATAL', number: 24 },
};

export const UNSPECIFIED: Severity = { text: '', number: 0 };

/** pino and bunyan log numeric levels. */
const BY_NUMBER: Array<[number, string]> = [[60, 'FATAL'], [50, 'ERROR'], [40, 'WARN'], [30, 'INFO'], [20, 'DEBUG'], [10, 'TRACE']];

/**
 * Level values already seen, as written ('info', 'WARN', 30 is not here): a JSON logger writes a
 * handful of them, and upper-casing each line's value is a new string every time. Bounded, so
 * lines with odd values cannot grow it.
 */
const SEEN_VALUES = new Map<string, Severity | null>();
const MAX_SEEN_VALUES = 256;

export function severityOfValue(value: unknown): Severity | undefined {
  if (typeof value === 'string') {
    const seen = SEEN_VALUES.get(value);
    if (seen !== undefined) return seen ?? undefined;
    const found = BY_WORD[value.toUpperCase()];
    if (SEEN_VALUES.size < MAX_SEEN_VALUES) SEEN_VALUES.set(value, found ?? null);
    return found;
  }
  if (typeof value === 'number') {
    const found = BY_NUMBER.find(([n]) => value >= n);
    return found ? BY_WORD[found[1]] : undefined;
  }
  return undefined;
}

export const JSON_LEVEL_KEYS = ['level', 'severity', 'lvl', 'levelname', 'log.level', 'loglevel'];

export function severityOfFields(fields: Record<string, unknown>): Severity | undefined {
  for (const key of JSON_LEVEL_KEYS) {
    if (key in fields) {
      const found = severityOfValue(fields[key]);
      if (found) return found;
    }
  }
  return undefined;
}

// Upper case words only, and only in the first 120 characters, where loggers put the level: "error"
// in the middle of a sentence says nothing about the line's severity.
const LEVEL_WORD = /\b(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|SEVERE|FATAL|CRIT(?:ICAL)?|PANIC|EMERG)\b/;

/**
 * The level word LEVEL_WORD found at `at`, read without a match array (search() gives only where):
 * the words are capital letters and the match ends at a word boundary, so it is the run of capitals
 * from `at`, which its first two letters and its length name (ERROR and EMERG differ in the second).
 */
const WORD_BY_KEY = new Map(Object.keys(BY_WORD).map((word) => [wordKey(word, 0, word.length), BY_WORD[word]!]));
function wordKey(text: string, at: number, length: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | length;
}
function levelWordAt(text: string, at: number): Severity {
  let end = at;
  for (let c = text.charCodeAt(end); c >= 65 && c <= 90; c = text.charCodeAt(end)) end += 1;
  return WORD_BY_KEY.get(wordKey(text, at, end - at))!;
}
const LOGFMT_LEVEL = /\blevel=["']?([A-Za-z]+)/;
const TRACE_START = /^(?:Traceback \(most recent call last\)|(?:[\w$]+\.)*[\w$]*(?:Error|Exception|Throwable)\b)/;

export function severityOfText(text: string): Severity {
  const head = text.length > 120 ? text.slice(0, 120) : text;
  // includes() first: it scans far faster than the regex engine, and most lines have no level=.
  const logfmt = head.includes('level=') ? LOGFMT_LEVEL.exec(head) : null;
  const fromLogfmt = logfmt ? BY_WORD[logfmt[1]!.toUpperCase()] : undefined;
  if (fromLogfmt) return fromLogfmt;
  const at = head.search(LEVEL_WORD);
  if (at >= 0) return levelWordAt(head, at);
  if (TRACE_START.test(head)) return BY_WORD.ERROR!;
  return UNSPECIFIED;
}
