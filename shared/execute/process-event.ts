// The whole pipeline for one raw event:
//   intake -> gather state -> decide -> route -> group -> claim -> deliver, write, set timers.
// The Lambda handler and `ecs-autopilot replay` both run this; only the dependencies differ.
import { effectiveReceivers, effectiveRoute } from '../config/receivers.js';
import { parseServiceTags } from '../config/service-tags.js';
import type { AutopilotConfig } from '../config/schema.js';
import { type AgentDisconnect, agentKey } from '../decide/container-instance.js';
import { type DecisionState, decide } from '../decide/decide.js';
import { type DeliveryPlan, type GroupState, planDelivery, planFlush } from '../decide/grouping.js';
import { healthKey, type ServiceHealth, toSubject } from '../decide/notification.js';
import type { Notification, NotificationMessage, NotifyAction, Plan, TimerRequest } from '../decide/plan.js';
import { groupKey, type Labels, route } from '../decide/route.js';
import { activeSilences, silencedBy, type Silence } from '../decide/silences.js';
import { parseEvent, type Signal } from '../intake/index.js';
import type { StateStore } from '../state/store.js';
import type { Enrichers } from './enrichers.js';
import { type ActionReport, deliver, type Receivers } from './execute.js';
import { NO_METRICS, type PipelineMetrics } from './pipeline-metrics.js';
import { completeStubbornly, EventInProgressError, postOnce } from './post-once.js';

export interface Timers {
  schedule(timer: TimerRequest, now: Date): Promise<void>;
}

export interface PipelineDependencies {
  config: AutopilotConfig;
  store: StateStore;
  receivers: Receivers;
  /** Absent offline: no AWS call is made, so no tags, log lines, deployments or alarm targets. */
  enrichers?: Enrichers;
  /** Absent offline: timers are reported, not set. */
  timers?: Timers;
  dryRun: boolean;
  /** The clock. The handler passes the wall clock; replay passes each event's own time. */
  now: (signal?: Signal) => Date;
  /** How long the table's silences are cached per container (default 30 s; 0 reads them every time). */
  silenceCacheSeconds?: number;
  /** Where the pipeline reports events, outcomes, notifications and delays (EMF in Lambda; nothing by default). */
  metrics?: PipelineMetrics;
}

/** Silences from the table, cached per store: one Query per half minute, not one per notification. */
const silenceCache = new WeakMap<StateStore, { at: number; items: Array<{ id: string; value: Silence }> }>();

async function tableSilences(deps: PipelineDependencies, now: Date): Promise<Array<{ id: string; value: Silence }>> {
  const ttl = (deps.silenceCacheSeconds ?? 30) * 1000;
  const cached = silenceCache.get(deps.store);
  if (cached && ttl > 0 && Math.abs(now.getTime() - cached.at) < ttl) return cached.items;
  const items = await deps.store.listCollection<Silence>('silences', now);
  silenceCache.set(deps.store, { at: now.getTime(), items });
  return items;
}

export interface EventOutcome {
  id: string;
  detailType: string;
  outcome: 'acted' | 'ignored';
  kind?: string;
  actions: ActionReport[];
  notes: string[];
}

/** How long one invocation may hold an event before another may take it over (Lambda's max is 900 s). */
const CLAIM_LEASE_SECONDS = 900;
/** SQS delays messages by at most 15 minutes; a longer wait re-arms the timer when it fires. */
const MAX_TIMER_SECONDS = 900;

export { EventInProgressError };

const groupKeyOf = (group: string) => `group#${group}`;

/** What the pipeline reads before deciding: records from the table, and an agent's state on a timer. */
async function readState(signal: Signal, store: StateStore, enrichers: Enrichers | undefined, now: Date): Promise<DecisionState> {
  const state: DecisionState = {};
  const service = 'service' in signal && signal.service ? { cluster: signal.cluster, service: signal.service } : undefined;
  if (service && (signal.kind === 'task-stopped' || signal.kind === 'service-action' || signal.kind === 'deployment-state-changed')) {
    const health = await store.getRecord<ServiceHealth | null>(healthKey(service.cluster, service.service), now);
    if (health?.value) state.health = health.value;
  }
  const instanceArn =
    signal.kind === 'container-instance-state-changed' ? signal.containerInstanceArn : signal.kind === 'timer' && signal.body.type === 'agent-check' ? signal.body.containerInstanceArn : undefined;
  if (instanceArn) {
    const agent = await store.getRecord<AgentDisconnect | null>(agentKey(instanceArn), now);
    if (agent?.value) state.agent = agent.value;
    if (agent?.value && signal.kind === 'timer' && enrichers) {
      const agentNow = await enrichers.agentStatus(agent.value.cluster, instanceArn);
      if (agentNow) state.agentNow = agentNow;
    }
  }
  return state;
}

/** Enrichment through AWS calls, made only once the plan says something will be said. */
async function enrich(signal: Signal, plan: Plan, state: DecisionState, deps: PipelineDependencies, now: Date): Promise<DecisionState> {
  const enrichers = deps.enrichers;
  if (!enrichers || plan.notifications.length === 0) return state;
  const next: DecisionState = { ...state };
  if (deps.config.serviceTags.enabled && 'serviceArn' in signal && signal.serviceArn) {
    const { tags, error } = await enrichers.serviceTags.tagsOf(signal.serviceArn, now);
    next.serviceTags = parseServiceTags(tags);
    if (error) next.serviceTags.warnings.push(error);
  }
  const failed = plan.notifications[0]?.message.task;
  const container = failed?.implicatedContainer !== undefined ? failed.containers[failed.implicatedContainer] : undefined;
  if (signal.kind === 'task-stopped' && failed?.taskDefinitionArn && container && deps.config.notify.logTail.lines > 0) {
    next.logTail = await enrichers.logTail(
      { taskDefinitionArn: failed.taskDefinitionArn, containerName: container.name, taskId: failed.id, region: signal.region },
      deps.config.notify.logTail.lines,
      now,
    );
  }
  if (signal.kind === 'deployment-state-changed' && signal.serviceArn) next.deployment = await enrichers.deployment(signal.cluster, signal.service ?? '', now);
  if (signal.kind === 'alarm-state-changed') next.alarmService = await enrichers.alarmService(signal, now);
  return next;
}

function labelsOf(n: Notification): Labels {
  return { cluster: n.cluster, ...(n.service ? { service: n.service } : {}), cause: n.cause, severity: n.severity, kind: n.kind };
}

function subjectOf(n: Notification, delivery: NotifyAction['delivery'], count: number): string {
  const head = n.status === 'resolved' ? '[resolved]' : `[${n.severity}]`;
  const where = n.service ? `${n.cluster}/${n.service}` : n.cluster || n.message.alarm?.name || '';
  return toSubject(`${head} ${n.cause}: ${where}${delivery === 'update' || count > 1 ? ` (${count} in group)` : ''}`);
}

function action(n: Notification, receiver: string, group: string, delivery: DeliveryPlan['delivery'], state: GroupState | undefined, reason?: string): NotifyAction {
  const message: NotificationMessage = state && state.count > 1 ? { ...n.message, group: { key: group, count: state.count, firstAt: state.firstAt } } : n.message;
  return {
    type: 'notify',
    receiver,
    group,
    delivery,
    ...(reason ? { reason } : {}),
    kind: n.kind,
    status: n.status,
    severity: n.severity,
    cause: n.cause,
    cluster: n.cluster,
    ...(n.service ? { service: n.service } : {}),
    subject: subjectOf(n, delivery, state?.count ?? 1),
    message,
  };
}

/** What the group record holds besides the pure grouping state: enough for a timer to post it. */
interface StoredGroup extends GroupState {
  receiver: string;
  latest: Notification;
  repeatInterval: number;
  /** The event (or timer) that wrote the record last, and what it decided. */
  decidedBy?: { eventId: string; delivery: DeliveryPlan['delivery']; reason?: string };
}

/**
 * The decision this event already wrote to the group, when a failed invocation of it left the write
 * in place (its undo failed too, or Lambda stopped it before the undo could run). The retry takes
 * that decision again instead of deciding against its own write, which would fold the event into
 * its own group as `suppressed` and never send the message; the post claims keep it from posting
 * twice. A pending flush is asked for again, as timers are safe to set twice.
 */
function ownDecision(current: StoredGroup | undefined, eventId: string, groupKey: string, now: Date, timers: TimerRequest[]) {
  if (!current || current.decidedBy?.eventId !== eventId) return undefined;
  if (current.flushAt) timers.push({ delaySeconds: Math.min(Math.max(1, Math.ceil((Date.parse(current.flushAt) - now.getTime()) / 1000)), MAX_TIMER_SECONDS), body: { type: 'group-flush', group: groupKey } });
  return current.decidedBy;
}

/**
 * Plans the delivery of one notification to one receiver against its group record, with an
 * optimistic write: concurrent invocations for the same group re-read and re-decide, so a burst
 * never yields two `new` messages. Returns the action and how to undo the write if delivery fails.
 */
async function group(eventId: string, n: Notification, incident: string | undefined, deps: PipelineDependencies, now: Date, timers: TimerRequest[], notes: string[]) {
  let results = route(effectiveRoute(deps.config), labelsOf(n));
  if (n.receiver) {
    // The service's ecs-autopilot:receiver tag wins over the route, keeping the route's grouping.
    if (n.receiver in effectiveReceivers(deps.config)) {
      const first = results[0]!;
      results = [{ ...first, receiver: n.receiver, groupKey: groupKey(n.receiver, first.groupBy, labelsOf(n)), path: 'ecs-autopilot:receiver tag' }];
    } else {
      notes.push(`tag ecs-autopilot:receiver=${n.receiver} ignored: no such receiver under notify.receivers (${Object.keys(effectiveReceivers(deps.config)).join(', ')})`);
    }
  }
  const planned: Array<{ action: NotifyAction; undo?: () => Promise<void> }> = [];
  for (const routed of results) {
    // A recovery is always news: it gets a group of its own instead of being folded into the
    // failures it answers, and it closes that group so the next failure starts a new one.
    const result = n.status === 'resolved' ? { ...routed, groupKey: `${routed.groupKey}:resolved` } : routed;
    if (n.status === 'resolved') {
      const firing = await deps.store.getRecord<StoredGroup>(groupKeyOf(routed.groupKey), now);
      if (firing) await deps.store.putRecord(groupKeyOf(routed.groupKey), firing.value, firing.version, now, -1); // expired at once
    }
    for (let attempt = 0; ; attempt += 1) {
      const current = await deps.store.getRecord<StoredGroup>(groupKeyOf(result.groupKey), now);
      const own = ownDecision(current?.value, eventId, result.groupKey, now, timers);
      if (own) {
        planned.push({ action: action(n, result.receiver, result.groupKey, own.delivery, current!.value, own.reason) });
        break;
      }
      const decision = planDelivery(current?.value, result, now, incident);
      const decidedBy = { eventId, delivery: decision.delivery, ...(decision.reason ? { reason: decision.reason } : {}) };
      const stored: StoredGroup = { ...decision.next, receiver: result.receiver, latest: n, repeatInterval: result.repeatInterval, decidedBy };
      const ttl = Math.max(result.repeatInterval, result.groupInterval) + 3600;
      if (await deps.store.putRecord(groupKeyOf(result.groupKey), stored, current?.version, now, ttl)) {
        if (decision.flushInSeconds !== undefined) timers.push({ delaySeconds: Math.min(decision.flushInSeconds, MAX_TIMER_SECONDS), body: { type: 'group-flush', group: result.groupKey } });
        const restore = async () => {
          // Best effort: put the group back as it was, so the retry of this event posts again.
          const written = await deps.store.getRecord<StoredGroup>(groupKeyOf(result.groupKey), now);
          if (!written) return;
          // A group this event created is expired at once; one it changed gets its old state back.
          if (current) await deps.store.putRecord(groupKeyOf(result.groupKey), current.value, written.version, now, ttl);
          else await deps.store.putRecord(groupKeyOf(result.groupKey), written.value, written.version, now, -1);
        };
        planned.push({ action: action(n, result.receiver, result.groupKey, decision.delivery, decision.next, decision.reason), undo: restore });
        break;
      }
      // Lost the race to another invocation: back off a little (jittered, so racers spread out) and re-decide.
      if (attempt >= 9) throw new Error(`group ${result.groupKey}: lost ten races in a row to concurrent writers; failing so Lambda retries`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
    }
  }
  return planned;
}

/** A group's timer fired: post its pending count, or re-arm when the update is not due yet. */
async function flushGroup(eventId: string, groupKey: string, deps: PipelineDependencies, now: Date, timers: TimerRequest[]) {
  const current = await deps.store.getRecord<StoredGroup>(groupKeyOf(groupKey), now);
  if (!current) return [];
  const own = ownDecision(current.value, eventId, groupKey, now, timers);
  if (own) return [{ action: action(current.value.latest, current.value.receiver, groupKey, own.delivery, current.value), undo: undefined }];
  const dueIn = current.value.flushAt ? Math.ceil((Date.parse(current.value.flushAt) - now.getTime()) / 1000) : 0;
  if (dueIn > 1) {
    timers.push({ delaySeconds: Math.min(dueIn, MAX_TIMER_SECONDS), body: { type: 'group-flush', group: groupKey } });
    return [];
  }
  const decision = planFlush(current.value, now);
  if (!decision) return [];
  // The timer is spent: without its flushAt, the next failure of the group asks for a new one.
  const { flushAt: _spent, ...unflushed } = current.value;
  const stored: StoredGroup = { ...unflushed, ...decision.next, decidedBy: { eventId, delivery: decision.delivery } };
  if (!(await deps.store.putRecord(groupKeyOf(groupKey), stored, current.version, now, current.value.repeatInterval + 3600))) {
    throw new EventInProgressError(`group ${groupKey} changed while flushing; failing so the timer is retried`);
  }
  const latest = current.value.latest;
  return [{ action: action(latest, current.value.receiver, groupKey, decision.delivery, decision.next), undo: undefined }];
}

/** Throws IntakeError for a malformed event and EventInProgressError for a concurrent duplicate. */
export async function processEvent(raw: unknown, deps: PipelineDependencies): Promise<EventOutcome> {
  const metrics = deps.metrics ?? NO_METRICS;
  let kind: string | undefined;
  try {
    const intake = parseEvent(raw);
    kind = intake.type === 'unrecognised' ? 'unrecognised' : intake.signal.kind;
    metrics.eventIn(kind);
    const outcome = await processIntake(intake, deps, metrics);
    metrics.eventHandled(kind, outcome.outcome);
    return outcome;
  } catch (error) {
    if (kind === undefined) metrics.eventIn((kind = 'malformed'));
    metrics.eventHandled(kind, 'error');
    throw error;
  }
}

async function processIntake(intake: ReturnType<typeof parseEvent>, deps: PipelineDependencies, metrics: PipelineMetrics): Promise<EventOutcome> {
  if (intake.type === 'unrecognised') {
    return { id: intake.eventId, detailType: intake.detailType, outcome: 'ignored', actions: [], notes: [intake.why] };
  }
  const { signal } = intake;
  const now = deps.now(signal);
  const stored = await readState(signal, deps.store, deps.enrichers, now);
  let plan = decide(signal, stored, deps.config, now);
  // Tags only take notifications away and enrichment only adds detail: an event that plans nothing
  // without them is settled without the AWS calls.
  if (plan.notifications.length > 0 && deps.enrichers) plan = decide(signal, await enrich(signal, plan, stored, deps, now), deps.config, now);
  const base = { id: signal.eventId, detailType: signal.detailType, kind: signal.kind };
  const isFlush = signal.kind === 'timer' && signal.body.type === 'group-flush';
  if (plan.notifications.length === 0 && plan.writes.length === 0 && plan.timers.length === 0 && !isFlush) {
    return { ...base, outcome: 'ignored', actions: [], notes: plan.notes };
  }

  // EventBridge delivers at least once: only the invocation that claims the event id acts.
  const ttlSeconds = deps.config.state.eventTtlHours * 3600;
  const claim = await deps.store.claimEvent(signal.eventId, now, CLAIM_LEASE_SECONDS, ttlSeconds);
  if (claim === 'done') return { ...base, outcome: 'ignored', actions: [], notes: [...plan.notes, `duplicate: event ${signal.eventId} was already handled`] };
  if (claim === 'in-progress') throw new EventInProgressError(`event ${signal.eventId} is being handled by another invocation; failing so Lambda retries it later`);

  const planned: Array<{ action: NotifyAction; undo?: () => Promise<void> }> = [];
  const delivered = new Set<NotifyAction>();
  try {
    const timers: TimerRequest[] = [...plan.timers];
    if (signal.kind === 'timer' && signal.body.type === 'group-flush') planned.push(...(await flushGroup(signal.eventId, signal.body.group, deps, now, timers)));
    const silences = activeSilences(deps.config.notify.silences, await tableSilences(deps, now), now);
    const incident = stored.health?.failingSince;
    for (const notification of plan.notifications) {
      const silence = silencedBy(silences, labelsOf(notification));
      if (silence) {
        plan.notes.push(`${notification.kind} ${notification.cause}: silenced by ${silence}`);
        for (const routed of route(effectiveRoute(deps.config), labelsOf(notification))) metrics.notification(routed.receiver, 'silenced');
        continue;
      }
      planned.push(...(await group(signal.eventId, notification, incident, deps, now, timers, plan.notes)));
    }
    // Timers are safe to set twice (a second one finds nothing pending), so they go before posting.
    for (const timer of timers) {
      if (deps.timers && !deps.dryRun) await deps.timers.schedule(timer, now);
      else plan.notes.push(`timer in ${timer.delaySeconds} s: ${timer.body.type}${'group' in timer.body ? ` ${timer.body.group}` : ''} (not set ${deps.dryRun ? 'in a dry run' : 'offline'})`);
    }
    const actions = await deliver(
      planned.map((p) => p.action),
      deps.receivers,
      {
        dryRun: deps.dryRun,
        once: deliveryOnce(signal.eventId, deps, now, ttlSeconds),
        onDelivered: (a) => delivered.add(a),
        metrics,
        // A timer's message answers events from earlier: its delay would measure the group's interval.
        ...(signal.kind === 'timer' ? {} : { delaySince: { eventTime: signal.time, now: () => deps.now() } }),
      },
    );
    // Records that say a notification went out ("notified", "recovered") are written only once it
    // has: written before, a failed post would leave them saying so, and the retry would stay quiet.
    // A retry after a failure here skips the posts already made (they are claimed one by one).
    for (const write of plan.writes) {
      const current = await deps.store.getRecord<unknown>(write.key, now);
      // Health and disconnect records summarise; a lost race only costs a detail, so no retry.
      if (!(await deps.store.putRecord(write.key, write.value, current?.version, now, write.ttlSeconds))) plan.notes.push(`record ${write.key} changed concurrently; kept the other write`);
    }

    await completeStubbornly(() => deps.store.completeEvent(signal.eventId, now, ttlSeconds));
    return { ...base, outcome: actions.some((a) => a.delivery !== 'suppressed') ? 'acted' : 'ignored', actions, notes: plan.notes };
  } catch (error) {
    // Put back the groups of what was not posted, so the retry posts it; what was posted stays.
    for (const p of planned) if (p.undo && !delivered.has(p.action)) await p.undo().catch(() => undefined);
    await deps.store.releaseEvent(signal.eventId).catch(() => undefined);
    throw error;
  }
}

/** Each post is claimed on its own (event, receiver, group, delivery): see postOnce. */
function deliveryOnce(eventId: string, deps: PipelineDependencies, now: Date, ttlSeconds: number) {
  return (action: NotifyAction, post: () => Promise<void>) => postOnce(deps.store, `${eventId}>${action.receiver}>${action.group}>${action.delivery}`, now, ttlSeconds, post);
}
