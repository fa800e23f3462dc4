// A stopped task: classify it, and notify when the cause is a failure the config and the service's
// tags want to hear about. A failure also marks the service as failing, so its recovery is news.
import type { AutopilotConfig } from '../config/schema.js';
import type { TaskStopped } from '../intake/signals.js';
import { CAUSE_DEFAULTS } from './causes.js';
import { classifyStoppedTask } from './classify-stopped-task.js';
import { taskConsoleUrl } from './console-links.js';
import type { DecisionState } from './decide.js';
import { propose, recordFailure, where } from './notification.js';
import type { Plan } from './plan.js';

/** The cause's hint, made specific with what the event says: the memory limit, the target group. */
export function specificHint(task: Pick<TaskStopped, 'memory' | 'stoppedReason'>, cause: string, container: TaskStopped['containers'][number] | undefined, generic: string): string {
  if (cause === 'oom') {
    const limit = container?.memory ? `container '${container.name}' has a hard limit of ${container.memory} MiB` : undefined;
    const total = task.memory ? `the task has ${task.memory} MiB` : undefined;
    const facts = [limit, total].filter(Boolean).join(' and ');
    const suggested = container?.memory ? Math.ceil((Number(container.memory) * 1.5) / 128) * 128 : undefined;
    const taskMemory = Number(task.memory);
    const next =
      suggested === undefined
        ? ''
        : ` Raising the container to about ${suggested} MiB buys room while you look for the leak${taskMemory && suggested > taskMemory ? `; that needs the task's memory raised from ${task.memory} MiB too` : ''}.`;
    return facts ? `${facts[0]!.toUpperCase()}${facts.slice(1)}. ${generic}${next}` : generic;
  }
  if (cause === 'health-check') {
    const targetGroup = /target-?group[ /]*(arn:[^\s)]+)/i.exec(task.stoppedReason ?? '')?.[1];
    if (targetGroup) return `The load balancer's health check of target group ${targetGroup.slice(targetGroup.indexOf('targetgroup/') + 12 || 0)} failed. ${generic}`;
    if (/container health/i.test(task.stoppedReason ?? '')) return `The container health check in the task definition failed. ${generic}`;
  }
  return generic;
}

export function decideTaskStopped(task: TaskStopped, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const classification = classifyStoppedTask(task);
  const { cause } = classification;
  const defaults = CAUSE_DEFAULTS[cause];
  const override = config.notify.causes[cause];
  const severity = override?.severity ?? defaults.severity;
  if (state.serviceTags) plan.notes.push(...state.serviceTags.warnings);

  if (!(override?.notify ?? defaults.notify)) {
    plan.notes.push(`task ${task.taskId} stopped: ${cause}; no notification: cause '${cause}' does not notify (notify.causes.${cause}.notify)`);
    return plan;
  }
  const container = classification.container;
  const place = task.service ? `Service ${where(task)}` : `Task in ${task.cluster} (task ${task.taskId})`;
  const title = `${place}: ${defaults.meaning}${container ? ` (container '${container.name}'${container.exitCode !== undefined ? `, exit code ${container.exitCode}` : ''})` : ''}`;
  const logTail = state.logTail;
  const notification = propose(plan, config, state.serviceTags, task, now, {
    kind: 'task-stopped',
    status: 'firing',
    severity,
    cause,
    title,
    meaning: defaults.meaning,
    hint: specificHint(task, cause, container, defaults.hint),
    evidence: classification.evidence,
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
    ...(logTail ? { logTail: 'unavailable' in logTail ? logTail : { lines: logTail.lines, logGroup: logTail.logGroup, logStream: logTail.logStream } } : {}),
    links: {
      task: taskConsoleUrl(task.region, task.cluster, task.taskId),
      ...(logTail && 'logStreamUrl' in logTail && logTail.logStreamUrl ? { logs: logTail.logStreamUrl } : {}),
    },
  });
  if (notification) recordFailure(plan, state.health, task, task.time, cause);
  return plan;
}
