// "Scheduled Event": what an EventBridge schedule rule sends. The rule ARN is in resources[0].
import type { EventParser } from './parser.js';

export const scheduledEventParser: EventParser = {
  source: 'aws.events',
  detailType: 'Scheduled Event',
  parse(envelope) {
    return {
      kind: 'scheduled-tick',
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      time: envelope.time,
      region: envelope.region,
      account: envelope.account,
      ruleArn: envelope.resources[0],
    };
  },
};
