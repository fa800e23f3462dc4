// ECS Service Action and ECS Deployment State Change: trouble a service reports about itself, the
// life of a deployment, and the steady state that tells a failing service has recovered.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
import type { AutopilotConfig } from '../config/schema.js';
import type { DeploymentStateChanged, ServiceAction } from '../intake/signals.js';
import type { Severity } from './causes.js';
import type { DecisionState } from './decide.js';
import { propose, recordFailure, recordRecovery, where } from './notification.js';
import type { Plan } from './plan.js';

interface Trouble {
  cause: string;
  severity: Severity;
  meaning: string;
  hint: string;
}

/** Service actions that mean trouble; anything else of type WARN or ERROR is reported as it comes. */
const SERVICE_TROUBLE: Record<string, Trouble> = {
  SERVICE_TASK_PLACEMENT_FAILURE: {
    cause: 'placement-failure',
    severity: 'critical',
    meaning: 'ECS cannot place the service\'s tasks: no capacity matches its CPU, memory, ports or constraints',
    hint: 'Read the reason (RESOURCE:MEMORY, RESOURCE:CPU, no container instance met the constraints); add capacity, loosen placement constraints, or check the capacity provider.',
  },
  SERVICE_TASK_START_IMPAIRED: {
    cause: 'task-start-impaired',
    severity: 'critical',
    meaning: 'the service cannot start tasks: they keep failing to launch',
    hint: 'Look at the service\'s stopped tasks for the stop reason (image pull, secrets, ENI, health checks); ecs-autopilot notifies each cause separately.',
  },
  SERVICE_DISCOVERY_INSTANCE_UNHEALTHY: {
    cause: 'service-discovery-unhealthy',
    severity: 'warning',
    meaning: 'Cloud Map reports the service\'s instances as unhealthy',
    hint: 'Check the service discovery health check configuration and the tasks it points at.',
  },
  ECS_OPERATION_THROTTLED: {
    cause: 'operation-throttled',
    severity: 'warning',
    meaning: 'ECS throttled operations of the service (API rate limits)',
    hint: 'Something calls ECS APIs for this service too often (a deploy loop, an autoscaler); spread the calls or raise the quota.',
  },
  SERVICE_TASK_CONFIGURATION_FAILURE: {
    cause: 'configuration-failure',
    severity: 'critical',
    meaning: 'the service\'s configuration stops ECS from running it (tags, IAM, load balancer)',
    hint: 'Read the reason; it names the part of the configuration ECS could not apply.',
  },
  SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED: {
    cause: 'placement-constraint-violated',
    severity: 'warning',
    meaning: 'a daemon task runs on an instance that no longer satisfies its placement constraints',
    hint: 'Check the instance attributes against the daemon service\'s constraints.',
  },
};

const pretty = (eventName: string) => eventName.toLowerCase().replace(/_/g, '-');

export function decideServiceAction(signal: ServiceAction, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const scope = { cluster: signal.cluster, service: signal.service };
  const serviceEvent = { eventName: signal.eventName, eventType: signal.eventType, ...(signal.reason ? { reason: signal.reason } : {}) };
  if (signal.eventName === 'SERVICE_STEADY_STATE') {
    const health = state.health;
    if (!health) {
      plan.notes.push(`service ${where(scope)} reached steady state; it was not failing`);
      return plan;
    }
    const resolved = propose(plan, config, state.serviceTags, signal, now, {
      kind: 'service-action',
      status: 'resolved',
      severity: 'info',
      cause: 'recovered',
      title: `Service ${where(scope)} is healthy again: steady state after ${health.failures} failure${health.failures === 1 ? '' : 's'} since ${health.failingSince}`,
      meaning: 'the service reached a steady state: its running count matches its desired count and its deployments are done',
      hint: `Nothing to do now; the last failure was ${health.lastCause} at ${health.lastFailureAt}.`,
      evidence: 'SERVICE_STEADY_STATE after failures recorded in the state table',
      ...scope,
      serviceEvent,
    });
    if (resolved) recordRecovery(plan, scope);
    return plan;
  }
  const known = SERVICE_TROUBLE[signal.eventName];
  const trouble: Trouble | undefined =
    known ??
    (signal.eventType === 'WARN' || signal.eventType === 'ERROR'
      ? {
          cause: pretty(signal.eventName),
          severity: signal.eventType === 'ERROR' ? 'critical' : 'warning',
          meaning: `ECS reported ${signal.eventName} for the service`,
          hint: 'This event is new to ecs-autopilot; read the reason, and please report it so it gets a proper hint.',
        }
      : undefined);
  if (!trouble) {
    plan.notes.push(`service action ${signal.eventName} (${signal.eventType}) needs no notification`);
    return plan;
  }
  const notification = propose(plan, config, state.serviceTags, signal, now, {
    kind: 'service-action',
    status: 'firing',
    severity: trouble.severity,
    cause: trouble.cause,
    title: `Service ${where(scope)}: ${trouble.meaning}${signal.reason ? ` (${signal.reason})` : ''}`,
    meaning: trouble.meaning,
    hint: trouble.hint,
    evidence: `ECS Service Action ${signal.eventName} (${signal.eventType})`,
    ...scope,
    serviceEvent,
  });
  if (notification) recordFailure(plan, state.health, scope, signal.time, trouble.cause);
  return plan;
}

export function decideDeployment(signal: DeploymentStateChanged, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const scope = { cluster: signal.cluster, service: signal.service };
  const from = state.deployment?.fromTaskDefinition;
  const to = state.deployment?.toTaskDefinition;
  const moving = from || to ? ` (${from ?? '?'} -> ${to ?? '?'})` : '';
  const deployment = {
    ...(signal.deploymentId ? { id: signal.deploymentId } : {}),
    eventName: signal.eventName,
    ...(signal.reason ? { reason: signal.reason } : {}),
    ...(from ? { fromTaskDefinition: from } : {}),
    ...(to ? { toTaskDefinition: to } : {}),
  };
  const base = { kind: 'deployment' as const, ...scope, deployment, evidence: `ECS Deployment State Change ${signal.eventName}${signal.reason ? `: ${signal.reason}` : ''}` };
  switch (signal.eventName) {
    case 'SERVICE_DEPLOYMENT_IN_PROGRESS': {
      const rollback = /roll(ing|ed)? ?back/i.test(signal.reason ?? '');
      propose(plan, config, state.serviceTags, signal, now, {
        ...base,
        status: 'firing',
        severity: rollback ? 'warning' : 'info',
        cause: rollback ? 'rollback-started' : 'deployment-started',
        title: `Service ${where(scope)}: ${rollback ? 'rolling back' : 'deployment started'}${moving}`,
        meaning: rollback ? 'ECS is rolling the service back to its last good deployment (circuit breaker or a user)' : 'a new deployment of the service started',
        hint: rollback ? 'The deployment failed; read the stopped tasks of the new revision for the cause.' : 'Nothing to do; ecs-autopilot tells you if it fails.',
      });
      return plan;
    }
    case 'SERVICE_DEPLOYMENT_COMPLETED': {
      const health = state.health;
      const notification = propose(plan, config, state.serviceTags, signal, now, {
        ...base,
        status: health ? 'resolved' : 'firing',
        severity: 'info',
        cause: 'deployment-completed',
        title: `Service ${where(scope)}: deployment completed${moving}${health ? `, healthy again after ${health.failures} failure${health.failures === 1 ? '' : 's'}` : ''}`,
        meaning: 'the deployment reached a steady state',
        hint: health ? `Nothing to do now; the last failure was ${health.lastCause} at ${health.lastFailureAt}.` : 'Nothing to do.',
      });
      if (notification && health) recordRecovery(plan, scope);
      return plan;
    }
    case 'SERVICE_DEPLOYMENT_FAILED': {
      const notification = propose(plan, config, state.serviceTags, signal, now, {
        ...base,
        status: 'firing',
        severity: 'critical',
        cause: 'deployment-failed',
        title: `Service ${where(scope)}: deployment failed${moving}${signal.reason ? `: ${signal.reason}` : ''}`,
        meaning: 'the deployment circuit breaker stopped the deployment',
        hint: 'Read the stopped tasks of the new revision for the cause; if the circuit breaker does not roll back, the service may run a mix of revisions.',
      });
      if (notification) recordFailure(plan, state.health, scope, signal.time, 'deployment-failed');
      return plan;
    }
    default:
      plan.notes.push(`deployment event ${signal.eventName} needs no notification`);
      return plan;
  }
}
