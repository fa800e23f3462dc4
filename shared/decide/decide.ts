// decide(signal, state, config, now) -> Plan. Pure: no I/O, no clock but `now`, no environment.
// Dry-run, `replay --offline` and the deployed handler all call this same function.
import type { ParsedServiceTags } from '../config/service-tags.js';
import type { AutopilotConfig } from '../config/schema.js';
import { isClusterWatched } from '../config/cluster-filter.js';
import type { Signal } from '../intake/signals.js';
import { decideTaskStopped } from './task-stopped.js';
import type { Plan } from './plan.js';

/** What the pipeline knows besides the event itself, gathered by adapters before deciding. */
export interface DecisionState {
  /** The service's ecs-autopilot:* tags, parsed; absent when tags are off or unknown (offline). */
  serviceTags?: ParsedServiceTags;
}

export function decide(signal: Signal, state: DecisionState, config: AutopilotConfig, now: Date): Plan {
  const plan: Plan = { eventId: signal.eventId, signalKind: signal.kind, actions: [], notes: [] };
  if ('cluster' in signal && signal.cluster && !isClusterWatched(config.clusters, signal.cluster)) {
    plan.notes.push(`cluster '${signal.cluster}' is not watched (clusters.include / clusters.exclude)`);
    return plan;
  }
  switch (signal.kind) {
    case 'task-stopped':
      return decideTaskStopped(signal, state, config, now, plan);
    default:
      plan.notes.push(`no decision is made for ${signal.kind} events yet`);
      return plan;
  }
}
