// "AWS API Call via CloudTrail" from CloudWatch Logs: EventBridge delivers these only where a
// CloudTrail trail records management events. The subscriber's rule matches CreateLogGroup; the
// parser takes any Logs API call, since a rule may grow (it is the decision that picks the name).
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import type { EventParser } from './parser.js';

const detailSchema = z.object({
  eventName: z.string().check(z.minLength(1)),
  errorCode: z.optional(z.string()),
  // null when the call had no parameters (CloudTrail writes null, not {}).
  requestParameters: z.optional(z.nullable(z.object({ logGroupName: z.optional(z.string()) }))),
});

export const cloudTrailLogsApiCallParser: EventParser = {
  source: 'aws.logs',
  detailType: 'AWS API Call via CloudTrail',
  parse(envelope) {
    const detail = parseOrThrow(detailSchema, envelope.detail, envelope.id, envelope['detail-type'], 'detail');
    const logGroup = detail.requestParameters?.logGroupName;
    return {
      kind: 'logs-api-call',
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      time: envelope.time,
      region: envelope.region,
      account: envelope.account,
      eventName: detail.eventName,
      ...(logGroup ? { logGroup } : {}),
      ...(detail.errorCode ? { errorCode: detail.errorCode } : {}),
    };
  },
};
