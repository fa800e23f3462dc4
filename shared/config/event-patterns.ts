// EventBridge event patterns, derived from the configuration so that EventBridge drops, before
// Lambda is invoked (and billed), every event decide() would ignore anyway. A unit test plays the
// fixtures through these patterns and decide() and checks that they agree.
import type { AutopilotConfig } from './schema.js';
import { clusterArnMatchers } from './cluster-filter.js';

export type EventPattern = Record<string, unknown>;

export interface NamedPattern {
  /** Becomes the rule name `ecs-autopilot-<stage>-<name>`. */
  name: string;
  description: string;
  pattern: EventPattern;
}

/**
 * Stopped tasks only (a task emits several state changes; only STOPPED is decided on). Scheduler
 * replacements during deployments and scale-in are dropped unless the `deployment` cause notifies.
 */
export function taskStoppedPattern(config: AutopilotConfig): EventPattern {
  const detail: Record<string, unknown> = { lastStatus: ['STOPPED'] };
  const clusters = clusterArnMatchers(config.clusters, 'cluster');
  if (clusters) detail.clusterArn = clusters;
  if (!(config.notify.causes.deployment?.notify ?? false)) {
    detail.stoppedReason = [{ 'anything-but': { prefix: 'Scaling activity initiated by' } }];
  }
  return { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail };
}

/** Service actions that mean trouble (WARN, ERROR) and the steady state that resolves them; deployments. */
function serviceEventsPattern(config: AutopilotConfig): EventPattern | undefined {
  const { serviceActions, deployments } = config.notify.events;
  const services = clusterArnMatchers(config.clusters, 'service');
  const types = [...(serviceActions ? ['ECS Service Action'] : []), ...(deployments ? ['ECS Deployment State Change'] : [])];
  if (types.length === 0) return undefined;
  const pattern: EventPattern = { source: ['aws.ecs'], 'detail-type': types };
  if (services) pattern.resources = services;
  if (serviceActions && !deployments) pattern.detail = { $or: [{ eventType: ['WARN', 'ERROR'] }, { eventName: ['SERVICE_STEADY_STATE'] }] };
  if (serviceActions && deployments) {
    pattern.detail = { $or: [{ eventType: ['WARN', 'ERROR'] }, { eventName: ['SERVICE_STEADY_STATE'] }, { eventName: [{ prefix: 'SERVICE_DEPLOYMENT_' }] }] };
  }
  return pattern;
}

/**
 * Container instances that start draining or whose agent disconnects. The steady stream of
 * resource updates of healthy instances (agentConnected true) never reaches Lambda; a timer checks
 * a disconnected agent again instead.
 */
function containerInstancePattern(config: AutopilotConfig): EventPattern | undefined {
  if (!config.notify.events.containerInstances) return undefined;
  const detail: Record<string, unknown> = { $or: [{ agentConnected: [false] }, { status: ['DRAINING'] }] };
  const clusters = clusterArnMatchers(config.clusters, 'cluster');
  if (clusters) detail.clusterArn = clusters;
  return { source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'], detail };
}

/** Alarms going to ALARM, and back to OK from ALARM (not from INSUFFICIENT_DATA). */
function alarmPattern(config: AutopilotConfig): EventPattern | undefined {
  if (!config.notify.events.alarms) return undefined;
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { $or: [{ state: { value: ['ALARM'] } }, { state: { value: ['OK'] }, previousState: { value: ['ALARM'] } }] },
  };
}

/** Every rule of the notify function, for serverless.yml and for the consistency test. */
export function notifyPatterns(config: AutopilotConfig): NamedPattern[] {
  const rules: Array<NamedPattern | undefined> = [
    config.notify.events.taskStopped ? { name: 'task-stopped', description: 'Stopped ECS tasks (deployment replacements filtered out)', pattern: taskStoppedPattern(config) } : undefined,
    withPattern('service-events', 'ECS service trouble, steady state and deployments', serviceEventsPattern(config)),
    withPattern('container-instances', 'ECS container instances draining or with a disconnected agent', containerInstancePattern(config)),
    withPattern('alarms', 'CloudWatch alarms to ALARM and back to OK', alarmPattern(config)),
  ];
  return rules.filter((r): r is NamedPattern => r !== undefined);
}

function withPattern(name: string, description: string, pattern: EventPattern | undefined): NamedPattern | undefined {
  return pattern ? { name, description, pattern } : undefined;
}

/**
 * The remediate function's rules: only the events the enabled playbooks read. No playbook enabled,
 * no rule: the function is never invoked and costs nothing.
 */
export function remediatePatterns(config: AutopilotConfig): NamedPattern[] {
  const on = config.remediate.playbooks;
  const clusters = clusterArnMatchers(config.clusters, 'cluster');
  const services = clusterArnMatchers(config.clusters, 'service');
  const inClusters = (detail: Record<string, unknown>) => (clusters ? { ...detail, clusterArn: clusters } : detail);
  const rules: Array<NamedPattern | undefined> = [];
  if (on.crashLoop.enabled || on.oomResize.enabled || on.capacityFallback.enabled) {
    rules.push({
      name: 'remediate-tasks',
      description: 'Stopped ECS tasks, for crash loops, OOM kills and Spot interruptions (deployment replacements filtered out)',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: inClusters({ lastStatus: ['STOPPED'], stoppedReason: [{ 'anything-but': { prefix: 'Scaling activity initiated by' } }] }) },
    });
  }
  const serviceEvents = [
    ...(on.crashLoop.enabled || on.failedDeployment.enabled ? ['SERVICE_STEADY_STATE', 'SERVICE_DEPLOYMENT_IN_PROGRESS'] : []),
    ...(on.failedDeployment.enabled ? ['SERVICE_DEPLOYMENT_FAILED'] : []),
    ...(on.capacityFallback.enabled ? ['SERVICE_TASK_PLACEMENT_FAILURE'] : []),
  ];
  if (serviceEvents.length > 0) {
    const pattern: EventPattern = { source: ['aws.ecs'], 'detail-type': ['ECS Service Action', 'ECS Deployment State Change'], detail: { eventName: [...new Set(serviceEvents)] } };
    if (services) pattern.resources = services;
    rules.push({ name: 'remediate-services', description: 'ECS steady states, deployments and placement failures the enabled playbooks read', pattern });
  }
  if (on.disconnectedAgent.enabled) {
    rules.push({
      name: 'remediate-instances',
      description: 'ECS container instances whose agent disconnected',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'], detail: inClusters({ agentConnected: [false] }) },
    });
  }
  if (on.unhealthyTargets.enabled) {
    rules.push({
      name: 'remediate-alarms',
      description: 'CloudWatch alarms on target group metrics going to ALARM',
      pattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] }, configuration: { metrics: { metricStat: { metric: { name: on.unhealthyTargets.metrics } } } } },
      },
    });
  }
  return rules.filter((r): r is NamedPattern => r !== undefined);
}
