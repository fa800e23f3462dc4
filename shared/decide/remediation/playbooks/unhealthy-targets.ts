// An alarm on a service's target group (unhealthy hosts, target 5XX) goes off: force a new
// deployment, which replaces the tasks one by one under the service's deployment settings. The
// executor's cooldown makes it at most once per cooldown; a deployment already rolling is left alone.
import { noDecision, type Playbook } from '../types.js';
import { serviceTarget } from './common.js';

export const unhealthyTargets: Playbook<'unhealthyTargets'> = {
  name: 'unhealthyTargets',
  summary: 'restart a service whose target group alarm fires',
  actionTypes: ['restart'],
  operations: ['update-service'],
  plan({ signal, settings, view }) {
    if (signal.kind !== 'alarm-state-changed' || signal.state !== 'ALARM') return noDecision();
    const watched = signal.metricNames.filter((m) => settings.metrics.includes(m));
    if (watched.length === 0 && !signal.dimensions.TargetGroup) return noDecision(`alarm ${signal.alarmName} does not watch a target group metric (${settings.metrics.join(', ')})`);
    if (!view) return noDecision(`alarm ${signal.alarmName}: no ECS service found behind it`);
    // A rollout replacing tasks has the new deployment and the old one still draining.
    const rolling = view.deployments.length > 1 ? view.deployments.find((d) => d.rolloutState === 'IN_PROGRESS') : undefined;
    if (rolling) return noDecision(`alarm ${signal.alarmName}: deployment ${rolling.id} is already rolling out; not restarting over it`);
    return {
      actions: [
        {
          type: 'restart',
          playbook: 'unhealthyTargets',
          cluster: view.cluster,
          service: serviceTarget(view.cluster, view.service),
          reason: `alarm ${signal.alarmName} (${watched.join(', ') || 'target group'}) is in ALARM: ${signal.reason ?? 'no reason given'}`,
          expect: { ...(view.taskDefinition ? { taskDefinition: view.taskDefinition } : {}), noDeploymentSince: signal.time },
          undo: 'nothing to undo: a new deployment of the same task definition replaced the tasks',
          eventIds: [signal.eventId],
        },
      ],
      timers: [],
      notes: [],
    };
  },
};
