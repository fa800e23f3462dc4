// The facts `explain` and `status` diagnose, as the adapters read them (shared/adapters/
// ecs-diagnosis-reader.ts, service-alarms.ts) and the state table holds them. Plain data: the
// diagnoses in this folder are pure functions of these and the clock.
import type { TaskStopped } from '../intake/signals.js';

/** A task as DescribeTasks has it, in the shape the classifier reads (the same as an event's). */
export type StoppedTaskFacts = Pick<
  TaskStopped,
  'region' | 'taskArn' | 'taskId' | 'cluster' | 'service' | 'taskDefinitionArn' | 'family' | 'revision' | 'launchType' | 'capacityProvider' | 'stopCode' | 'stoppedReason' | 'stoppedAt' | 'memory' | 'containers'
> & { lastStatus: string; startedAt?: string };

/**
 * A task definition reduced to what a diagnosis compares. Environment values and secret references
 * are never kept: each key maps to a one-way fingerprint, enough to say that a value changed.
 */
export interface TaskDefinitionFacts {
  arn: string;
  family: string;
  revision: number;
  cpu?: string;
  memory?: string;
  containers: Array<{
    name: string;
    image?: string;
    cpu?: number;
    memory?: number;
    memoryReservation?: number;
    environment: Record<string, string>;
    secrets: Record<string, string>;
  }>;
}

export interface ServiceFacts {
  cluster: string;
  service: string;
  status?: string;
  desired: number;
  running: number;
  pending: number;
  taskDefinition?: string;
  deployments: Array<{
    id: string;
    status: string;
    rolloutState?: string;
    rolloutStateReason?: string;
    taskDefinition: string;
    desired: number;
    running: number;
    failedTasks: number;
    createdAt?: string;
    updatedAt?: string;
  }>;
  /** The service's own event messages, most recent first, as ECS lists them. */
  events: Array<{ at: string; message: string }>;
  /** The service's tags (the ecs-autopilot:remediate opt-in among them); absent when ECS gave none. */
  tags?: Record<string, string>;
}

export interface AlarmFacts {
  name: string;
  state: string;
  reason?: string;
  metric?: string;
  updatedAt?: string;
}
