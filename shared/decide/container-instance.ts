// Container instances: an instance that starts draining is news; an agent that disconnects is news
// only if it stays disconnected past a threshold, because agents reconnect several times an hour
// as normal operation. The disconnect is remembered in the state table and checked again by a
// timer (or by the instance's next event), and its reconnection resolves the notification.
import type { AutopilotConfig } from '../config/schema.js';
import type { ContainerInstanceStateChanged, TimerBody, TimerFired } from '../intake/signals.js';
import type { DecisionState } from './decide.js';
import { propose } from './notification.js';
import type { Plan } from './plan.js';

export interface AgentDisconnect {
  disconnectedSince: string;
  notified: boolean;
  cluster: string;
  ec2InstanceId?: string;
}

export const agentKey = (containerInstanceArn: string) => `agent#${containerInstanceArn}`;
const AGENT_TTL_SECONDS = 7 * 24 * 3600;

type InstanceFacts = Pick<ContainerInstanceStateChanged, 'cluster' | 'containerInstanceArn' | 'ec2InstanceId' | 'status' | 'agentConnected'>;
type SignalFacts = { eventId: string; time: string; region: string; account: string };

function instanceName(i: { containerInstanceArn: string; ec2InstanceId?: string }): string {
  return i.ec2InstanceId ?? i.containerInstanceArn.slice(i.containerInstanceArn.lastIndexOf('/') + 1);
}

/** Notifies a disconnect that has lasted past the threshold, once. Shared by events and timers. */
export function checkDisconnect(instance: InstanceFacts, signal: SignalFacts, record: AgentDisconnect, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): void {
  const threshold = config.notify.containerInstances.disconnectedAfterSeconds;
  const seconds = Math.round((now.getTime() - Date.parse(record.disconnectedSince)) / 1000);
  if (record.notified) return;
  if (seconds < threshold) {
    plan.notes.push(`agent of ${instanceName(instance)} disconnected ${seconds} s ago; notifies after ${threshold} s`);
    return;
  }
  const notification = propose(plan, config, state.serviceTags, signal, now, {
    kind: 'container-instance',
    status: 'firing',
    severity: 'critical',
    cause: 'agent-disconnected',
    title: `Container instance ${instanceName(instance)} in ${instance.cluster}: ECS agent disconnected for ${Math.round(seconds / 60)} min`,
    meaning: 'the ECS agent on the instance has not reconnected: ECS cannot start, stop or see tasks there',
    hint: 'Check the instance (SSM Session Manager), the ecs agent service (systemctl status ecs), disk space and the route to the ECS endpoint; draining and replacing the instance moves its tasks.',
    evidence: `agentConnected false since ${record.disconnectedSince} (threshold ${threshold} s)`,
    cluster: instance.cluster,
    containerInstance: { arn: instance.containerInstanceArn, ...(instance.ec2InstanceId ? { ec2InstanceId: instance.ec2InstanceId } : {}), status: instance.status, agentConnected: false },
  });
  if (notification) plan.writes.push({ key: agentKey(instance.containerInstanceArn), value: { ...record, notified: true }, ttlSeconds: AGENT_TTL_SECONDS });
}

export function decideContainerInstance(signal: ContainerInstanceStateChanged, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const record = state.agent;
  const containerInstance = { arn: signal.containerInstanceArn, ...(signal.ec2InstanceId ? { ec2InstanceId: signal.ec2InstanceId } : {}), status: signal.status, agentConnected: signal.agentConnected };
  if (signal.status === 'DRAINING') {
    propose(plan, config, state.serviceTags, signal, now, {
      kind: 'container-instance',
      status: 'firing',
      severity: 'warning',
      cause: 'instance-draining',
      title: `Container instance ${instanceName(signal)} in ${signal.cluster} is draining`,
      meaning: 'the instance is being drained: ECS moves its service tasks elsewhere and places no new ones there',
      hint: 'Expected during scale-in, Spot interruption or an AMI update; if not, check who set it (CloudTrail UpdateContainerInstancesState) and that the cluster has room for the moved tasks.',
      evidence: `container instance status ${signal.status}`,
      cluster: signal.cluster,
      containerInstance,
    });
  }
  if (!signal.agentConnected) {
    if (!record) {
      const fresh: AgentDisconnect = { disconnectedSince: signal.time, notified: false, cluster: signal.cluster, ...(signal.ec2InstanceId ? { ec2InstanceId: signal.ec2InstanceId } : {}) };
      plan.writes.push({ key: agentKey(signal.containerInstanceArn), value: fresh, ttlSeconds: AGENT_TTL_SECONDS });
      plan.timers.push({ delaySeconds: config.notify.containerInstances.disconnectedAfterSeconds, body: { type: 'agent-check', containerInstanceArn: signal.containerInstanceArn, cluster: signal.cluster, ...(signal.ec2InstanceId ? { ec2InstanceId: signal.ec2InstanceId } : {}) } });
      plan.notes.push(`agent of ${instanceName(signal)} disconnected; checked again in ${config.notify.containerInstances.disconnectedAfterSeconds} s`);
    } else {
      checkDisconnect(signal, signal, record, state, config, now, plan);
    }
    return plan;
  }
  if (record) reconnected(signal, signal, record, state, config, now, plan, 'agentConnected true in the instance\'s event');
  return plan;
}

/** The agent is back: say so if its disconnect was notified, and forget the disconnect. */
function reconnected(instance: InstanceFacts, signal: SignalFacts, record: AgentDisconnect, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan, evidence: string): void {
  if (record.notified) {
    propose(plan, config, state.serviceTags, signal, now, {
      kind: 'container-instance',
      status: 'resolved',
      severity: 'info',
      cause: 'agent-disconnected',
      title: `Container instance ${instanceName(instance)} in ${instance.cluster}: ECS agent reconnected (disconnected since ${record.disconnectedSince})`,
      meaning: 'the ECS agent is connected again',
      hint: 'Nothing to do now; if it keeps happening, look at the instance\'s agent logs (/var/log/ecs).',
      evidence,
      cluster: instance.cluster,
      containerInstance: { arn: instance.containerInstanceArn, ...(instance.ec2InstanceId ? { ec2InstanceId: instance.ec2InstanceId } : {}), status: instance.status, agentConnected: true },
    });
  }
  plan.writes.push({ key: agentKey(instance.containerInstanceArn), value: null, ttlSeconds: 60 });
}

/** How often a notified disconnect is re-checked, for the reconnection message: SQS's longest delay. */
const RECHECK_SECONDS = 900;

/** The disconnect timer fired: notify if the agent is still away, resolve if it is back, re-check later. */
export function decideAgentCheck(signal: TimerFired, body: Extract<TimerBody, { type: 'agent-check' }>, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const record = state.agent;
  if (!record) {
    plan.notes.push('the agent reconnected before the check');
    return plan;
  }
  const instance: InstanceFacts = {
    cluster: body.cluster,
    containerInstanceArn: body.containerInstanceArn,
    ...(body.ec2InstanceId ? { ec2InstanceId: body.ec2InstanceId } : {}),
    status: state.agentNow?.status ?? 'ACTIVE',
    agentConnected: state.agentNow?.agentConnected ?? false,
  };
  if (state.agentNow?.agentConnected) {
    reconnected(instance, signal, record, state, config, now, plan, 'DescribeContainerInstances says the agent is connected');
    return plan;
  }
  checkDisconnect(instance, signal, record, state, config, now, plan);
  // Keep watching a notified disconnect (online only: offline nothing can tell the reconnection).
  const notified = record.notified || plan.notifications.length > 0;
  if (notified && state.agentNow) plan.timers.push({ delaySeconds: RECHECK_SECONDS, body });
  return plan;
}
