// The shipper's pure core: one decoded subscription batch in, the records to ship out.
//   join lines into records (multiline) -> drop filters -> sampling -> redact -> JSON fields,
//   level -> OpenTelemetry record with the ECS and CloudWatch Logs attributes.
// No I/O: task metadata, when known, comes in with the source; the CLI runs this same code offline.
import { membersWithout, parseJsonLine } from './json-line.js';
import { severityOfFields, severityOfText } from './level.js';
import { LineArena } from './line-arena.js';
import { joinMultiline } from './multiline.js';
import { droppedByFilter, keptBySampling, samplingRate } from './sampling.js';
import type { ShipRules } from './ship-rules.js';
import type { LogEvent, RecordSource, ShipRecord } from './types.js';

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

/** ISO 8601 times, formatting each second once: consecutive log events mostly share their second. */
function isoTimeFormatter(): (ms: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (ms) => {
    if (!Number.isInteger(ms)) return new Date(ms).toISOString();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const rest = ms - s * 1000;
    return `${prefix}${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}Z`;
  };
}

export type BuildStats = BuildResult['stats'];

export const emptyBuildStats = (): BuildStats => ({ events: 0, records: 0, dropped: 0, sampledOut: 0, redactions: 0 });

/** Bytes of record lines per slice: what the executor delivers before building more (Firehose's 4 MiB per call). */
export const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The records of a batch, built a slice (about sliceBytes of NDJSON) at a time, so the executor
 * can deliver one slice before the next exists: the output of a whole several-MB batch is never
 * in memory at once. Adds to `stats` as it goes.
 */
export function* buildRecordSlices(events: readonly LogEvent[], source: RecordSource, rules: ShipRules, stats: BuildStats, sliceBytes = SLICE_BYTES): Generator<ShipRecord[]> {
  const service = serviceNameOf(source);
  const shared = sourceAttributes(source);
  const sharedBytes = Buffer.from(`,${JSON.stringify(shared).slice(1, -1)}`);
  const reserved = Object.keys(shared);
  const rate = rules.sampling.length > 0 ? samplingRate(rules.sampling, service) : 1;
  const joined = joinMultiline(events, rules.multiline);
  const isoTime = isoTimeFormatter();
  stats.events += events.length;
  stats.records += joined.length;
  let arena = new LineArena();
  let slice: ShipRecord[] = [];
  let sliceSize = 0;

  for (const record of joined) {
    const uid = record.first.id;
    if (rules.drop.length > 0 && droppedByFilter(rules.drop, record.message)) {
      stats.dropped += 1;
      continue;
    }
    if (!keptBySampling(rate, uid)) {
      stats.sampledOut += 1;
      continue;
    }
    const text = rules.redactor.redact(record.message, stats);
    const parsed = parseJsonLine(text);
    const severity = (parsed && severityOfFields(parsed.fields)) ?? severityOfText(parsed ? parsed.body : text);
    let fieldsJson = '';
    if (parsed) {
      // Fields named like the shared attributes would make duplicate keys: the source's win.
      const members = reserved.some((key) => key in parsed.fields) ? membersWithout(parsed.fields, parsed.bodyKey ? [...reserved, parsed.bodyKey] : reserved) : parsed.fieldsJson;
      if (members.length > 0) fieldsJson = `,${members}`;
    }
    const timeMs = record.first.timestamp;
    const line = arena.append(
      `{"timestamp":"${isoTime(timeMs)}"` +
        (severity.number ? `,"severity_text":"${severity.text}"` : '') +
        `,"severity_number":${severity.number},"body":${parsed?.bodyJson ?? JSON.stringify(parsed ? parsed.body : text)}` +
        `,"attributes":{"log.record.uid":${JSON.stringify(uid)}` +
        (record.continued ? ',"log.record.continued":true' : ''),
      sharedBytes,
      `${fieldsJson}}}`,
    );
    slice.push({ uid, timeMs, service, source, line });
    sliceSize += line.length;
    if (sliceSize >= sliceBytes) {
      yield slice;
      // A fresh arena per slice: a delivered slice's buffers are garbage once its records are.
      arena = new LineArena();
      slice = [];
      sliceSize = 0;
    }
  }
  if (slice.length > 0) yield slice;
}

/** Every record of the batch at once (the CLI and tests); the Lambda uses buildRecordSlices. */
export function buildRecords(events: readonly LogEvent[], source: RecordSource, rules: ShipRules): BuildResult {
  const stats = emptyBuildStats();
  const records: ShipRecord[] = [];
  for (const slice of buildRecordSlices(events, source, rules, stats, Number.POSITIVE_INFINITY)) for (const record of slice) records.push(record);
  return { records, stats };
}
