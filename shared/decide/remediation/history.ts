// What remediation remembers about a service between events, in the state table: the revisions it
// ran and whether each held a steady state (ECS's own `deployments` list forgets the old ones),
// its recent failures, and a capacity fallback in force. Updated by pure functions from signals.
import type { Cause } from '../causes.js';
import type { CapacityItem, ServiceView } from './types.js';

export interface RevisionRecord {
  taskDefinition: string;
  firstSeenAt: string;
  /** When the service reached steady state on this revision. */
  steadySince?: string;
  /** When the service moved off it (the next revision was first seen). */
  until?: string;
  /** A crash loop was seen on it: never a rollback target again. */
  crashLoopAt?: string;
}

export interface FailureRecord {
  taskArn: string;
  at: string;
  cause: Cause;
  taskDefinition?: string;
}

export interface ServiceHistory {
  /** Oldest first; at most MAX_REVISIONS. */
  revisions: RevisionRecord[];
  /** Recent failures, newest last; at most MAX_FAILURES and pruned to the longest window. */
  failures: FailureRecord[];
  /** Spot interruptions and capacity shortfalls (the task or event that showed one), newest last. */
  capacityFailures: Array<{ id: string; at: string }>;
  /** When the last deployment of the service started (ECS Deployment State Change IN_PROGRESS). */
  lastDeploymentAt?: string;
  /** A capacity fallback in force: the strategy to move back to. */
  fallback?: { original: CapacityItem[]; since: string };
}

/** A container instance's agent disconnect, as remediation tracks it. */
export interface AgentRecord {
  disconnectedSince: string;
  eventIds: string[];
}

const MAX_REVISIONS = 10;
const MAX_FAILURES = 100;
const KEEP_SECONDS = 24 * 3600;

export const emptyHistory = (): ServiceHistory => ({ revisions: [], failures: [], capacityFailures: [] });
export const serviceHistoryKey = (cluster: string, service: string) => `remediate#service#${cluster}/${service}`;
export const agentRecordKey = (cluster: string, containerInstanceArn: string) => `remediate#agent#${cluster}#${containerInstanceArn}`;
export const HISTORY_TTL_SECONDS = 30 * 24 * 3600;

const ms = (iso: string | undefined) => (iso ? new Date(iso).getTime() : NaN);
const secondsBetween = (from: string | undefined, to: Date | string) => (ms(typeof to === 'string' ? to : to.toISOString()) - ms(from)) / 1000;

/** The revision the service runs now: the live view's, else the last one this history saw. */
export function currentRevision(history: ServiceHistory, view: ServiceView | undefined): string | undefined {
  return view?.taskDefinition ?? history.revisions.at(-1)?.taskDefinition;
}

/** Notes that the service runs `taskDefinition` at `at`; a new revision closes the previous one. */
export function observeRevision(history: ServiceHistory, taskDefinition: string | undefined, at: string): ServiceHistory {
  if (!taskDefinition) return history;
  const known = history.revisions.find((r) => r.taskDefinition === taskDefinition);
  if (known) return history;
  // Tasks of an older revision can still stop after a newer one was seen; only a newer time moves on.
  const last = history.revisions.at(-1);
  if (last && ms(at) < ms(last.firstSeenAt)) return history;
  const closed = history.revisions.map((r) => (r === last && !r.until ? { ...r, until: at } : r));
  return { ...history, revisions: [...closed, { taskDefinition, firstSeenAt: at }].slice(-MAX_REVISIONS) };
}

export function observeSteadyState(history: ServiceHistory, taskDefinition: string | undefined, at: string): ServiceHistory {
  const withRevision = observeRevision(history, taskDefinition, at);
  const target = taskDefinition ?? withRevision.revisions.at(-1)?.taskDefinition;
  if (!target) return withRevision;
  return {
    ...withRevision,
    revisions: withRevision.revisions.map((r) => (r.taskDefinition === target && !r.steadySince && !r.until ? { ...r, steadySince: at } : r)),
  };
}

/** Records a failure once per task (redelivered events do not count twice), pruned to a day. */
export function observeFailure(history: ServiceHistory, failure: FailureRecord, now: Date): ServiceHistory {
  if (history.failures.some((f) => f.taskArn === failure.taskArn)) return history;
  const failures = [...history.failures, failure].filter((f) => secondsBetween(f.at, now) <= KEEP_SECONDS).slice(-MAX_FAILURES);
  return { ...history, failures };
}

export function observeCapacityFailure(history: ServiceHistory, failure: { id: string; at: string }, now: Date): ServiceHistory {
  if (history.capacityFailures.some((f) => f.id === failure.id)) return history;
  const capacityFailures = [...history.capacityFailures, failure].filter((f) => secondsBetween(f.at, now) <= KEEP_SECONDS).slice(-MAX_FAILURES);
  return { ...history, capacityFailures };
}

export function markCrashLoop(history: ServiceHistory, taskDefinition: string, at: string): ServiceHistory {
  return { ...history, revisions: history.revisions.map((r) => (r.taskDefinition === taskDefinition && !r.crashLoopAt ? { ...r, crashLoopAt: at } : r)) };
}

/** Failures on `taskDefinition` (or any, when unknown) within `windowSeconds` before `now`, of the given causes. */
export function failuresInWindow(history: ServiceHistory, now: Date, windowSeconds: number, causes: readonly string[], taskDefinition?: string): FailureRecord[] {
  return history.failures.filter(
    (f) => causes.includes(f.cause) && secondsBetween(f.at, now) <= windowSeconds && secondsBetween(f.at, now) >= 0 && (!taskDefinition || !f.taskDefinition || f.taskDefinition === taskDefinition),
  );
}

export const countSince = (times: string[], now: Date, windowSeconds: number) => times.filter((t) => secondsBetween(t, now) <= windowSeconds && secondsBetween(t, now) >= 0).length;

/**
 * The revision to roll back to from `failing`: the newest earlier one that held a steady state for
 * `healthyForSeconds` (until it was replaced) and never crash-looped. A deployment completing is
 * not enough: tasks that pass health checks and crash minutes later are exactly what this is for.
 */
export function lastGoodRevision(history: ServiceHistory, failing: string, healthyForSeconds: number): RevisionRecord | undefined {
  const index = history.revisions.findIndex((r) => r.taskDefinition === failing);
  const earlier = index === -1 ? history.revisions : history.revisions.slice(0, index);
  return [...earlier].reverse().find((r) => r.taskDefinition !== failing && !r.crashLoopAt && r.steadySince && r.until && secondsBetween(r.steadySince, r.until) >= healthyForSeconds);
}

export { secondsBetween };
