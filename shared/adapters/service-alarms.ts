// The CloudWatch alarms on one ECS service, for `explain CLUSTER/SERVICE`: the alarms whose metrics
// carry its ClusterName and ServiceName dimensions (AWS/ECS, ECS/ContainerInsights), matched the
// way the notify pipeline's alarm resolver matches them (serviceFromDimensions). Never throws: a
// failure becomes a sentence.
import { type CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AlarmFacts } from '../decide/diagnosis-facts.js';
import { serviceFromDimensions } from './alarm-service-resolver.js';
import type { IamGrant } from './iam.js';

export const serviceAlarmGrants: IamGrant[] = [{ purpose: "explain: list the alarms on a service's metrics", actions: ['cloudwatch:DescribeAlarms'], resource: 'cloudwatch-alarms' }];

/** At most this many alarms are read (10 pages): an account with more is told so. */
const MAX_PAGES = 10;

function dimensionsOf(alarm: MetricAlarm): Record<string, string> {
  const merged: Record<string, string> = {};
  const all = [...(alarm.Dimensions ?? []), ...(alarm.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? [])];
  for (const d of all) if (d.Name && d.Value) merged[d.Name] = d.Value;
  return merged;
}

export async function alarmsOnService(cloudwatch: CloudWatchClient, cluster: string, service: string): Promise<AlarmFacts[] | { unavailable: string }> {
  try {
    const alarms: AlarmFacts[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], MaxRecords: 100, ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const alarm of page.MetricAlarms ?? []) {
        const target = serviceFromDimensions(dimensionsOf(alarm));
        if (target?.cluster !== cluster || target.service !== service) continue;
        alarms.push({
          name: alarm.AlarmName ?? '',
          state: alarm.StateValue ?? 'UNKNOWN',
          ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
          ...(alarm.MetricName ? { metric: `${alarm.Namespace ?? ''} ${alarm.MetricName}`.trim() } : {}),
          ...(alarm.StateUpdatedTimestamp ? { updatedAt: alarm.StateUpdatedTimestamp.toISOString() } : {}),
        });
      }
      nextToken = page.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_PAGES);
    // ALARM first: it is what the engineer is looking for.
    return alarms.sort((a, b) => Number(b.state === 'ALARM') - Number(a.state === 'ALARM') || a.name.localeCompare(b.name));
  } catch (error) {
    return { unavailable: `could not list alarms (${(error as Error).name}: ${(error as Error).message.split('\n')[0]})` };
  }
}
