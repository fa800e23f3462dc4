// What every kind of notification shares: the checks that can keep it quiet (severity floor, the
// kind switched off, service tags), the common fields of its message, and the health record that
// lets a later event say "resolved".
import type { ParsedServiceTags } from '../config/service-tags.js';
import type { AutopilotConfig } from '../config/schema.js';
import { SEVERITIES, type Severity } from './causes.js';
import { serviceConsoleUrl } from './console-links.js';
import type { Notification, NotificationKind, NotificationMessage, NotificationStatus, Plan } from './plan.js';

/** True when `severity` is at least as severe as `floor` (critical > warning > info). */
export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(floor);
}

/** SNS subjects must be ASCII, without line breaks, at most 100 characters. */
export function toSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7E]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

export const where = (scope: { cluster: string; service?: string }) => (scope.service ? `${scope.cluster}/${scope.service}` : scope.cluster);

// Remediation announcements and scaling notices are not switched by notify.events: they say what
// ecs-autopilot did to a service, or could not do.
const KIND_SWITCH: Record<Exclude<NotificationKind, 'remediation' | 'scaling'>, keyof AutopilotConfig['notify']['events']> = {
  'task-stopped': 'taskStopped',
  deployment: 'deployments',
  'service-action': 'serviceActions',
  'container-instance': 'containerInstances',
  alarm: 'alarms',
};

/** Why this notification must stay quiet, or undefined when it may go out. */
export function quietBecause(
  config: AutopilotConfig,
  tags: ParsedServiceTags | undefined,
  n: { kind: NotificationKind; status: NotificationStatus; severity: Severity; cause: string; cluster: string; service?: string },
): string | undefined {
  const switchName = n.kind === 'remediation' || n.kind === 'scaling' ? undefined : KIND_SWITCH[n.kind];
  if (switchName && !config.notify.events[switchName]) return `notify.events.${switchName} is off`;
  if (n.status === 'resolved' && !config.notify.events.resolved) return 'notify.events.resolved is off';
  // A resolved message answers an earlier one, so it is not held to the severity floor.
  if (n.status === 'firing' && !atLeast(n.severity, config.notify.minSeverity)) return `severity ${n.severity} is below notify.minSeverity ${config.notify.minSeverity}`;
  if (tags?.overrides.notify === false) return `service ${where(n)} is muted by its ecs-autopilot:notify tag`;
  if (tags?.overrides.muteCauses?.includes(n.cause as never)) return `cause '${n.cause}' is muted for ${where(n)} by its ecs-autopilot:mute-causes tag`;
  if (n.status === 'firing' && tags?.overrides.minSeverity && !atLeast(n.severity, tags.overrides.minSeverity)) {
    return `severity ${n.severity} is below the service's ecs-autopilot:min-severity ${tags.overrides.minSeverity}`;
  }
  return undefined;
}

type MessageCore = Omit<NotificationMessage, 'schema' | 'region' | 'account' | 'eventId' | 'eventTime' | 'decidedAt' | 'links'> & {
  links?: Record<string, string>;
};

/** Adds the notification to the plan unless something keeps it quiet; says which in the notes. */
export function propose(
  plan: Plan,
  config: AutopilotConfig,
  tags: ParsedServiceTags | undefined,
  signal: { eventId: string; time: string; region: string; account: string },
  now: Date,
  core: MessageCore,
): Notification | undefined {
  const quiet = quietBecause(config, tags, core);
  if (quiet) {
    plan.notes.push(`${core.kind} ${core.cause} in ${where(core)}: no notification: ${quiet}`);
    return undefined;
  }
  const links = { ...core.links, ...(core.service ? { service: serviceConsoleUrl(signal.region, core.cluster, core.service) } : {}) };
  const message: NotificationMessage = {
    schema: 'ecs-autopilot/notification@1',
    ...core,
    region: signal.region,
    account: signal.account,
    links,
    eventId: signal.eventId,
    eventTime: signal.time,
    decidedAt: now.toISOString(),
    ...(tags?.warnings.length ? { warnings: tags.warnings } : {}),
  };
  const notification: Notification = {
    kind: core.kind,
    status: core.status,
    severity: core.severity,
    cause: core.cause,
    cluster: core.cluster,
    ...(core.service ? { service: core.service } : {}),
    ...(tags?.overrides.receiver ? { receiver: tags.overrides.receiver } : {}),
    message,
  };
  plan.notifications.push(notification);
  return notification;
}

/** What the state table remembers about a service that is failing, so that its recovery is news. */
export interface ServiceHealth {
  failingSince: string;
  failures: number;
  lastFailureAt: string;
  lastCause: string;
}

export const healthKey = (cluster: string, service: string) => `health#${cluster}/${service}`;
/** Long enough to connect a recovery to its failures; a service quiet for longer starts afresh. */
export const HEALTH_TTL_SECONDS = 7 * 24 * 3600;

/** Records a failure of a service, so that a later steady state or completed deployment resolves it. */
export function recordFailure(plan: Plan, health: ServiceHealth | undefined, scope: { cluster: string; service?: string }, time: string, cause: string): void {
  if (!scope.service) return;
  const next: ServiceHealth = {
    failingSince: health?.failingSince ?? time,
    failures: (health?.failures ?? 0) + 1,
    lastFailureAt: time,
    lastCause: cause,
  };
  plan.writes.push({ key: healthKey(scope.cluster, scope.service), value: next, ttlSeconds: HEALTH_TTL_SECONDS });
}

export function recordRecovery(plan: Plan, scope: { cluster: string; service?: string }): void {
  if (scope.service) plan.writes.push({ key: healthKey(scope.cluster, scope.service), value: null, ttlSeconds: 60 });
}
