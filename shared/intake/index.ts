// Raw event in, Signal out: the entry point of the functions that act on events (notify, remediate,
// scale, subscribe). CloudWatch Logs subscription batches are recognised, not decoded: only the
// ship function reads them, through its own streaming decoder, and leaving the decoder (zlib,
// node:stream, the envelope scanner) out of these bundles takes it out of their cold start.
// parseAnyEvent (./any-event.ts) decodes batches too, for the CLI and tests.
import { cloudWatchAlarmStateChangeParser } from './cloudwatch-alarm-state-change.js';
import { isStackRequest, parseStackRequest } from './cloudformation-custom-resource.js';
import { cloudTrailLogsApiCallParser } from './cloudtrail-logs-api-call.js';
import { ecsContainerInstanceStateChangeParser } from './ecs-container-instance-state-change.js';
import { ecsDeploymentStateChangeParser, ecsServiceActionParser } from './ecs-service-events.js';
import { ecsTaskStateChangeParser } from './ecs-task-state-change.js';
import { eventEnvelopeSchema, parseOrThrow } from './envelope.js';
import { IntakeError } from './errors.js';
import type { EventParser } from './parser.js';
import { isLogsSubscriptionEvent } from './logs-subscription-shape.js';
import { scheduledEventParser } from './scheduled-event.js';
import { isSqsRecord, parseTimerRecord } from './timer.js';
import type { Intake } from './signals.js';

export { IntakeError } from './errors.js';
export type * from './signals.js';

export const eventParsers: readonly EventParser[] = [
  ecsTaskStateChangeParser,
  ecsServiceActionParser,
  ecsDeploymentStateChangeParser,
  ecsContainerInstanceStateChangeParser,
  cloudWatchAlarmStateChangeParser,
  scheduledEventParser,
  cloudTrailLogsApiCallParser,
];

const parsersByKey = new Map(eventParsers.map((p) => [`${p.source}\u0000${p.detailType}`, p]));

function stringField(raw: unknown, key: string): string {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
}

/**
 * Turns one raw event, as EventBridge, a Logs subscription, the timer queue (one SQS record) or
 * CloudFormation (a custom resource request) delivers it to Lambda, into a Signal.
 * Throws IntakeError for malformed input; returns `unrecognised` for a well-formed event of a kind
 * this tool does not handle (it is logged and ignored, never a crash).
 */
export function parseEvent(raw: unknown): Intake {
  if (isLogsSubscriptionEvent(raw)) return { type: 'unrecognised', eventId: '', detailType: 'CloudWatch Logs', why: 'a CloudWatch Logs subscription batch: the ship function reads these, not this one' };
  if (isSqsRecord(raw)) return { type: 'signal', signal: parseTimerRecord(raw) };
  if (isStackRequest(raw)) return { type: 'signal', signal: parseStackRequest(raw) };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new IntakeError('', '', [`expected an EventBridge event object or a CloudWatch Logs subscription event, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`}`]);
  }
  const envelope = parseOrThrow(eventEnvelopeSchema, raw, stringField(raw, 'id'), stringField(raw, 'detail-type'));
  const parser = parsersByKey.get(`${envelope.source}\u0000${envelope['detail-type']}`);
  if (!parser) {
    return { type: 'unrecognised', eventId: envelope.id, detailType: envelope['detail-type'], why: `no parser for source '${envelope.source}' and detail-type '${envelope['detail-type']}'` };
  }
  return { type: 'signal', signal: parser.parse(envelope) };
}
