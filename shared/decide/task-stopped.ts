// A stopped task: classify it, and notify when the cause is a failure the config and the service's
// tags want to hear about.
import type { AutopilotConfig } from '../config/schema.js';
import type { TaskStopped } from '../intake/signals.js';
import { CAUSE_DEFAULTS, SEVERITIES, type Severity } from './causes.js';
import { classifyStoppedTask } from './classify-stopped-task.js';
import { serviceConsoleUrl, taskConsoleUrl } from './console-links.js';
import type { DecisionState } from './decide.js';
import type { NotificationMessage, NotifyAction, Plan } from './plan.js';

/** True when `severity` is at least as severe as `floor` (critical > warning > info). */
export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(floor);
}

/** SNS subjects must be ASCII, without line breaks, at most 100 characters. */
function toSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7E]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

export function decideTaskStopped(task: TaskStopped, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const classification = classifyStoppedTask(task);
  const { cause } = classification;
  const defaults = CAUSE_DEFAULTS[cause];
  const override = config.notify.causes[cause];
  const severity = override?.severity ?? defaults.severity;
  const tags = state.serviceTags;
  if (tags) plan.notes.push(...tags.warnings);

  const where = task.service ? `${task.cluster}/${task.service}` : `${task.cluster} (task ${task.taskId})`;
  const silencedBecause = (() => {
    if (!(override?.notify ?? defaults.notify)) return `cause '${cause}' does not notify (notify.causes.${cause}.notify)`;
    if (!atLeast(severity, config.notify.minSeverity)) return `severity ${severity} is below notify.minSeverity ${config.notify.minSeverity}`;
    if (tags?.overrides.notify === false) return `service ${where} is muted by its ecs-autopilot:notify tag`;
    if (tags?.overrides.muteCauses?.includes(cause)) return `cause '${cause}' is muted for ${where} by its ecs-autopilot:mute-causes tag`;
    if (tags?.overrides.minSeverity && !atLeast(severity, tags.overrides.minSeverity)) {
      return `severity ${severity} is below the service's ecs-autopilot:min-severity ${tags.overrides.minSeverity}`;
    }
    return undefined;
  })();
  if (silencedBecause) {
    plan.notes.push(`task ${task.taskId} stopped: ${cause}; no notification: ${silencedBecause}`);
    return plan;
  }

  const container = classification.container;
  const title = `${task.service ? `Service ${where}` : `Task in ${where}`}: ${defaults.meaning}${container ? ` (container '${container.name}'${container.exitCode !== undefined ? `, exit code ${container.exitCode}` : ''})` : ''}`;
  const links: Record<string, string> = { task: taskConsoleUrl(task.region, task.cluster, task.taskId) };
  if (task.service) links.service = serviceConsoleUrl(task.region, task.cluster, task.service);

  const message: NotificationMessage = {
    schema: 'ecs-autopilot/notification@1',
    kind: task.kind,
    severity,
    cause,
    title,
    meaning: defaults.meaning,
    hint: defaults.hint,
    evidence: classification.evidence,
    region: task.region,
    account: task.account,
    cluster: task.cluster,
    ...(task.service ? { service: task.service } : {}),
    task: {
      arn: task.taskArn,
      id: task.taskId,
      taskDefinitionArn: task.taskDefinitionArn,
      family: task.family,
      revision: task.revision,
      launchType: task.launchType,
      capacityProvider: task.capacityProvider,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      stoppedAt: task.stoppedAt,
      containers: task.containers.map(({ name, image, exitCode, reason }) => ({ name, image, exitCode, reason })),
      ...(container && task.containers.includes(container) ? { implicatedContainer: task.containers.indexOf(container) } : {}),
    },
    links,
    eventId: task.eventId,
    eventTime: task.time,
    decidedAt: now.toISOString(),
    ...(tags?.warnings.length ? { warnings: tags.warnings } : {}),
  };
  const action: NotifyAction = {
    type: 'notify',
    severity,
    cause,
    kind: task.kind,
    cluster: task.cluster,
    ...(task.service ? { service: task.service } : {}),
    subject: toSubject(`[${severity}] ${cause}: ${where}`),
    message,
  };
  plan.actions.push(action);
  return plan;
}
