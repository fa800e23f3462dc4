// ecs-autopilot's own metrics, in CloudWatch Embedded Metric Format (Powertools Metrics): a handler
// logs one EMF line per invocation and CloudWatch extracts the metrics, with no PutMetricData call.
// Every metric any function emits is named here, once, so the stack's dashboard and alarms
// (built from this catalogue) and the handlers cannot drift apart.
//
// Dimensions stay low-cardinality on purpose (a kind, an outcome, a playbook, a destination): a
// dimension per service would make each service a paid custom metric.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

export const METRICS_NAMESPACE = 'EcsAutopilot';

export const METRIC = {
  /**
   * notify: events in, by `kind`: the signal kind (task-stopped, service-action, deployment-state-changed,
   * container-instance-state-changed, alarm-state-changed, timer, ...), `unrecognised` or `malformed`.
   */
  eventsIn: 'EventsIn',
  /** notify: how each event ended, by `kind` and `outcome` (acted, ignored, error). */
  eventsHandled: 'EventsHandled',
  /** notify: notifications by `receiver` and `outcome` (delivered, failed, silenced, grouped, dry-run). */
  notifications: 'Notifications',
  /** notify: ECS event time to the notification's delivery, in milliseconds. */
  notificationDelay: 'NotificationDelay',
  /**
   * remediate: 1 while the remediation kill switch (an SSM parameter) is engaged, 0 otherwise, emitted
   * by every remediate invocation; the stack alarms when it stays engaged longer than a set time.
   */
  killSwitchEngaged: 'KillSwitchEngaged',
  /** remediate: actions by `playbook` and `outcome` (acted, dry-run, blocked-cooldown, blocked-budget, blocked-kill-switch, blocked-stale, failed). */
  remediationActions: 'RemediationActions',
  /** scale: decisions by `direction` (up, down, hold) and `bound` (the rule that bounded the count, or none). */
  scalingDecisions: 'ScalingDecisions',
  /** ship: records in (after decoding and multiline), dropped by filter or sampling, redactions made. */
  shipperRecordsIn: 'ShipperRecordsIn',
  shipperRecordsDropped: 'ShipperRecordsDropped',
  shipperRedactions: 'ShipperRedactions',
  /** ship: records and bytes (uncompressed) delivered, by `destination`. */
  shipperRecordsShipped: 'ShipperRecordsShipped',
  shipperBytesShipped: 'ShipperBytesShipped',
  /** ship: records a destination refused after retries, by `destination`; records written to the S3 backup. */
  shipperFailures: 'ShipperFailures',
  shipperBackups: 'ShipperBackups',
  /**
   * subscribe (ship.autoSubscribe): log groups by `outcome`: subscribed, updated, unsubscribed,
   * blocked (two filters already: someone must act), failed (the call failed; retried).
   */
  logGroupSubscriptions: 'LogGroupSubscriptions',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export { MetricUnit };

/** One Metrics instance per function, created at module scope; publish with publishMetrics (below). */
export function createMetrics(functionName: string, stage: string | undefined): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: `ecs-autopilot-${functionName}`,
    ...(stage ? { defaultDimensions: { stage } } : {}),
  });
}

/**
 * The middy middleware that flushes `metrics` after each invocation, also one that failed: one EMF
 * line when the invocation added metrics, nothing when it added none. Powertools' own `logMetrics`
 * logs a warning line instead on every such invocation (a scale tick with nothing to scale, a
 * CONTROL_MESSAGE batch), and each line is paid for in CloudWatch Logs.
 */
export function publishMetrics(metrics: Metrics): MiddlewareObj {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
