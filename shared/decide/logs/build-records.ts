// The shipper's pure core: one decoded subscription batch in, the records to ship out.
//   join lines into records (multiline) -> drop filters -> sampling -> redact -> JSON fields,
//   level -> OpenTelemetry record with the ECS and CloudWatch Logs attributes.
// No I/O: task metadata, when known, comes in with the source; the CLI runs this same code offline.
import { parseJsonLine } from './json-line.js';
import { type Severity, severityOfText, UNSPECIFIED } from './level.js';
import { LineWriter, type RecordBatch, type SlabStore } from './line-writer.js';
import { type JoinedRecord, MultilineJoiner } from './multiline.js';
import { droppedByFilter, keptBySampling, samplingRate } from './sampling.js';
import { flagsOfLines, MAY_NEED_REDACTION, NOT_COPIED, writeIdLiteral, writeLiteralBody } from './scanned-literals.js';
import type { ShipRules } from './ship-rules.js';
import { type LogEvent, type RecordSource, type ScannedLiterals, type ShipRecord, scannedLiteralsOf } from './types.js';

export interface BuildResult {
  records: ShipRecord[];
  stats: { events: number; records: number; dropped: number; sampledOut: number; redactions: number };
}

/** service.name: the ECS service; for a standalone task its family; offline, the container. */
export function serviceNameOf(source: RecordSource): string {
  return source.task?.serviceName ?? source.task?.family ?? source.container ?? source.logGroup;
}

/**
 * The attributes every record of the batch shares, as a JSON fragment built once per batch
 * (OpenTelemetry semantic conventions: aws.ecs.*, aws.log.*, container.name, service.name, cloud.*).
 */
export function sourceAttributes(source: RecordSource): Record<string, unknown> {
  const task = source.task;
  const region = task ? task.taskArn.split(':')[3] : undefined;
  return {
    'service.name': serviceNameOf(source),
    ...(source.owner ? { 'cloud.account.id': source.owner } : {}),
    ...(region ? { 'cloud.region': region } : {}),
    'aws.log.group.names': [source.logGroup],
    'aws.log.stream.names': [source.logStream],
    ...(source.container ? { 'container.name': source.container } : {}),
    ...(source.taskId ? { 'aws.ecs.task.id': source.taskId } : {}),
    ...(task
      ? { 'aws.ecs.task.arn': task.taskArn, 'aws.ecs.cluster.arn': task.clusterArn, 'aws.ecs.task.family': task.family, 'aws.ecs.task.revision': task.revision }
      : {}),
  };
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
// The constant parts of a record line, encoded once.
const CONTINUED = utf8(',"log.record.continued":true');
/** Bytes a line takes besides its body, fields, uid and the shared attributes (timestamp, severity, punctuation). */
const LINE_OVERHEAD = 160;
const SEVERITY_BYTES = new Map<Severity, Buffer>();
/** `,"severity_text":"ERROR","severity_number":17,"body":` (no text when unspecified), once per severity. */
function severityBytes(severity: Severity): Buffer {
  let bytes = SEVERITY_BYTES.get(severity);
  if (bytes === undefined) {
    bytes = utf8(`${severity.number ? `,"severity_text":${JSON.stringify(severity.text)}` : ''},"severity_number":${severity.number},"body":`);
    SEVERITY_BYTES.set(severity, bytes);
  }
  return bytes;
}

/** Writes `{"timestamp":"<ISO 8601>"`, encoding each second once: consecutive log events mostly share their second. */
function timestampWriter(): (ms: number, out: LineWriter) => void {
  let second = Number.NaN;
  let prefix: Buffer = Buffer.alloc(0);
  return (ms, out) => {
    if (!Number.isInteger(ms)) {
      out.text(`{"timestamp":"${new Date(ms).toISOString()}"`);
      return;
    }
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      prefix = utf8(`{"timestamp":"${new Date(s * 1000).toISOString().slice(0, 20)}`);
    }
    out.bytes(prefix);
    out.millis(ms - s * 1000);
    out.byte(90 /* Z */);
    out.byte(34 /* " */);
  };
}

export type BuildStats = BuildResult['stats'];

export const emptyBuildStats = (): BuildStats => ({ events: 0, records: 0, dropped: 0, sampledOut: 0, redactions: 0 });

/** Bytes of record lines per slice: what the executor delivers before building more (Firehose's 4 MiB per call). */
export const SLICE_BYTES = 4 * 1024 * 1024;

export interface SliceOptions {
  /** NDJSON bytes per slice. */
  sliceBytes?: number;
  /**
   * Reuse one buffer for every slice, kept here between batches. Only for a caller that is done
   * with a slice's records when it asks for the next one (and when the loop ends): reading a
   * record's line after that throws; detachRecord() keeps one longer.
   */
  slabs?: SlabStore;
}

/**
 * The records of a batch, built a slice (about sliceBytes of NDJSON) at a time, so the executor
 * can deliver one slice before the next exists: the output of a whole several-MB batch is never
 * in memory at once. Events go in a piece at a time (add), as the batch is decoded; a record whose
 * lines straddle two pieces is still one record. Adds to `stats` as it goes.
 */
export class RecordBuilder {
  private readonly sliceBytes: number;
  /** The service and source every record of the batch shares. */
  private readonly batch: RecordBatch;
  private readonly attributesBytes: Buffer;
  private readonly reservedKeys: Set<string>;
  private readonly rate: number;
  private readonly joiner: MultilineJoiner;
  private readonly writeTimestamp = timestampWriter();
  private readonly out: LineWriter;

  constructor(
    source: RecordSource,
    private readonly rules: ShipRules,
    private readonly stats: BuildStats,
    options: SliceOptions = {},
  ) {
    this.sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    const service = serviceNameOf(source);
    this.batch = { service, source };
    const shared = sourceAttributes(source);
    // The batch's attributes and the key of the record's uid after them, one run of bytes per record.
    this.attributesBytes = utf8(`,"attributes":{${JSON.stringify(shared).slice(1, -1)},"log.record.uid":`);
    this.reservedKeys = new Set([...Object.keys(shared), 'log.record.uid', 'log.record.continued']);
    this.rate = rules.sampling.length > 0 ? samplingRate(rules.sampling, service) : 1;
    this.joiner = new MultilineJoiner(rules.multiline);
    this.out = new LineWriter(this.sliceBytes, options.slabs);
  }

  /** The envelope scanner's literals of the piece being added (or last added), if it read it. */
  private literals: ScannedLiterals | undefined;
  private pieceLength = 0;

  /** The slices the events completed; the records of a slice must be done with before the next is asked for. */
  add(events: readonly LogEvent[]): Generator<ShipRecord[]> {
    this.literals = scannedLiteralsOf(events);
    this.pieceLength = events.length;
    return this.place(events, false);
  }

  /** The last slices; then the buffer goes back to its store (its records must be done with). */
  *finish(): Generator<ShipRecord[]> {
    try {
      yield* this.place([], true);
      if (this.out.lines > 0) yield this.out.takeRecords(this.batch);
    } finally {
      this.close();
    }
  }

  private closed = false;

  /** Gives the buffer back to its store (once): after finish(), or when the batch failed part-way. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.release();
  }

  private *place(events: readonly LogEvent[], last: boolean): Generator<ShipRecord[]> {
    this.stats.events += events.length;
    const out = this.out;
    for (let i = 0; i <= events.length; i += 1) {
      const record = i < events.length ? this.joiner.push(events[i]!) : last ? this.joiner.end() : undefined;
      if (!record) continue;
      // The record's lines are the `lines` events before the one that closed it (or before the
      // end of the last piece); their rows, if they are all in the piece the scanner read last.
      const firstRow = (i < events.length ? i : this.pieceLength) - record.lines;
      this.firstRow = firstRow >= 0 && this.literals?.live ? firstRow : -1;
      const worst = this.prepare(record);
      if (worst < 0) continue;
      if (!out.fits(worst)) {
        if (out.lines > 0) yield out.takeRecords(this.batch);
        out.nextSlice(worst);
      }
      this.writeLine(record);
      if (out.written >= this.sliceBytes) {
        yield out.takeRecords(this.batch);
        out.nextSlice(0);
      }
    }
  }

  // The parts of the record being written, kept on the builder: no object per record.
  private severity: Severity = UNSPECIFIED;
  private bodyJson: string | undefined;
  private bodyText = '';
  private fieldsJson = '';
  /** The row of the record's first line in this.literals, or -1. */
  private firstRow = -1;
  /** Whether the body is written from the lines' literals. */
  private bodyFromLiterals = false;

  /** Filters, redacts and parses a record; the most bytes its line can take, or -1 when it is not shipped. */
  private prepare(record: JoinedRecord): number {
    const { rules, stats } = this;
    stats.records += 1;
    const uid = record.first.id;
    if (rules.drop.length > 0 && droppedByFilter(rules.drop, record.message)) {
      stats.dropped += 1;
      return -1;
    }
    if (!keptBySampling(this.rate, uid)) {
      stats.sampledOut += 1;
      return -1;
    }
    const literals = this.firstRow >= 0 ? this.literals : undefined;
    const flags = literals ? flagsOfLines(literals, this.firstRow, record.lines) : 0;
    // The scanner saw nothing in these lines that may start a built-in rule's trigger: nothing to redact.
    const text = literals && rules.redactor.builtInOnly && (flags & MAY_NEED_REDACTION) === 0 ? record.message : rules.redactor.redact(record.message, stats);
    // Fields named like the shared attributes would make duplicate keys: the source's win.
    const parsed = parseJsonLine(text, this.reservedKeys);
    this.bodyFromLiterals = literals !== undefined && parsed === undefined && text === record.message && (flags & NOT_COPIED) === 0;
    this.severity = parsed?.severity ?? severityOfText(parsed ? parsed.body : text);
    this.fieldsJson = parsed ? parsed.fieldsJson : '';
    this.bodyJson = parsed?.bodyJson;
    this.bodyText = this.bodyJson !== undefined ? '' : parsed ? parsed.body : text;
    // UTF-8 takes at most 3 bytes per UTF-16 unit of a JSON text; JSON escaping at most 6 (\u001f).
    return LINE_OVERHEAD + this.attributesBytes.length + 3 * this.fieldsJson.length + 6 * uid.length + (this.bodyJson ? 3 * this.bodyJson.length : 6 * this.bodyText.length);
  }

  private writeLine(record: JoinedRecord): void {
    const out = this.out;
    const uid = record.first.id;
    const timeMs = record.first.timestamp;
    this.writeTimestamp(timeMs, out);
    out.bytes(severityBytes(this.severity));
    if (this.bodyJson) out.text(this.bodyJson);
    else if (this.bodyFromLiterals) writeLiteralBody(out, this.literals!, this.firstRow, record.lines);
    else out.jsonString(this.bodyText);
    out.bytes(this.attributesBytes);
    const uidAt = out.written;
    if (this.firstRow >= 0) writeIdLiteral(out, this.literals!, this.firstRow);
    else out.jsonString(uid);
    if (record.continued) out.bytes(CONTINUED);
    if (this.fieldsJson) {
      out.byte(44 /* , */);
      out.text(this.fieldsJson);
    }
    out.byte(125 /* } */);
    out.byte(125);
    out.endLine(uidAt, timeMs);
  }
}

/** The records of one array of events, slice by slice (RecordBuilder over one piece). */
export function* buildRecordSlices(events: readonly LogEvent[], source: RecordSource, rules: ShipRules, stats: BuildStats, options: SliceOptions = {}): Generator<ShipRecord[]> {
  const builder = new RecordBuilder(source, rules, stats, options);
  yield* builder.add(events);
  yield* builder.finish();
}

/**
 * The records of a batch whose events come a piece at a time (as the executor decodes it), slice
 * by slice. The buffer goes back to its store however the loop ends: a batch that failed part-way,
 * or a consumer that stopped.
 */
export async function* buildRecordSlicesFrom(pieces: AsyncIterable<readonly LogEvent[]>, source: RecordSource, rules: ShipRules, stats: BuildStats, options: SliceOptions = {}): AsyncGenerator<ShipRecord[]> {
  const builder = new RecordBuilder(source, rules, stats, options);
  try {
    for await (const piece of pieces) yield* builder.add(piece);
    yield* builder.finish();
  } finally {
    builder.close();
  }
}

/** Every record of the batch at once (the CLI and tests); the Lambda uses buildRecordSlices. */
export function buildRecords(events: readonly LogEvent[], source: RecordSource, rules: ShipRules): BuildResult {
  const stats = emptyBuildStats();
  const records: ShipRecord[] = [];
  for (const slice of buildRecordSlices(events, source, rules, stats)) for (const record of slice) records.push(record);
  return { records, stats };
}
