// decideRemediation(signal, state, config, now): what the service's history becomes with this
// event, and what the opted-in playbooks want done. Pure, like decide(); the executor applies the
// safety gates (kill switch, dry-run, live state, cooldowns, budgets) before anything is written.
import type { RemediateConfig, PlaybookName } from '../../config/schema-remediate.js';
import type { Signal } from '../../intake/signals.js';
import { classifyStoppedTask } from '../classify-stopped-task.js';
import {
  type AgentRecord,
  currentRevision,
  emptyHistory,
  failuresInWindow,
  markCrashLoop,
  observeCapacityFailure,
  observeFailure,
  observeRevision,
  observeSteadyState,
  type ServiceHistory,
} from './history.js';
import { PLAYBOOKS } from './playbooks/index.js';
import type { ContainerMemory, InstanceView, PlannedRemediation, RemediationDecision, ServiceView } from './types.js';

export interface RemediationState {
  history?: ServiceHistory;
  agent?: AgentRecord;
  view?: ServiceView;
  instance?: InstanceView;
  memory?: ContainerMemory;
}

export interface RemediationPlan extends RemediationDecision {
  /** The service history to store (unchanged: undefined). */
  history?: ServiceHistory;
  /** The agent record to store; null clears it. */
  agent?: AgentRecord | null;
}

const FAILURE_CAUSES = new Set(['app-exit', 'oom', 'health-check', 'task-init', 'image-pull', 'unknown']);

/** The history after this event: revisions seen, steady states, failures, capacity shortfalls. */
export function observe(signal: Signal, known: ServiceHistory, view: ServiceView | undefined, config: RemediateConfig, now: Date): ServiceHistory {
  // Online, the live service says which revision runs and since when its deployment exists.
  const primary = view?.deployments.find((d) => d.status === 'PRIMARY' && d.taskDefinition === view.taskDefinition);
  const history = view?.source === 'live' && view.taskDefinition ? observeRevision(known, view.taskDefinition, primary?.createdAt ?? signal.time) : known;
  switch (signal.kind) {
    case 'task-state-changed':
      return signal.service ? observeRevision(history, signal.taskDefinitionArn, signal.time) : history;
    case 'task-stopped': {
      if (!signal.service) return history;
      let next = observeRevision(history, signal.taskDefinitionArn, signal.time);
      const { cause } = classifyStoppedTask(signal);
      if (cause === 'spot-interruption') next = observeCapacityFailure(next, { id: signal.taskArn, at: signal.time }, now);
      if (FAILURE_CAUSES.has(cause)) next = observeFailure(next, { taskArn: signal.taskArn, at: signal.stoppedAt ?? signal.time, cause, ...(signal.taskDefinitionArn ? { taskDefinition: signal.taskDefinitionArn } : {}) }, now);
      const current = currentRevision(next, view);
      const loop = config.playbooks.crashLoop;
      if (current && failuresInWindow(next, now, loop.window, loop.causes, current).length >= loop.failures) next = markCrashLoop(next, current, signal.time);
      return next;
    }
    case 'service-action':
      if (signal.eventName === 'SERVICE_STEADY_STATE') return observeSteadyState(history, view?.source === 'live' ? view.taskDefinition : undefined, signal.time);
      if (signal.eventName === 'SERVICE_TASK_PLACEMENT_FAILURE') return observeCapacityFailure(history, { id: signal.eventId, at: signal.time }, now);
      return history;
    case 'deployment-state-changed':
      return signal.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' ? { ...history, lastDeploymentAt: signal.time } : history;
    default:
      return history;
  }
}

function observeAgent(signal: Signal, agent: AgentRecord | undefined): AgentRecord | null | undefined {
  if (signal.kind !== 'container-instance-state-changed') return undefined;
  if (signal.agentConnected || signal.status !== 'ACTIVE') return agent ? null : undefined;
  if (agent) return agent.eventIds.includes(signal.eventId) ? undefined : { ...agent, eventIds: [...agent.eventIds, signal.eventId].slice(-10) };
  return { disconnectedSince: signal.time, eventIds: [signal.eventId] };
}

export function decideRemediation(signal: Signal, state: RemediationState, config: RemediateConfig, playbooks: PlaybookName[], now: Date): RemediationPlan {
  const before = state.history ?? emptyHistory();
  let history = observe(signal, before, state.view, config, now);
  // A re-check that finds the agent back clears the disconnect, so a later one starts afresh.
  const reconnected = signal.kind === 'timer' && signal.body.type === 'remediate-agent-check' && state.instance?.agentConnected && state.agent;
  const agentChange = reconnected ? null : observeAgent(signal, state.agent);
  const agent = agentChange === undefined ? state.agent : (agentChange ?? undefined);
  const decision: RemediationDecision = { actions: [], timers: [], notes: [] };
  for (const name of playbooks) {
    const playbook = PLAYBOOKS[name] as (typeof PLAYBOOKS)[PlaybookName];
    const result = (playbook.plan as (input: unknown) => RemediationDecision)({ signal, settings: config.playbooks[name], config, view: state.view, instance: state.instance, memory: state.memory, history, agent, now });
    decision.actions.push(...result.actions);
    decision.timers.push(...result.timers);
    decision.notes.push(...result.notes);
  }
  // A fallback planned now is remembered with the strategy to return to; the restore check reads it.
  const fallback = decision.actions.find((a): a is PlannedRemediation & { from: NonNullable<PlannedRemediation['from']> } => a.type === 'capacity-fallback' && Array.isArray(a.from));
  if (fallback && Array.isArray(fallback.from)) history = { ...history, fallback: { original: fallback.from, since: signal.time } };
  if (decision.actions.some((a) => a.type === 'capacity-restore')) history = { ...history, fallback: undefined };
  return {
    ...decision,
    ...(history !== before ? { history } : {}),
    ...(agentChange !== undefined ? { agent: agentChange } : {}),
  };
}
