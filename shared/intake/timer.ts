// Timers are SQS messages the pipeline sent itself with a delay (plan.timers). Lambda delivers them
// as SQS records; each record is one event with the message id as its id.
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import { IntakeError } from './errors.js';
import type { TimerFired } from './signals.js';

const DETAIL_TYPE = 'ecs-autopilot timer';

const recordSchema = z.object({
  eventSource: z.literal('aws:sqs'),
  messageId: z.string().check(z.minLength(1)),
  body: z.string(),
  eventSourceARN: z._default(z.string(), ''),
  attributes: z._default(z.object({ SentTimestamp: z.optional(z.string()) }), {}),
});

const bodySchema = z.object({
  schema: z.literal('ecs-autopilot/timer@1'),
  fireAt: z.string().check(z.minLength(1)),
  timer: z.union([
    z.object({ type: z.literal('agent-check'), containerInstanceArn: z.string().check(z.minLength(1)), cluster: z.string(), ec2InstanceId: z.optional(z.string()) }),
    z.object({ type: z.literal('group-flush'), group: z.string().check(z.minLength(1)) }),
    z.object({ type: z.literal('remediate-agent-check'), containerInstanceArn: z.string().check(z.minLength(1)), cluster: z.string() }),
    z.object({ type: z.literal('remediate-capacity-check'), cluster: z.string().check(z.minLength(1)), service: z.string().check(z.minLength(1)) }),
  ]),
});

export function isSqsRecord(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { eventSource?: unknown }).eventSource === 'aws:sqs';
}

export function parseTimerRecord(raw: unknown): TimerFired {
  const record = parseOrThrow(recordSchema, raw, '', DETAIL_TYPE);
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new IntakeError(record.messageId, DETAIL_TYPE, ['body: not JSON']);
  }
  const parsed = parseOrThrow(bodySchema, body, record.messageId, DETAIL_TYPE, 'body');
  const [, , , region = '', account = ''] = record.eventSourceARN.split(':');
  return { kind: 'timer', eventId: `timer:${record.messageId}`, detailType: DETAIL_TYPE, time: parsed.fireAt, region, account, body: parsed.timer };
}
