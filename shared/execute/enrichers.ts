// Enrichment the pipeline asks adapters for once a plan will say something: service tags, the
// failed container's last log lines, the task definitions a deployment moves between, the service
// an alarm watches. Each never throws; a failure becomes a sentence in the notification.
import type { ServiceTagReader } from '../adapters/ecs-service-tags.js';
import type { DecisionState } from '../decide/decide.js';
import type { AlarmStateChanged } from '../intake/signals.js';

export interface Enrichers {
  serviceTags: ServiceTagReader;
  logTail(input: { taskDefinitionArn: string; containerName: string; taskId: string; region: string }, lines: number, now: Date): Promise<NonNullable<DecisionState['logTail']>>;
  deployment(cluster: string, service: string, now: Date): Promise<NonNullable<DecisionState['deployment']>>;
  alarmService(alarm: AlarmStateChanged, now: Date): Promise<NonNullable<DecisionState['alarmService']>>;
  /** Whether a container instance's agent is connected now (for the timer that re-checks a disconnect). */
  agentStatus(cluster: string, containerInstanceArn: string): Promise<DecisionState['agentNow']>;
}
