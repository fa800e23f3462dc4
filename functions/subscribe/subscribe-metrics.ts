// The subscribe function's EMF metric for one invocation: log groups by outcome (names from
// shared/lambda/metrics.ts). Outcomes with nothing to count add nothing, so a quiet sweep logs no EMF line.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { groupsNeedingAction, type RemovalReport, type SubscriptionReport } from '../../shared/execute/subscribe/log-group-subscriptions.js';
import { METRIC, MetricUnit } from '../../shared/lambda/metrics.js';

export function subscriptionCounts(report: SubscriptionReport | RemovalReport): Record<string, number> {
  if ('removed' in report) return { unsubscribed: report.removed.length, failed: report.failed.length };
  return { subscribed: report.subscribed.length, updated: report.updated.length, blocked: groupsNeedingAction(report).length, failed: report.failed.length };
}

export function publishSubscribeMetrics(metrics: Metrics, report: SubscriptionReport | RemovalReport): void {
  for (const [outcome, count] of Object.entries(subscriptionCounts(report))) {
    if (count === 0) continue;
    const metric = metrics.singleMetric();
    metric.addDimension('outcome', outcome);
    metric.addMetric(METRIC.logGroupSubscriptions, MetricUnit.Count, count);
  }
}
