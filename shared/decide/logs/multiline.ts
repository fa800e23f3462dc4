// Joins the log events of one stream that belong to one record: a stack trace that the awslogs
// driver delivered one line per event becomes one record again. The first event's id and
// timestamp are the record's.
//
// Built-in rules (when no startPatterns are configured), applied to a line that follows a record:
//   - an indented line (space or tab): Java "\tat ...", Node.js "    at ...", Python frames;
//   - Java "Caused by: ..." / "Suppressed: ..." / "... 12 more", and a fully qualified exception
//     line (java.lang.IllegalStateException: ...) that follows the logger's own line;
//   - Python: the exception line that ends a traceback (the first unindented line after a frame),
//     and the chaining lines between two tracebacks;
//   - a PEM private key printed line by line, up to its END line (so redaction sees it whole).
// A JSON line always starts a record and takes no continuation (a JSON logger writes whole
// records; a raw trace after it is its own record, and the JSON stays parseable). With startPatterns configured, a line that matches none of
// them continues the record before it (for logs whose every record starts with a timestamp).
//
// Across batches: CloudWatch Logs batches are cut by time and size, not by record, so a trace may
// arrive split over two invocations. Each part is shipped as its own record; the later part,
// which starts with a continuation line, carries `log.record.continued: true` so a query can find it.
import type { LogEvent } from './types.js';

export interface MultilineOptions {
  startPatterns: RegExp[];
  maxLines: number;
  /** Bytes (UTF-16 units) past which a record takes no more lines; CloudWatch Logs events are at most 256 KiB. */
  maxChars: number;
}

export interface JoinedRecord {
  first: LogEvent;
  message: string;
  lines: number;
  /** The record's first line looks like the continuation of a record of an earlier batch. */
  continued: boolean;
}

const PYTHON_TRACEBACK = 'Traceback (most recent call last):';
const PYTHON_CHAIN = /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;
const JAVA_CONTINUATION = /^(?:Caused by: |Suppressed: |\.\.\. \d+ more)/;
const JAVA_EXCEPTION = /^(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$)/;
const PEM_BEGIN = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

/** State of the record being built, for the rules that depend on what came before. */
interface OpenRecord extends JoinedRecord {
  python: boolean;
  lastIndented: boolean;
  lastChain: boolean;
  pemOpen: boolean;
}

function stripNewline(message: string): string {
  const end = message.length;
  if (end === 0 || message.charCodeAt(end - 1) !== 10) return message;
  return message.charCodeAt(end - 2) === 13 ? message.slice(0, end - 2) : message.slice(0, end - 1);
}

const isIndented = (line: string) => {
  const c = line.charCodeAt(0);
  return c === 32 || c === 9;
};

function continuesBuiltIn(open: OpenRecord, line: string): boolean {
  if (open.pemOpen) return true;
  if (open.message.charCodeAt(0) === 123 /* { */) return false;
  if (line.length === 0) return open.python;
  const c = line.charCodeAt(0);
  if (c === 123 /* { */) return false;
  if (c === 32 || c === 9) return true;
  if (c === 67 /* C */ || c === 83 /* S */ || c === 46 /* . */) {
    if (JAVA_CONTINUATION.test(line)) return true;
  }
  if (c >= 97 && c <= 122 && JAVA_EXCEPTION.test(line)) return true;
  if (open.python) {
    // The exception line that closes a traceback, the chaining sentence, and the next traceback.
    if (open.lastIndented) return true;
    if (PYTHON_CHAIN.test(line)) return true;
    if (open.lastChain && line.startsWith(PYTHON_TRACEBACK)) return true;
  }
  return false;
}

function looksLikeContinuation(line: string): boolean {
  return line.length > 0 && (isIndented(line) || JAVA_CONTINUATION.test(line));
}

/**
 * Joins a stream's events as they come: push() returns the record an event closed (the one before
 * it), if any; end() the last one. Pieces of one batch go through one joiner, so a trace cut
 * between two pieces is still one record.
 */
export class MultilineJoiner {
  private open: OpenRecord | undefined;
  private readonly custom: boolean;

  constructor(private readonly options: MultilineOptions) {
    this.custom = options.startPatterns.length > 0;
  }

  private startsRecord(open: OpenRecord, line: string): boolean {
    if (open.lines >= this.options.maxLines || open.message.length + line.length >= this.options.maxChars) return true;
    if (this.custom) return this.options.startPatterns.some((p) => p.test(line)) || (line.charCodeAt(0) === 123 && !open.pemOpen);
    return !continuesBuiltIn(open, line);
  }

  push(event: LogEvent): JoinedRecord | undefined {
    const line = stripNewline(event.message);
    const open = this.open;
    if (open && !this.startsRecord(open, line)) {
      open.message += `\n${line}`;
      open.lines += 1;
      if (open.pemOpen && PEM_END.test(line)) open.pemOpen = false;
      if (line.startsWith(PYTHON_TRACEBACK)) open.python = true;
      open.lastIndented = isIndented(line);
      open.lastChain = line.length === 0 ? open.lastChain : PYTHON_CHAIN.test(line);
      return undefined;
    }
    // Only the batch's first record can continue one of an earlier batch.
    const continued = !open && (this.custom ? !this.options.startPatterns.some((p) => p.test(line)) : looksLikeContinuation(line));
    const next: OpenRecord = { first: event, message: line, lines: 1, continued, python: line.startsWith(PYTHON_TRACEBACK), lastIndented: isIndented(line), lastChain: false, pemOpen: false };
    if (line.charCodeAt(0) === 45 /* - */ && PEM_BEGIN.test(line)) next.pemOpen = !PEM_END.test(line);
    this.open = next;
    // The open-record state stays on the objects: copying 50,000 of them costs more than it hides.
    return open;
  }

  end(): JoinedRecord | undefined {
    const open = this.open;
    this.open = undefined;
    return open;
  }
}

export function joinMultiline(events: readonly LogEvent[], options: MultilineOptions): JoinedRecord[] {
  const joiner = new MultilineJoiner(options);
  const records: JoinedRecord[] = [];
  for (const event of events) {
    const closed = joiner.push(event);
    if (closed) records.push(closed);
  }
  const last = joiner.end();
  if (last) records.push(last);
  return records;
}
