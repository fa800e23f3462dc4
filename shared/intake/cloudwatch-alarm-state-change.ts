// "CloudWatch Alarm State Change": a single-metric alarm names its metric under
// configuration.metrics[].metricStat.metric; a metric-math alarm lists several; a composite alarm none.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import type { EventParser } from './parser.js';

const alarmStateSchema = z.object({ value: z.string().check(z.minLength(1)), reason: z.optional(z.string()) });

const metricSchema = z.object({
  metricStat: z.optional(z.object({ metric: z.optional(z.object({ name: z.optional(z.string()), dimensions: z.optional(z.record(z.string(), z.string())) })) })),
});

const alarmDetailSchema = z.object({
  alarmName: z.string().check(z.minLength(1)),
  state: alarmStateSchema,
  previousState: z.optional(z.object({ value: z.optional(z.string()), reason: z.optional(z.string()) })),
  configuration: z.optional(z.object({ metrics: z.optional(z.array(metricSchema)) })),
});

export const cloudWatchAlarmStateChangeParser: EventParser = {
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  parse(envelope) {
    const detail = parseOrThrow(alarmDetailSchema, envelope.detail, envelope.id, envelope['detail-type'], 'detail');
    const dimensions: Record<string, string> = {};
    const metricNames: string[] = [];
    for (const metric of detail.configuration?.metrics ?? []) {
      Object.assign(dimensions, metric.metricStat?.metric?.dimensions ?? {});
      const name = metric.metricStat?.metric?.name;
      if (name && !metricNames.includes(name)) metricNames.push(name);
    }
    return {
      kind: 'alarm-state-changed',
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      time: envelope.time,
      region: envelope.region,
      account: envelope.account,
      alarmName: detail.alarmName,
      alarmArn: envelope.resources[0],
      state: detail.state.value,
      previousState: detail.previousState?.value,
      reason: detail.state.reason,
      dimensions,
      metricNames,
    };
  },
};
