// One line per watched service for `ecs-autopilot status`: its health, the last hour's failures by
// cause, what ecs-autopilot did and what its safety limits held back, the scaler's last word, and
// the silences that mute it.
import type { AuditRecord } from '../state/store.js';
import { actionText, auditOf, countOutcomes, groupByCause, lastScaling, outcomeOf, silencesOf } from './autopilot-activity.js';
import type { ServiceFacts, StoppedTaskFacts } from './diagnosis-facts.js';
import type { ServiceHealth } from './notification.js';
import type { Silence } from './silences.js';

export const STATUS_WINDOW_SECONDS = 3600;

export type Health = 'healthy' | 'deploying' | 'degraded' | 'failing' | 'idle';

export interface StatusInput {
  service: ServiceFacts;
  stoppedTasks: StoppedTaskFacts[];
  state?: { audit: AuditRecord[]; silences: Array<{ id: string; value: Silence }>; health?: ServiceHealth };
  now: Date;
}

export interface StatusRow {
  service: string;
  health: Health;
  running: number;
  desired: number;
  /** Failures in the last hour by cause (routine stops such as deployments are not failures). */
  failures: Record<string, number>;
  /** Actions taken in the last hour: remediations and scaling that acted. */
  acted: number;
  /** What the safety limits held back in the last hour, by outcome (blocked-cooldown, blocked-budget, blocked-kill-switch, blocked-stale, dry-run, failed). */
  blocked: Record<string, number>;
  /** The last scaling record, e.g. "scale-out 2->4 (acted) 12m ago"; undefined when the scaler never acted on it. */
  scaling?: string;
  silences: string[];
}

export function ago(time: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(time)) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

function healthOf(service: ServiceFacts, failures: number, failing: boolean): Health {
  if (service.desired === 0 && service.running === 0) return 'idle';
  const short = service.running < service.desired;
  if (short && (failures > 0 || failing)) return 'failing';
  if (short || failures > 0) return 'degraded';
  if (service.deployments.length > 1 || service.deployments.some((d) => d.rolloutState === 'IN_PROGRESS')) return 'deploying';
  return 'healthy';
}

export function serviceStatus(input: StatusInput): StatusRow {
  const { service, now } = input;
  const since = new Date(now.getTime() - STATUS_WINDOW_SECONDS * 1000);
  const failures: Record<string, number> = {};
  for (const group of groupByCause(input.stoppedTasks, since)) if (group.failure) failures[group.cause] = group.count;
  const failureCount = Object.values(failures).reduce((a, b) => a + b, 0);
  const recent = input.state ? auditOf(input.state.audit, service.cluster, service.service, since) : [];
  const { acted = 0, ...blocked } = countOutcomes(recent);
  const scaling = input.state ? lastScaling(auditOf(input.state.audit, service.cluster, service.service)) : undefined;
  return {
    service: `${service.cluster}/${service.service}`,
    health: healthOf(service, failureCount, Boolean(input.state?.health)),
    running: service.running,
    desired: service.desired,
    failures,
    acted,
    blocked,
    ...(scaling ? { scaling: `${actionText(scaling)} (${outcomeOf(scaling)}) ${ago(scaling.time, now)}` } : {}),
    silences: input.state ? silencesOf(input.state.silences, service.cluster, service.service, now).map((s) => `${s.id} until ${s.until.slice(0, 16).replace('T', ' ')}`) : [],
  };
}
