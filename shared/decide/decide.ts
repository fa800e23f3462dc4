// decide(signal, state, config, now) -> Plan. Pure: no I/O, no clock but `now`, no environment.
// Dry-run, `replay --offline` and the deployed handler all call this same function.
import { isClusterWatched } from '../config/cluster-filter.js';
import type { ParsedServiceTags } from '../config/service-tags.js';
import type { AutopilotConfig } from '../config/schema.js';
import type { Signal } from '../intake/signals.js';
import { decideAlarm } from './alarm.js';
import { type AgentDisconnect, decideAgentCheck, decideContainerInstance } from './container-instance.js';
import type { ServiceHealth } from './notification.js';
import type { Plan } from './plan.js';
import { decideDeployment, decideServiceAction } from './service-events.js';
import { decideTaskStopped } from './task-stopped.js';

/** What the pipeline knows besides the event itself, gathered by adapters before deciding. */
export interface DecisionState {
  /** The service's ecs-autopilot:* tags, parsed; absent when tags are off or unknown (offline). */
  serviceTags?: ParsedServiceTags;
  /** The service's failures since it was last healthy, from the state table. */
  health?: ServiceHealth;
  /** A container instance's agent disconnect, from the state table. */
  agent?: AgentDisconnect;
  /** The task definitions a deployment moves between, from DescribeServices. */
  deployment?: { fromTaskDefinition?: string; toTaskDefinition?: string };
  /** The last lines the failed container logged. */
  logTail?: { lines: string[]; logGroup: string; logStream: string; logStreamUrl?: string } | { unavailable: string };
  /** A container instance's agent as ECS sees it now, read when a disconnect timer fires. */
  agentNow?: { agentConnected: boolean; status: string };
  /** The ECS service a CloudWatch alarm watches. */
  alarmService?: { cluster: string; service: string; via: string } | { unresolved: string };
}

export function emptyPlan(signal: Signal): Plan {
  return { eventId: signal.eventId, signalKind: signal.kind, notifications: [], writes: [], timers: [], notes: [] };
}

export function decide(signal: Signal, state: DecisionState, config: AutopilotConfig, now: Date): Plan {
  const plan = emptyPlan(signal);
  if ('cluster' in signal && signal.cluster && !isClusterWatched(config.clusters, signal.cluster)) {
    plan.notes.push(`cluster '${signal.cluster}' is not watched (clusters.include / clusters.exclude)`);
    return plan;
  }
  switch (signal.kind) {
    case 'task-stopped':
      return decideTaskStopped(signal, state, config, now, plan);
    case 'service-action':
      return decideServiceAction(signal, state, config, now, plan);
    case 'deployment-state-changed':
      return decideDeployment(signal, state, config, now, plan);
    case 'container-instance-state-changed':
      return decideContainerInstance(signal, state, config, now, plan);
    case 'alarm-state-changed':
      return decideAlarm(signal, state, config, now, plan);
    case 'timer':
      if (signal.body.type === 'agent-check') return decideAgentCheck(signal, signal.body, state, config, now, plan);
      if (signal.body.type === 'group-flush') plan.notes.push(`group ${signal.body.group}: flushed by the pipeline`);
      else plan.notes.push(`timer ${signal.body.type} belongs to remediation`);
      return plan;
    default:
      plan.notes.push(`no decision is made for ${signal.kind} events yet`);
      return plan;
  }
}
