// A deployment failed and the circuit breaker will not roll it back (not enabled, or without
// rollback): update the service to the last task definition that reached a steady state.
import { currentRevision } from '../history.js';
import { noDecision, type Playbook } from '../types.js';
import { describeRevision, serviceTarget } from './common.js';

export const failedDeployment: Playbook<'failedDeployment'> = {
  name: 'failedDeployment',
  summary: 'roll back a failed deployment the circuit breaker does not roll back',
  actionTypes: ['rollback'],
  operations: ['update-service'],
  plan({ signal, view, history }) {
    if (signal.kind !== 'deployment-state-changed' || signal.eventName !== 'SERVICE_DEPLOYMENT_FAILED' || !signal.service) return noDecision();
    if (view?.circuitBreakerRollback) return noDecision('failed deployment: the circuit breaker rolls it back; nothing to do');
    const current = currentRevision(history, view);
    if (!current) return noDecision('failed deployment: the service\'s task definition is unknown');
    const steady = [...history.revisions].reverse().find((r) => r.taskDefinition !== current && r.steadySince && !r.crashLoopAt);
    if (!steady) return noDecision(`failed deployment: no earlier revision of ${describeRevision(current)} reached a steady state; nothing to roll back to`);
    return {
      actions: [
        {
          type: 'rollback',
          playbook: 'failedDeployment',
          cluster: signal.cluster,
          service: serviceTarget(signal.cluster, signal.service),
          reason: `deployment ${signal.deploymentId ?? ''} of ${describeRevision(current)} failed (${signal.reason ?? 'no reason given'}) and the circuit breaker ${view?.circuitBreakerRollback === false ? 'does not roll back' : 'rollback is not known to be on'}; ${describeRevision(steady.taskDefinition)} reached steady state at ${steady.steadySince}`.replace('deployment  of', 'the deployment of'),
          from: current,
          to: steady.taskDefinition,
          expect: { taskDefinition: current, noDeploymentSince: signal.time },
          undo: `update the service back to ${describeRevision(current)} (ecs-autopilot undo ID)`,
          eventIds: [signal.eventId],
        },
      ],
      timers: [],
      notes: [],
    };
  },
};
