// What is wrong with this service, and what has been done about it? The diagnosis
// `ecs-autopilot explain CLUSTER/SERVICE` prints: deployments, recent stopped tasks grouped by
// cause, the service's own event messages, its alarms, and what ecs-autopilot did (audit records,
// silences, the failing mark the notifications keep, the remediation cooldowns and budgets left).
import type { AuditRecord } from '../state/store.js';
import { actionText, type ActiveSilence, auditOf, type CauseGroup, countOutcomes, groupByCause, lastScaling, outcomeOf, silencesOf } from './autopilot-activity.js';
import type { AlarmFacts, ServiceFacts, StoppedTaskFacts } from './diagnosis-facts.js';
import type { ServiceHealth } from './notification.js';
import type { RemediationLimits } from './remediation-limits.js';
import type { Silence } from './silences.js';

/** Service events shown: enough to see a deployment's story, short enough for one screen. */
export const SERVICE_EVENTS_SHOWN = 8;
export const AUDIT_RECORDS_SHOWN = 8;

export interface ServiceExplainInput {
  service: ServiceFacts;
  stoppedTasks: StoppedTaskFacts[];
  alarms: AlarmFacts[] | { unavailable: string };
  /** Undefined when no state table was given (STATE_TABLE unset). */
  state?: { audit: AuditRecord[]; silences: Array<{ id: string; value: Silence }>; health?: ServiceHealth; limits?: RemediationLimits };
  now: Date;
}

export interface ServiceDiagnosis {
  service: string;
  cluster: string;
  status?: string;
  tasks: { desired: number; running: number; pending: number };
  taskDefinition?: string;
  deployments: ServiceFacts['deployments'];
  failures: CauseGroup[];
  events: ServiceFacts['events'];
  alarms: AlarmFacts[] | { unavailable: string };
  autopilot:
    | {
        /** The notifications' failing mark: set by a failure, cleared by a steady state. */
        failing?: ServiceHealth;
        outcomes: Record<string, number>;
        actions: Array<{ time: string; actor: string; action: string; outcome: string; reason: string }>;
        scaling?: { time: string; action: string; outcome: string; reason: string };
        silences: ActiveSilence[];
        /** Remediation: each opted-in playbook's cooldown and hourly budget left, and the global budget. */
        limits?: RemediationLimits;
      }
    | { unavailable: string };
}

const line = (r: AuditRecord) => ({ time: r.time, actor: r.actor, action: actionText(r), outcome: outcomeOf(r), reason: r.reason });

export function explainService(input: ServiceExplainInput): ServiceDiagnosis {
  const { service, state, now } = input;
  let autopilot: ServiceDiagnosis['autopilot'] = { unavailable: 'STATE_TABLE is not set: what ecs-autopilot did is in its state table (the stack output StateTableName)' };
  if (state) {
    const audit = auditOf(state.audit, service.cluster, service.service).sort((a, b) => b.time.localeCompare(a.time));
    const scaling = lastScaling(audit);
    autopilot = {
      ...(state.health ? { failing: state.health } : {}),
      outcomes: countOutcomes(audit),
      actions: audit.slice(0, AUDIT_RECORDS_SHOWN).map(line),
      ...(scaling ? { scaling: line(scaling) } : {}),
      silences: silencesOf(state.silences, service.cluster, service.service, now),
      ...(state.limits ? { limits: state.limits } : {}),
    };
  }
  return {
    service: service.service,
    cluster: service.cluster,
    ...(service.status ? { status: service.status } : {}),
    tasks: { desired: service.desired, running: service.running, pending: service.pending },
    ...(service.taskDefinition ? { taskDefinition: service.taskDefinition } : {}),
    deployments: service.deployments,
    failures: groupByCause(input.stoppedTasks),
    events: service.events.slice(0, SERVICE_EVENTS_SHOWN),
    alarms: input.alarms,
    autopilot,
  };
}
