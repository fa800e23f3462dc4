// What ecs-autopilot itself did about a service, read from its state table: audit records of the
// remediation playbooks (`remediate:<playbook>`) and of scaling (`scale`), each with
// `detail.outcome`; silences that mute it; and the tasks it stopped, grouped by cause. Shared by
// `explain CLUSTER/SERVICE` and `status`.
import { matchesGlob } from '../glob.js';
import type { AuditRecord } from '../state/store.js';
import { CAUSE_DEFAULTS, type Cause } from './causes.js';
import { classifyStoppedTask } from './classify-stopped-task.js';
import type { StoppedTaskFacts } from './diagnosis-facts.js';
import type { Silence } from './silences.js';

export const serviceTarget = (cluster: string, service: string) => `${cluster}/${service}`;

const actionKeyOf = (record: AuditRecord) => (typeof record.detail?.actionKey === 'string' ? record.detail.actionKey : undefined);

/**
 * The service's audit records, without the executor's `acting` intents that an outcome record
 * (acted, failed) followed: the executor writes the intent before it acts, so that a record
 * remains if the invocation dies mid-action; an `acting` record alone is that case, and is kept.
 */
export function auditOf(records: AuditRecord[], cluster: string, service: string, since?: Date): AuditRecord[] {
  const target = serviceTarget(cluster, service);
  const mine = records.filter((r) => r.target === target);
  const settled = new Set(mine.filter((r) => outcomeOf(r) !== 'acting').map(actionKeyOf).filter(Boolean));
  return mine.filter((r) => !(outcomeOf(r) === 'acting' && settled.has(actionKeyOf(r))) && (!since || Date.parse(r.time) >= since.getTime()));
}

/** An audit record's action in a few words: `scale 2->4`, `pause 3->0`, or the action type alone. */
export function actionText(record: AuditRecord): string {
  const { from, to } = record.detail ?? {};
  return typeof from === 'number' && typeof to === 'number' ? `${record.action} ${from}->${to}` : record.action;
}

/**
 * The executor's outcome in detail.outcome: acted, dry-run, blocked-cooldown, blocked-budget,
 * blocked-kill-switch, blocked-stale, failed or acting (anything else is shown as it is); acted
 * when absent (the scaler's records carry none: it audits what it did).
 */
export function outcomeOf(record: AuditRecord): string {
  const outcome = record.detail?.outcome;
  return typeof outcome === 'string' ? outcome : 'acted';
}

/**
 * Audit records by outcome, remediation and scaling alike (an outcome not in the list is counted
 * under its own name); the most frequent first, ties by name, so the output is stable.
 */
export function countOutcomes(records: AuditRecord[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(outcomeOf(record), (counts.get(outcomeOf(record)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

/** The most recent `scale` record: the service's scaling state as the scaler last left it. */
export function lastScaling(records: AuditRecord[]): AuditRecord | undefined {
  return records.filter((r) => r.actor === 'scale').sort((a, b) => b.time.localeCompare(a.time))[0];
}

export interface ActiveSilence {
  id: string;
  until: string;
  match: Silence['match'];
  comment?: string;
  createdBy?: string;
}

/**
 * Unexpired silences that can mute this service: every cluster and service glob they name matches
 * it (a silence on a cause alone mutes that cause everywhere, this service included).
 */
export function silencesOf(silences: Array<{ id: string; value: Silence }>, cluster: string, service: string, now: Date): ActiveSilence[] {
  return silences
    .filter(({ value }) => Date.parse(value.until) > now.getTime() && Object.keys(value.match).length > 0)
    .filter(({ value }) => (value.match.cluster ?? ['*']).some((g) => matchesGlob(g, cluster)) && (value.match.service ?? ['*']).some((g) => matchesGlob(g, service)))
    .map(({ id, value }) => ({ id, until: value.until, match: value.match, ...(value.comment ? { comment: value.comment } : {}), ...(value.createdBy ? { createdBy: value.createdBy } : {}) }));
}

export interface CauseGroup {
  cause: Cause;
  /** Whether this cause is a failure (it notifies by default) or routine (deployments, scale-in, maintenance). */
  failure: boolean;
  count: number;
  lastAt?: string;
  lastTaskId: string;
  /** The classifier's evidence for the most recent task of this cause. */
  evidence: string;
}

/** Stopped tasks grouped by cause, failures first, then by count; tasks stopped before `since` left out. */
export function groupByCause(tasks: StoppedTaskFacts[], since?: Date): CauseGroup[] {
  const groups = new Map<Cause, CauseGroup>();
  const recent = tasks
    .filter((t) => t.lastStatus === 'STOPPED' && (!since || !t.stoppedAt || Date.parse(t.stoppedAt) >= since.getTime()))
    .sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? ''));
  for (const task of recent) {
    const { cause, evidence } = classifyStoppedTask(task);
    const group = groups.get(cause);
    if (group) group.count += 1;
    else groups.set(cause, { cause, failure: CAUSE_DEFAULTS[cause].notify, count: 1, ...(task.stoppedAt ? { lastAt: task.stoppedAt } : {}), lastTaskId: task.taskId, evidence });
  }
  return [...groups.values()].sort((a, b) => Number(b.failure) - Number(a.failure) || b.count - a.count || a.cause.localeCompare(b.cause));
}
