// The remediation plan: what a playbook wants done, as plain data. The executor
// (shared/execute/remediate-event.ts) applies the safety gates and carries it out; `replay
// --offline` prints it. A playbook never calls AWS and never checks a limit itself.
import type { PlaybookName, RemediateConfig } from '../../config/schema-remediate.js';
import type { Signal } from '../../intake/signals.js';
import type { TimerRequest } from '../plan.js';

export type { PlaybookName };

export const REMEDIATION_TYPES = ['rollback', 'pause', 'drain-instance', 'restart', 'capacity-fallback', 'capacity-restore', 'resize-memory'] as const;
export type RemediationType = (typeof REMEDIATION_TYPES)[number];

/** The AWS writes an action may make; each playbook declares the ones its actions use (IAM is built from them). */
export const REMEDIATION_OPERATIONS = ['update-service', 'set-instance-draining', 'replace-asg-instance', 'register-task-definition'] as const;
export type RemediationOperation = (typeof REMEDIATION_OPERATIONS)[number];

export interface CapacityItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

/** A service as it is now: from DescribeServices online, from this run's own events offline. */
export interface ServiceView {
  cluster: string;
  service: string;
  /** Full task definition ARN the service runs (its PRIMARY deployment). */
  taskDefinition?: string;
  desiredCount?: number;
  deployments: Array<{ id: string; status: string; taskDefinition: string; createdAt?: string; rolloutState?: string }>;
  capacityProviderStrategy: CapacityItem[];
  /** Whether the deployment circuit breaker rolls back; undefined when unknown (offline). */
  circuitBreakerRollback?: boolean;
  source: 'live' | 'history';
}

/** A container instance as ECS sees it now. */
export interface InstanceView {
  containerInstanceArn: string;
  cluster: string;
  status: string;
  agentConnected: boolean;
  ec2InstanceId?: string;
}

/** The memory settings of the container an OOM kill implicated, from DescribeTaskDefinition (or the event). */
export interface ContainerMemory {
  taskDefinition: string;
  container: string;
  /** Hard limit (memory) in MiB; undefined when the container sets only memoryReservation or none. */
  memoryMiB?: number;
  /** Task-level memory in MiB (Fargate requires it; a container limit must fit in it). */
  taskMemoryMiB?: number;
}

export interface PlannedRemediation {
  type: RemediationType;
  playbook: PlaybookName;
  cluster: string;
  /** `CLUSTER/SERVICE` for actions on a service. */
  service?: string;
  containerInstance?: string;
  reason: string;
  /** rollback and resize-memory: task definition ARNs; pause: desired counts; capacity-*: strategies. */
  from?: string | number | CapacityItem[];
  to?: string | number | CapacityItem[];
  /** resize-memory: the container and its new hard limit. */
  memory?: { container: string; fromMiB: number; toMiB: number };
  /** replace the instance in its Auto Scaling group after draining it. */
  replaceInstance?: boolean;
  /** What the target must still look like when the executor acts; otherwise the event is stale. */
  expect: { taskDefinition?: string; noDeploymentSince?: string; agentDisconnected?: boolean };
  /** How to undo, in words (the audit record carries the exact reversal). */
  undo: string;
  eventIds: string[];
}

export interface RemediationDecision {
  actions: PlannedRemediation[];
  timers: TimerRequest[];
  notes: string[];
}

export interface PlaybookInput<S> {
  signal: Signal;
  settings: S;
  config: RemediateConfig;
  view?: ServiceView;
  instance?: InstanceView;
  memory?: ContainerMemory;
  history: import('./history.js').ServiceHistory;
  agent?: import('./history.js').AgentRecord;
  now: Date;
}

/** A playbook: one file in playbooks/, listed in playbooks/index.ts. */
export interface Playbook<N extends PlaybookName = PlaybookName> {
  name: N;
  /** One line for the README and notifications. */
  summary: string;
  actionTypes: RemediationType[];
  operations: RemediationOperation[];
  plan(input: PlaybookInput<RemediateConfig['playbooks'][N]>): RemediationDecision;
}

export const OPERATIONS_OF: Record<RemediationType, RemediationOperation[]> = {
  rollback: ['update-service'],
  pause: ['update-service'],
  restart: ['update-service'],
  'capacity-fallback': ['update-service'],
  'capacity-restore': ['update-service'],
  'drain-instance': ['set-instance-draining', 'replace-asg-instance'],
  'resize-memory': ['register-task-definition', 'update-service'],
};

export const noDecision = (...notes: string[]): RemediationDecision => ({ actions: [], timers: [], notes });
