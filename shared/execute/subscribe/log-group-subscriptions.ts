// Carries out ship.autoSubscribe: subscribe the matching log groups (a sweep on a schedule and at
// deploy, one group as CloudTrail reports its creation), and remove this stack's filters when the
// stack is removed. Which groups and what to do with each is decided in decide/logs/subscriptions.
import type { LogSubscriptions } from '../../adapters/log-subscriptions.js';
import type { StackAnswer } from '../../adapters/stack-response.js';
import { isOwnFilter, notAutoSubscribed, type OwnSubscription, planSubscription, type SubscriptionPolicy } from '../../decide/logs/subscriptions.js';
import type { Signal, StackRequest } from '../../intake/signals.js';

export interface SubscribeDependencies {
  subscriptions: LogSubscriptions;
  own: OwnSubscription;
  policy: SubscriptionPolicy;
  remainingMs: () => number;
}

export interface SubscriptionReport {
  /** Log groups under the prefixes that were looked at. */
  matched: number;
  subscribed: string[];
  updated: string[];
  /** Already subscribed (by this stack or another filter to the ship function). */
  kept: number;
  skipped: Array<{ logGroup: string; reason: string; needsAction?: boolean }>;
  failed: Array<{ logGroup: string; error: string }>;
  /** Set when the invocation ran out of time: the next sweep goes on. */
  unfinished?: string;
}

export interface RemovalReport {
  removed: string[];
  failed: Array<{ logGroup: string; error: string }>;
  unfinished?: string;
}

/** Time kept back for answering CloudFormation and logging the report. */
const RESERVE_MS = 15_000;

const emptyReport = (): SubscriptionReport => ({ matched: 0, subscribed: [], updated: [], kept: 0, skipped: [], failed: [] });
const messageOf = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Every group under the prefixes, once each (prefixes may overlap), until time runs short. */
async function* groupsUnder(prefixes: readonly string[], deps: SubscribeDependencies, stop: (why: string) => void): AsyncGenerator<string> {
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    for await (const logGroup of deps.subscriptions.logGroups(prefix)) {
      if (seen.has(logGroup)) continue;
      seen.add(logGroup);
      if (deps.remainingMs() < RESERVE_MS) {
        stop(`out of time after ${seen.size - 1} log groups; the next sweep goes on from the start`);
        return;
      }
      yield logGroup;
    }
  }
}

/** One group: left alone (and reported) when the policy does not admit it, else planned and carried out. */
async function considerGroup(logGroup: string, deps: SubscribeDependencies, report: SubscriptionReport): Promise<void> {
  const why = notAutoSubscribed(logGroup, deps.policy);
  if (why) {
    report.skipped.push({ logGroup, reason: why });
    return;
  }
  report.matched += 1;
  try {
    const existing = await deps.subscriptions.filtersOf(logGroup);
    if (!existing) {
      report.skipped.push({ logGroup, reason: 'deleted meanwhile' });
      return;
    }
    const step = planSubscription(logGroup, existing, deps.own);
    if (step.action === 'keep') report.kept += 1;
    else if (step.action === 'skip') report.skipped.push({ logGroup, reason: step.reason, ...(step.needsAction ? { needsAction: true } : {}) });
    else {
      await deps.subscriptions.put(logGroup, deps.own);
      (step.action === 'subscribe' ? report.subscribed : report.updated).push(logGroup);
    }
  } catch (error) {
    report.failed.push({ logGroup, error: messageOf(error) });
  }
}

/** Subscribes every group under the policy's prefixes that it admits and that is not subscribed yet. */
export async function subscribeLogGroups(deps: SubscribeDependencies): Promise<SubscriptionReport> {
  const report = emptyReport();
  for await (const logGroup of groupsUnder(deps.policy.prefixes, deps, (why) => (report.unfinished = why))) await considerGroup(logGroup, deps, report);
  return report;
}

/** One group, as its creation is reported; a group the policy does not admit is left alone (reported as skipped). */
export async function subscribeLogGroup(deps: SubscribeDependencies, logGroup: string): Promise<SubscriptionReport> {
  const report = emptyReport();
  await considerGroup(logGroup, deps, report);
  return report;
}

/** The groups skipped until someone acts (two filters already): what the function warns about and counts as blocked. */
export const groupsNeedingAction = (report: SubscriptionReport | RemovalReport): SubscriptionReport['skipped'] => ('skipped' in report ? report.skipped.filter((s) => s.needsAction) : []);

/** Deletes this stack's filter from every group under the prefixes (filters of others are never touched). */
export async function unsubscribeLogGroups(deps: SubscribeDependencies, prefixes: readonly string[]): Promise<RemovalReport> {
  const report: RemovalReport = { removed: [], failed: [] };
  for await (const logGroup of groupsUnder(prefixes, deps, (why) => (report.unfinished = why))) {
    try {
      const existing = (await deps.subscriptions.filtersOf(logGroup)) ?? [];
      if (!existing.some((f) => isOwnFilter(f, deps.own))) continue;
      await deps.subscriptions.remove(logGroup, deps.own.filterName);
      report.removed.push(logGroup);
    } catch (error) {
      report.failed.push({ logGroup, error: messageOf(error) });
    }
  }
  return report;
}

const prefixesOf = (properties: Record<string, unknown> | undefined, fallback: readonly string[]): string[] => {
  const value = properties?.Prefixes;
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string' && p.length > 0) : [...fallback];
};

const listed = (items: Array<{ logGroup: string } | string>) =>
  items
    .slice(0, 10)
    .map((i) => (typeof i === 'string' ? i : i.logGroup))
    .join(', ') + (items.length > 10 ? ` and ${items.length - 10} more` : '');

export interface StackOutcome {
  answer: StackAnswer;
  report: SubscriptionReport | RemovalReport | undefined;
}

/**
 * What the stack's subscription resource does on each request, and the answer to send.
 * Create and Update sweep (Update also unsubscribes groups under prefixes it no longer has); a sweep
 * that cannot run at all fails the deploy with the reason; single groups that fail are named in the
 * answer and left to the scheduled sweep. Delete always succeeds, so `sls remove` never hangs:
 * filters it could not remove are named in the answer, with the command that removes them.
 */
export async function handleStackRequest(request: StackRequest, deps: SubscribeDependencies): Promise<StackOutcome> {
  const physicalResourceId = request.physicalResourceId ?? `${deps.own.filterName}-log-subscriptions`;
  const prefixes = prefixesOf(request.properties, deps.policy.prefixes);
  const answer = (status: StackAnswer['status'], reason: string): StackAnswer => ({ status, reason, physicalResourceId });
  try {
    if (request.requestType === 'Delete') {
      const report = await unsubscribeLogGroups(deps, prefixes);
      const left = report.failed.length > 0 || report.unfinished;
      const reason = left
        ? `removed ${report.removed.length} subscriptions; could not remove ${report.failed.length ? listed(report.failed) : 'all'} (${report.unfinished ?? report.failed[0]!.error}): aws logs delete-subscription-filter --log-group-name GROUP --filter-name ${deps.own.filterName}`
        : `removed ${report.removed.length} subscriptions`;
      return { answer: answer('SUCCESS', reason), report };
    }
    if (request.requestType !== 'Create' && request.requestType !== 'Update') return { answer: answer('SUCCESS', `request type ${request.requestType}: nothing to do`), report: undefined };
    const report = await subscribeLogGroups({ ...deps, policy: { ...deps.policy, prefixes } });
    let unsubscribed = '';
    if (request.requestType === 'Update') {
      const dropped = prefixesOf(request.oldProperties, []).filter((old) => !prefixes.some((p) => old.startsWith(p)));
      if (dropped.length > 0) {
        const removal = await unsubscribeLogGroups(deps, dropped);
        report.failed.push(...removal.failed);
        unsubscribed = `; unsubscribed ${removal.removed.length} under the removed prefixes ${dropped.join(', ')}`;
      }
    }
    const reason =
      `subscribed ${report.subscribed.length}, updated ${report.updated.length}, kept ${report.kept} of ${report.matched} log groups` +
      unsubscribed +
      (report.skipped.length ? `; skipped ${listed(report.skipped)}` : '') +
      (report.failed.length ? `; failed ${listed(report.failed)} (${report.failed[0]!.error}): the scheduled sweep retries them` : '') +
      (report.unfinished ? `; ${report.unfinished}` : '');
    return { answer: answer('SUCCESS', reason), report };
  } catch (error) {
    // The sweep could not run at all (access denied, throttled past retries): on Delete the stack
    // still goes; on Create or Update the deploy stops and says why.
    const status = request.requestType === 'Delete' ? 'SUCCESS' : 'FAILED';
    return { answer: answer(status, `ship.autoSubscribe ${request.requestType.toLowerCase()}: ${messageOf(error)}`), report: undefined };
  }
}

/** A sweep or subscription in which some groups failed; it carries the report, for the metrics. */
export class SubscriptionError extends Error {
  override readonly name = 'SubscriptionError';
  constructor(
    message: string,
    readonly report: SubscriptionReport,
  ) {
    super(message);
  }
}

export interface SubscriberOutcome {
  outcome: 'acted' | 'ignored';
  notes: string[];
  report?: SubscriptionReport | RemovalReport;
}

const summary = (r: SubscriptionReport) => `subscribed ${r.subscribed.length}, updated ${r.updated.length}, kept ${r.kept}, skipped ${r.skipped.length} of ${r.matched} log groups${r.unfinished ? `; ${r.unfinished}` : ''}`;

/**
 * The subscribe function's pipeline: a schedule tick sweeps, a CreateLogGroup call subscribes that
 * group, a stack request is handled and answered. A group that could not be subscribed fails the
 * invocation (after every other group was done), so Lambda retries and the dead-letter queue and
 * its alarm show what is not shipped.
 */
export async function onSubscriberSignal(signal: Signal, deps: SubscribeDependencies, answer: (request: StackRequest, answer: StackAnswer) => Promise<void>): Promise<SubscriberOutcome> {
  let report: SubscriptionReport;
  if (signal.kind === 'stack-request') {
    const outcome = await handleStackRequest(signal, deps);
    await answer(signal, outcome.answer);
    return { outcome: 'acted', notes: [`${signal.requestType}: ${outcome.answer.status}: ${outcome.answer.reason}`], ...(outcome.report ? { report: outcome.report } : {}) };
  }
  if (signal.kind === 'scheduled-tick') report = await subscribeLogGroups(deps);
  else if (signal.kind === 'logs-api-call' && signal.eventName === 'CreateLogGroup' && signal.logGroup && !signal.errorCode) report = await subscribeLogGroup(deps, signal.logGroup);
  else return { outcome: 'ignored', notes: [`the subscriber acts on schedules, CreateLogGroup and stack requests, not on ${signal.kind}${signal.kind === 'logs-api-call' ? ` ${signal.eventName}${signal.errorCode ? ` (failed: ${signal.errorCode})` : ''}` : ''}`] };
  if (report.failed.length > 0) throw new SubscriptionError(`could not subscribe ${listed(report.failed)}: ${report.failed[0]!.error} (${summary(report)})`, report);
  return { outcome: report.subscribed.length + report.updated.length > 0 ? 'acted' : 'ignored', notes: [summary(report), ...report.skipped.map((s) => `${s.logGroup}: ${s.reason}`)], report };
}
