// The shapes the log pipeline passes between its pure stages and the executor.

/** One CloudWatch Logs log event as a subscription delivers it. */
export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

/** What a record's log stream, its task and the subscription say about where it comes from (shared by a batch). */
export interface RecordSource {
  logGroup: string;
  logStream: string;
  owner: string;
  container?: string;
  taskId?: string;
  /** From ecs:DescribeTasks (shared/adapters/ecs-task-metadata.ts), when it is known. */
  task?: TaskMetadata;
}

export interface TaskMetadata {
  taskArn: string;
  clusterArn: string;
  family: string;
  revision: string;
  /** From the task's group `service:NAME`; absent for standalone tasks. */
  serviceName?: string;
}

/**
 * A record ready to ship: its OpenTelemetry JSON as one UTF-8 NDJSON line (`line`, newline
 * included; a view of its slice's buffer, see line-writer.ts) and the few fields destinations
 * route or key on, so no destination parses the JSON again.
 */
export interface ShipRecord {
  /** log.record.uid: the CloudWatch Logs event id of the record's first line; stable across redelivery. */
  uid: string;
  timeMs: number;
  /** service.name (the ECS service, else the task family, else the container). */
  service: string;
  source: RecordSource;
  /** The NDJSON line's length in bytes (newline included): what it counts against a destination's limits. */
  readonly bytes: number;
  readonly line: Buffer;
}

/** The record's JSON text (without the newline). */
export const recordJson = (record: ShipRecord): string => record.line.toString('utf8', 0, record.line.length - 1);

/**
 * What the envelope scanner (shared/intake/envelope-scan.ts) knows of a piece's events besides
 * their values: where each event's id and message literal lie in the decompressed bytes, and
 * flags about the message. It lets the record builder copy an unchanged message's literal, which
 * is already valid JSON, instead of escaping the text again, and skip the redaction check of a
 * message with nothing in it that can start a secret. Valid while `live`: the scanner reuses its
 * memory for the next piece.
 */
export interface ScannedLiterals {
  /** The bytes the offsets point into. */
  readonly bytes: Buffer;
  /** ROW_INTS ints an event, in order: see ScannedRow. */
  readonly rows: Int32Array;
  /** Index in `rows` of the piece's first event. */
  readonly rowBase: number;
  live: boolean;
}

/** The fields of a row of ScannedLiterals.rows (wasm/envelope-scan.ts writes them). */
export const ScannedRow = { idStart: 0, idEnd: 1, literalStart: 2, literalEnd: 3, bodyEnd: 4, textStart: 5, textEnd: 6, flags: 7, ints: 8 } as const;

/** Row flags. */
export const ScannedFlag = {
  /** The literal has escapes. */
  escaped: 1,
  /** Bytes >= 0x80. */
  nonAscii: 2,
  /** A \u escape. */
  unicodeEscape: 4,
  /** Something that may start a built-in redaction trigger (a superset: false alarms only cost a check). */
  mayHoldSecret: 8,
} as const;

/** Where a piece of events carries its ScannedLiterals: a non-enumerable property, so the array still compares equal to JSON.parse's. */
export const SCANNED_LITERALS: unique symbol = Symbol('scanned literals');

export const scannedLiteralsOf = (events: readonly LogEvent[]): ScannedLiterals | undefined => (events as { [SCANNED_LITERALS]?: ScannedLiterals })[SCANNED_LITERALS];
