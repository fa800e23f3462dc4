// CloudWatch reads for scaling: the newest datapoint of a metric or metric-math expression (the
// metric policy), and a queue's NumberOfMessagesSent per minute (traces for simulate-scaling).
import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricStat } from '../config/schema-scale.js';
import type { IamGrant } from './iam.js';

// GetMetricData has no resource type in the Service Authorization Reference: "*" is the only choice.
export const cloudWatchMetricGrants: IamGrant[] = [{ purpose: 'read the metrics scaling policies name', actions: ['cloudwatch:GetMetricData'], resource: 'any-resource' }];

/** The expression's own query id: unlikely to clash with the ids a configuration gives its metrics. */
const EXPRESSION_ID = 'ecs_autopilot_value';

export interface MetricQuery {
  metric?: MetricStat;
  expression?: string;
  metrics?: Record<string, MetricStat>;
  lookbackSeconds: number;
}

const statQuery = (id: string, m: MetricStat, returnData: boolean): MetricDataQuery => ({
  Id: id,
  ReturnData: returnData,
  MetricStat: {
    Metric: { Namespace: m.namespace, MetricName: m.name, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
    Period: m.periodSeconds,
    Stat: m.stat,
  },
});

export interface MetricReader {
  /** The newest datapoint; throws (with the reason) when there is none. */
  latest(query: MetricQuery, now: Date): Promise<number>;
  /** Sum per minute of a metric between two times (missing minutes are absent). */
  perMinute(metric: MetricStat, start: Date, end: Date): Promise<Array<{ time: Date; value: number }>>;
}

export function createMetricReader(client: CloudWatchClient): MetricReader {
  return {
    async latest(query, now) {
      const queries = query.metric
        ? [statQuery('m', query.metric, true)]
        : [...Object.entries(query.metrics ?? {}).map(([id, m]) => statQuery(id, m, false)), { Id: EXPRESSION_ID, Expression: query.expression, ReturnData: true }];
      const { MetricDataResults = [], Messages = [] } = await client.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(now.getTime() - query.lookbackSeconds * 1000), EndTime: now, ScanBy: 'TimestampDescending' }),
      );
      const result = MetricDataResults.find((r) => r.Id === (query.metric ? 'm' : EXPRESSION_ID));
      const value = result?.Values?.[0];
      if (value === undefined || !Number.isFinite(value)) {
        const why = [result?.StatusCode, ...Messages.map((m) => m.Value), ...(result?.Messages ?? []).map((m) => m.Value)].filter(Boolean).join('; ');
        throw new Error(`no datapoint in the last ${query.lookbackSeconds} s${why ? ` (${why})` : ''}`);
      }
      return value;
    },
    async perMinute(metric, start, end) {
      const points: Array<{ time: Date; value: number }> = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({ MetricDataQueries: [statQuery('m', { ...metric, periodSeconds: 60 }, true)], StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
        );
        const result = page.MetricDataResults?.[0];
        (result?.Timestamps ?? []).forEach((time, i) => points.push({ time, value: result?.Values?.[i] ?? 0 }));
        nextToken = page.NextToken;
      } while (nextToken);
      return points.sort((a, b) => a.time.getTime() - b.time.getTime());
    },
  };
}
