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
