// The shipper's pure core: one decoded subscription batch in, the records to ship out.
//   join lines into records (multiline) -> drop filters -> sampling -> redact -> JSON fields,
//   level -> OpenTelemetry record with the ECS and CloudWatch Logs attributes.
// No I/O: task metadata, when known, comes in with the source; the CLI runs this same code offline.
import { parseJsonLine } from './json-line.js';
import { severityOfFields, severityOfText } from './level.js';
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
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_ecs',
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

export function buildRecords(events: readonly LogEvent[], source: RecordSource, rules: ShipRules): BuildResult {
  const service = serviceNameOf(source);
  const shared = sourceAttributes(source);
  const sharedJson = JSON.stringify(shared).slice(1, -1);
  const reserved = Object.keys(shared);
  const rate = rules.sampling.length > 0 ? samplingRate(rules.sampling, service) : 1;
  const joined = joinMultiline(events, rules.multiline);
  const records: ShipRecord[] = [];
  let dropped = 0;
  let sampledOut = 0;
  let redactions = 0;

  for (const record of joined) {
    const uid = record.first.id;
    if (rules.drop.length > 0 && droppedByFilter(rules.drop, record.message)) {
      dropped += 1;
      continue;
    }
    if (!keptBySampling(rate, uid)) {
      sampledOut += 1;
      continue;
    }
    const redacted = rules.redactor.redact(record.message);
    redactions += redacted.redactions;
    const parsed = parseJsonLine(redacted.text);
    const severity = (parsed && severityOfFields(parsed.fields)) ?? severityOfText(parsed ? parsed.body : redacted.text);
    let fieldsJson = '';
    if (parsed) {
      // Fields named like the shared attributes would make duplicate keys: the source's win.
      const fields = reserved.some((key) => key in parsed.fields) ? Object.fromEntries(Object.entries(parsed.fields).filter(([k]) => !reserved.includes(k))) : parsed.fields;
      const text = JSON.stringify(fields);
      if (text.length > 2) fieldsJson = `,${text.slice(1, -1)}`;
    }
    const timeMs = record.first.timestamp;
    const json =
      `{"timestamp":"${new Date(timeMs).toISOString()}"` +
      (severity.number ? `,"severity_text":"${severity.text}"` : '') +
      `,"severity_number":${severity.number},"body":${JSON.stringify(parsed ? parsed.body : redacted.text)}` +
      `,"attributes":{"log.record.uid":${JSON.stringify(uid)}` +
      (record.continued ? ',"log.record.continued":true' : '') +
      `,${sharedJson}${fieldsJson}}}`;
    records.push({ uid, timeMs, service, source, json });
  }
  return { records, stats: { events: events.length, records: joined.length, dropped, sampledOut, redactions } };
}
