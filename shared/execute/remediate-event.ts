// The remediation pipeline for one raw event:
//   intake -> opt-in -> claim -> read history + live state -> decideRemediation -> store history
//   -> for each action: the safety gates, then act, audit and announce -> timers -> complete.
// The gates live here and only here (kill switch, live state, cooldown, budgets, dry-run), so no
// playbook can skip them, and `replay --offline` runs the same code with no AWS behind it.
import { createHash } from 'node:crypto';
import { isClusterWatched } from '../config/cluster-filter.js';
import type { AutopilotConfig } from '../config/schema.js';
import type { PlaybookName } from '../config/schema-remediate.js';
import type { TimerRequest } from '../decide/plan.js';
import { decideRemediation, type RemediationState } from '../decide/remediation/decide-remediation.js';
import { type AgentRecord, agentRecordKey, HISTORY_TTL_SECONDS, type ServiceHistory, serviceHistoryKey } from '../decide/remediation/history.js';
import { optedInPlaybooks, playbookLabel } from '../decide/remediation/opt-in.js';
import { describeRevision } from '../decide/remediation/playbooks/common.js';
import { globalBudgetKey, remediationLimitKeys } from '../decide/remediation-limits.js';
import type { InstanceView, PlannedRemediation, ServiceView } from '../decide/remediation/types.js';
import { classifyStoppedTask } from '../decide/classify-stopped-task.js';
import { parseEvent, type Signal } from '../intake/index.js';
import type { AuditRecord, StateStore } from '../state/store.js';
import type { RemediationEcs, ServiceChange } from '../adapters/ecs-remediation.js';
import type { InstanceReplacer } from '../adapters/autoscaling-replace.js';
import type { KillSwitch } from '../adapters/kill-switch.js';
import { EventInProgressError, type PostOnce, postOnce } from './post-once.js';
import type { Timers } from './process-event.js';

export const REMEDIATION_OUTCOMES = ['acting', 'acted', 'dry-run', 'planned', 'blocked-kill-switch', 'blocked-stale', 'blocked-cooldown', 'blocked-budget', 'failed'] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

/** How to reverse an action, exactly; `ecs-autopilot undo ID` carries it out. */
export type UndoSpec =
  | { kind: 'update-service'; cluster: string; service: string; change: ServiceChange; expect: ServiceChange }
  | { kind: 'set-instance-status'; cluster: string; containerInstance: string; status: 'ACTIVE'; expect?: { status: 'DRAINING' } }
  | { kind: 'none'; why: string };

export interface RemediationReport extends PlannedRemediation {
  outcome: RemediationOutcome;
  /** Why a gate stopped it, or what acting did. */
  detail: string;
  auditId?: string;
}

export interface Announcement {
  report: RemediationReport;
  auditId: string;
  time: string;
  region: string;
  account: string;
  /** Each receiver's post goes through it: once per audit record and receiver, across retries. */
  once?: PostOnce;
}

export interface RemediationDependencies {
  config: AutopilotConfig;
  store: StateStore;
  now: (signal?: Signal) => Date;
  /** Absent offline: no AWS call; the service's state comes from this run's events, actions are planned only. */
  ecs?: RemediationEcs;
  replacer?: InstanceReplacer;
  killSwitch?: KillSwitch;
  tags?: { tagsOf(serviceArn: string, now: Date): Promise<{ tags: Record<string, string>; error?: string }> };
  alarmService?: (signal: Extract<Signal, { kind: 'alarm-state-changed' }>, now: Date) => Promise<{ cluster: string; service: string } | { unresolved: string }>;
  announce?: (announcement: Announcement) => Promise<void>;
  timers?: Timers;
  /** Counts each action's outcome (EMF in the handler). */
  countAction?: (playbook: string, outcome: RemediationOutcome) => void;
  /** Reports the kill switch as read (EMF gauge; an alarm fires when it stays on). */
  reportKillSwitch?: (engaged: boolean) => void;
  /** Plan and announce only: config.remediate.dryRun, or forced (replay). */
  dryRun: boolean;
}

export interface RemediationEventOutcome {
  id: string;
  detailType: string;
  outcome: 'acted' | 'ignored';
  kind?: string;
  actions: RemediationReport[];
  timers: TimerRequest[];
  notes: string[];
}

const CLAIM_LEASE_SECONDS = 900;
const MAX_DECIDE_ATTEMPTS = 6;

type Target = { cluster: string; service?: string; containerInstanceArn?: string; serviceArn?: string };

async function targetOf(signal: Signal, deps: RemediationDependencies, now: Date, notes: string[]): Promise<Target | undefined> {
  switch (signal.kind) {
    case 'task-stopped':
    case 'task-state-changed':
    case 'service-action':
    case 'deployment-state-changed':
      return signal.service ? { cluster: signal.cluster, service: signal.service, ...(signal.serviceArn ? { serviceArn: signal.serviceArn } : {}) } : undefined;
    case 'container-instance-state-changed':
      return { cluster: signal.cluster, containerInstanceArn: signal.containerInstanceArn };
    case 'timer':
      if (signal.body.type === 'remediate-agent-check') return { cluster: signal.body.cluster, containerInstanceArn: signal.body.containerInstanceArn };
      if (signal.body.type === 'remediate-capacity-check') return { cluster: signal.body.cluster, service: signal.body.service };
      return undefined;
    case 'alarm-state-changed': {
      if (signal.state !== 'ALARM') return undefined;
      const fromDimensions = signal.dimensions.ClusterName && signal.dimensions.ServiceName ? { cluster: signal.dimensions.ClusterName, service: signal.dimensions.ServiceName } : undefined;
      const resolved = fromDimensions ?? (deps.alarmService ? await deps.alarmService(signal, now) : { unresolved: 'offline: only ClusterName/ServiceName dimensions name a service' });
      if ('unresolved' in resolved) {
        notes.push(`alarm ${signal.alarmName}: ${resolved.unresolved}`);
        return undefined;
      }
      return resolved;
    }
    default:
      return undefined;
  }
}

const serviceArnOf = (signal: Signal, target: Target) =>
  target.serviceArn ?? ('region' in signal ? `arn:aws:ecs:${signal.region}:${signal.account}:service/${target.cluster}/${target.service}` : undefined);

/** A short, stable id per action and outcome: a redelivered event rewrites the same audit record. */
const auditIdOf = (actionKey: string, outcome: RemediationOutcome) => createHash('sha256').update(`${actionKey}|${outcome}`).digest('hex').slice(0, 12);

/** What an UpdateService call changed, in words, for the audit record and the announcement. */
function describeChange(change: ServiceChange): string {
  const parts = [
    ...(change.taskDefinition ? [`task definition set to ${describeRevision(change.taskDefinition)}`] : []),
    ...(change.desiredCount !== undefined ? [`desired count set to ${change.desiredCount}`] : []),
    ...(change.capacityProviderStrategy ? [`capacity provider strategy set to ${change.capacityProviderStrategy.map((s) => `${s.capacityProvider} (weight ${s.weight}, base ${s.base})`).join(', ')}`] : []),
    ...(change.forceNewDeployment ? ['a new deployment started'] : []),
  ];
  return `updated the service: ${parts.join('; ')}`;
}

function changeOf(action: PlannedRemediation): ServiceChange {
  switch (action.type) {
    case 'rollback':
      return { taskDefinition: action.to as string };
    case 'pause':
      return { desiredCount: action.to as number };
    case 'restart':
      return { forceNewDeployment: true };
    case 'capacity-fallback':
    case 'capacity-restore':
      return { capacityProviderStrategy: action.to as ServiceChange['capacityProviderStrategy'], forceNewDeployment: true };
    default:
      return {};
  }
}

/** Why the target no longer looks like the plan expects (someone changed it, or the event is old), or undefined. */
function staleBecause(action: PlannedRemediation, view: ServiceView | undefined, agentConnected: boolean | undefined): string | undefined {
  if (action.expect.agentDisconnected && agentConnected) return 'the agent has reconnected';
  if (!action.service) return undefined;
  if (!view) return 'the service no longer exists';
  if (action.expect.taskDefinition && view.taskDefinition && view.taskDefinition !== action.expect.taskDefinition) {
    return `the service now runs ${describeRevision(view.taskDefinition)}, not ${describeRevision(action.expect.taskDefinition)}`;
  }
  const since = action.expect.noDeploymentSince;
  const newer = since ? view.deployments.find((d) => d.createdAt && new Date(d.createdAt).getTime() > new Date(since).getTime()) : undefined;
  if (newer) return `deployment ${newer.id} started at ${newer.createdAt}, after ${since}`;
  return undefined;
}

/**
 * The exact reversal of `change`, and what the target must still look like for it to be safe: the
 * values `change` set (ARNs, counts, strategies, statuses; never words), which `undo` compares
 * with the live state. For resize-memory, `change` holds the ARN of the revision registered.
 */
function undoOf(action: PlannedRemediation, before: ServiceView | undefined, change: ServiceChange): UndoSpec {
  const [cluster, service] = (action.service ?? '').split('/') as [string, string];
  switch (action.type) {
    case 'rollback':
    case 'resize-memory':
      if (!change.taskDefinition) return { kind: 'none', why: 'the revision registered is unknown' };
      return before?.taskDefinition
        ? { kind: 'update-service', cluster, service, change: { taskDefinition: before.taskDefinition }, expect: { taskDefinition: change.taskDefinition } }
        : { kind: 'none', why: 'the previous task definition is unknown' };
    case 'pause':
      return before?.desiredCount !== undefined
        ? { kind: 'update-service', cluster, service, change: { desiredCount: before.desiredCount }, expect: { desiredCount: change.desiredCount } }
        : { kind: 'none', why: 'the previous desired count is unknown' };
    case 'capacity-fallback':
    case 'capacity-restore':
      return before && before.capacityProviderStrategy.length > 0
        ? { kind: 'update-service', cluster, service, change: { capacityProviderStrategy: before.capacityProviderStrategy, forceNewDeployment: true }, expect: { capacityProviderStrategy: change.capacityProviderStrategy } }
        : { kind: 'none', why: 'the service had no capacity provider strategy before' };
    case 'drain-instance':
      return action.replaceInstance ? { kind: 'none', why: 'the instance was replaced by its Auto Scaling group' } : { kind: 'set-instance-status', cluster: action.cluster, containerInstance: action.containerInstance!, status: 'ACTIVE', expect: { status: 'DRAINING' } };
    case 'restart':
      return { kind: 'none', why: 'a new deployment of the same task definition has nothing to undo' };
  }
}

/**
 * What an attempt of an action writes down right before its write: enough for a retry of the same
 * action (same event, type and target) to see that the change is already made and to finish the
 * record with the first attempt's undo, instead of writing again.
 */
interface ActionIntent {
  action: PlannedRemediation;
  at: string;
  change: ServiceChange;
  after: string;
  undo: UndoSpec;
  before?: ServiceView;
}

/**
 * An event's intents, by action key, in one record read once per claimed event: a retry finishes
 * an action its failed attempt made even when the decision no longer plans it (a pause the retry
 * finds at its floor plans nothing).
 */
interface EventIntents {
  key: string;
  value: Record<string, ActionIntent>;
  version?: number;
}

const intentsKeyOf = (eventId: string) => `remediate#intent#${eventId}`;
const actionKeyOf = (eventId: string, action: PlannedRemediation) => `${eventId}>${action.type}>${action.service ?? action.containerInstance ?? action.cluster}`;

const sameStrategy = (a: ServiceChange['capacityProviderStrategy'] = [], b: ServiceChange['capacityProviderStrategy'] = []) =>
  JSON.stringify(a.map((i) => [i.capacityProvider, i.weight ?? 0, i.base ?? 0])) === JSON.stringify(b.map((i) => [i.capacityProvider, i.weight ?? 0, i.base ?? 0]));

/**
 * Whether the live state already shows the change `intent` was about to make. Then the attempt that
 * wrote it failed after the write (its answer lost, or its audit record). The staleness check would
 * stop a second write too, but it would record the action as blocked: the change would then have
 * no 'acted' record and no announcement, and a drain (whose instance is still disconnected) would
 * be made, and its instance replaced, a second time.
 */
function madeAlready(action: PlannedRemediation, intent: ActionIntent, view: ServiceView | undefined, instance: { status: string } | undefined): boolean {
  switch (action.type) {
    case 'drain-instance':
      return instance?.status === 'DRAINING';
    case 'restart':
      return Boolean(view?.deployments.some((d) => d.createdAt && new Date(d.createdAt).getTime() > new Date(intent.at).getTime()));
    case 'pause':
      return view !== undefined && view.desiredCount === intent.change.desiredCount;
    case 'rollback':
    case 'resize-memory':
      return Boolean(intent.change.taskDefinition) && view?.taskDefinition === intent.change.taskDefinition;
    case 'capacity-fallback':
    case 'capacity-restore':
      return view !== undefined && sameStrategy(view.capacityProviderStrategy, intent.change.capacityProviderStrategy);
  }
}

interface Gatekeeper {
  killSwitch?: string | undefined;
}

/** What a remediation acts on, as ECS has it now (online only). */
async function liveStateOf(action: PlannedRemediation, deps: RemediationDependencies): Promise<LiveState> {
  const [cluster, service] = (action.service ?? '').split('/') as [string, string];
  return {
    view: deps.ecs && action.service ? await deps.ecs.describeService(cluster, service) : undefined,
    instance: deps.ecs && action.containerInstance ? await deps.ecs.describeInstance(action.cluster, action.containerInstance) : undefined,
  };
}

interface LiveState {
  view: ServiceView | undefined;
  instance: InstanceView | undefined;
}

/** `live`: the state just read by the caller, for the same action (not read twice). */
async function carryOut(action: PlannedRemediation, signal: Signal, deps: RemediationDependencies, gate: Gatekeeper, now: Date, because: string, intents: EventIntents, live?: LiveState): Promise<RemediationReport> {
  const remediate = deps.config.remediate;
  const settings = remediate.playbooks[action.playbook];
  const label = playbookLabel(action.playbook);
  const target = action.service ?? action.containerInstance ?? action.cluster;
  const actionKey = actionKeyOf(signal.eventId, action);
  const report = (outcome: RemediationOutcome, detail: string): RemediationReport => ({ ...action, outcome, detail });
  const [cluster, service] = (action.service ?? '').split('/') as [string, string];

  // The live state, read again right before acting: another action of this event, a person or a
  // deployment may have changed it since the decision.
  const { view: before, instance } = live ?? (await liveStateOf(action, deps));
  // A retry of this very action, whose earlier attempt made the change and then failed before it
  // could record it: finish the record, write nothing again. Checked before staleness, since the
  // change itself makes the service look moved on.
  const intent = intents.value[actionKey];
  if (intent && madeAlready(action, intent, before, instance)) {
    return finish(report('acted', `${intent.after} (made by an earlier attempt of this event, which failed before recording it; not written again)`), intent.undo, intent.before);
  }
  if (gate.killSwitch) return finish(report('blocked-kill-switch', `the kill switch ${remediate.killSwitchParameter} is ${gate.killSwitch}`));
  if (deps.ecs) {
    const stale = staleBecause(action, before, instance?.agentConnected);
    if (stale) return finish(report('blocked-stale', `not acting: ${stale}`));
  }

  // Dry-run counts cooldowns and budgets in its own keys: it shows what would act, without eating
  // the real budget of the day it is switched off.
  const keys = remediationLimitKeys(action.playbook, target, now, Boolean(deps.dryRun));
  // Cooldown and hourly cap hold per target (a service, or a container instance), across playbooks:
  // two playbooks must not act on one service within one cooldown (a rollback, then a restart of
  // the half-rolled-back service). The cooldown is the acting playbook's, and so is the cap: at most
  // `maxPerHour` actions on this target this hour, whichever playbooks took the others.
  // Moving back from fallback capacity is exempt from the target's cooldown (it keeps one of its
  // own): it ends the fallback, paced by restoreAfter, and it is the one action that is not retried
  // (the restore timer chain ends with it), so a cooldown that blocked it would leave the service on
  // the fallback capacity for good. It still counts in the hourly cap and the global budget.
  const cooldownKey = action.type === 'capacity-restore' && keys.restoreCooldown ? keys.restoreCooldown : keys.cooldown;
  if (!(await deps.store.acquireCooldown(cooldownKey, now, settings.cooldown, actionKey))) {
    return finish(
      report(
        'blocked-cooldown',
        action.type === 'capacity-restore'
          ? `${label} moved ${target} back less than ${Math.round(settings.cooldown / 60)} min ago (cooldown)`
          : `a remediation acted on ${target} within the cooldown (${label}: ${Math.round(settings.cooldown / 60)} min; one action per target per cooldown, across playbooks)`,
      ),
    );
  }
  if (!(await deps.store.reserveSlot(keys.budget, actionKey, settings.maxPerHour, now, 7200))) {
    return finish(report('blocked-budget', `${target} already had ${settings.maxPerHour} remediation action(s) this hour, across playbooks (${label} maxPerHour)`));
  }
  if (!(await deps.store.reserveSlot(globalBudgetKey(now, Boolean(deps.dryRun)), actionKey, remediate.maxActionsPerHour, now, 7200))) {
    return finish(report('blocked-budget', `the global budget of ${remediate.maxActionsPerHour} actions this hour is spent (remediate.maxActionsPerHour)`));
  }
  if (!deps.ecs) return finish(report('planned', 'planned only: offline, no AWS call'));
  if (deps.dryRun) return finish(report('dry-run', 'dry-run: planned and announced, not carried out (remediate.dryRun)'));

  let change: ServiceChange = changeOf(action);
  let after: string | undefined;
  // The intent goes into the audit trail before the write: if the invocation dies after the write,
  // its retry no longer acts (the live state has moved on), and this record is what tells.
  await record(report('acting', 'about to act'), undoOf(action, before, change), before);
  // An earlier attempt's intent is kept: it holds the state from before any write. The claim keeps
  // other invocations of this event out, so a lost race means a lost answer of our own write.
  const remember = async (made: ServiceChange, described: string) => {
    if (intents.value[actionKey]) return;
    intents.value[actionKey] = { action, at: now.toISOString(), change: made, after: described, undo: undoOf(action, before, made), ...(before ? { before } : {}) };
    if (await deps.store.putRecord(intents.key, intents.value, intents.version, now, HISTORY_TTL_SECONDS)) intents.version = (intents.version ?? 0) + 1;
  };
  try {
    switch (action.type) {
      case 'drain-instance': {
        await remember(change, 'DRAINING');
        await deps.ecs.setInstanceStatus(action.cluster, action.containerInstance!, 'DRAINING');
        after = 'DRAINING';
        if (action.replaceInstance && instance?.ec2InstanceId && deps.replacer) {
          const group = await deps.replacer.replace(instance.ec2InstanceId);
          after = group ? `DRAINING; ${instance.ec2InstanceId} terminated in ${group}, which starts a replacement` : 'DRAINING; not in an Auto Scaling group, so not replaced';
        }
        break;
      }
      case 'resize-memory': {
        const registered = await deps.ecs.registerWithMemory(action.from as string, action.memory!.container, action.memory!.toMiB);
        change = { taskDefinition: registered };
        await remember(change, describeChange(change));
        await deps.ecs.updateService(cluster, service, change);
        after = `registered ${describeRevision(registered)} (${action.memory!.container} memory ${action.memory!.fromMiB} -> ${action.memory!.toMiB} MiB); ${describeChange(change)}`;
        break;
      }
      default:
        await remember(change, describeChange(change));
        await deps.ecs.updateService(cluster, service, change);
        after = describeChange(change);
    }
  } catch (error) {
    await finish(report('failed', `${(error as Error).name}: ${(error as Error).message}`));
    throw error;
  }
  return finish(report('acted', after ?? 'done'), undoOf(action, before, change), before);

  async function finish(result: RemediationReport, undo?: UndoSpec, beforeView?: ServiceView): Promise<RemediationReport> {
    deps.countAction?.(label, result.outcome);
    // A burst of events for one target blocks many times; say it once per cooldown, not per event.
    // The action holds it: a retry of this action (whose first attempt failed before recording)
    // still says it.
    if (!['acted', 'failed', 'dry-run', 'planned'].includes(result.outcome) && !(await deps.store.acquireCooldown(`said#${label}#${target}#${result.outcome}`, now, settings.cooldown, actionKey))) {
      return result;
    }
    const audit = await record(result, undo, beforeView);
    // Undefined: recorded already, by an earlier attempt of this action that failed later on (in
    // its announcement, its timers or its claim).
    const auditId = audit?.id ?? auditIdOf(actionKey, result.outcome);
    const withId = audit ? { ...result, auditId } : { ...result, auditId, detail: `${result.detail} (recorded by an earlier attempt of this event)` };
    if (!deps.announce) return withId;
    // Each receiver's post is claimed once per audit record, so a retry announces to the receivers
    // that did not get it, and to no other. An announcement that did not reach a receiver fails
    // the invocation, as a notification does: Lambda's retry announces it (the change itself is
    // made and recorded, and is not made again).
    const ttlSeconds = deps.config.state.eventTtlHours * 3600;
    await deps.announce({
      report: withId,
      auditId,
      time: audit?.time ?? now.toISOString(),
      region: 'region' in signal ? signal.region : '',
      account: 'account' in signal ? signal.account : '',
      once: (receiver, post) => postOnce(deps.store, `announce>${auditId}>${receiver}`, now, ttlSeconds, post),
    });
    return withId;
  }

  /** The record as stored; undefined when an earlier attempt of this action recorded this outcome. */
  async function record(result: RemediationReport, undo?: UndoSpec, beforeView?: ServiceView): Promise<AuditRecord | undefined> {
    const auditId = auditIdOf(actionKey, result.outcome);
    const entry: AuditRecord = {
      id: auditId,
      time: now.toISOString(),
      actor: `remediate:${label}`,
      action: action.type,
      target,
      reason: action.reason,
      eventIds: action.eventIds,
      detail: {
        outcome: result.outcome,
        detail: result.detail,
        optIn: because,
        ...(action.from !== undefined ? { from: action.from } : {}),
        ...(action.to !== undefined ? { to: action.to } : {}),
        ...(action.memory ? { memory: action.memory } : {}),
        ...(beforeView ? { before: { taskDefinition: beforeView.taskDefinition, desiredCount: beforeView.desiredCount, capacityProviderStrategy: beforeView.capacityProviderStrategy } } : {}),
        undo: undo ?? { kind: 'none', why: result.outcome === 'acted' ? 'nothing to undo' : 'nothing was changed' },
        undoHint: action.undo.replace('ID', auditId),
        actionKey,
      },
    };
    return deps.store.appendAudit(entry, remediate.auditRetentionDays * 86400);
  }
}

/** The event's intents (online only: offline and dry-run nothing is written, so nothing is interrupted). */
async function readIntents(eventId: string, deps: RemediationDependencies, now: Date): Promise<EventIntents> {
  const key = intentsKeyOf(eventId);
  if (!deps.ecs || deps.dryRun) return { key, value: {} };
  const record = await deps.store.getRecord<Record<string, ActionIntent>>(key, now);
  return record ? { key, value: record.value, version: record.version } : { key, value: {} };
}

/** Finishes an interrupted action whose change the live state shows; undefined when it does not. */
async function finishInterrupted(intent: ActionIntent, signal: Signal, deps: RemediationDependencies, gate: Gatekeeper, now: Date, because: string, intents: EventIntents) {
  const live = await liveStateOf(intent.action, deps);
  return madeAlready(intent.action, intent, live.view, live.instance) ? carryOut(intent.action, signal, deps, gate, now, because, intents, live) : undefined;
}

/** Reads what the decision needs: the history record, the agent record, and (online) the live state. */
async function readState(signal: Signal, target: Target, deps: RemediationDependencies, playbooks: PlaybookName[]) {
  const now = deps.now(signal);
  const historyKey = target.service ? serviceHistoryKey(target.cluster, target.service) : undefined;
  const agentKey = target.containerInstanceArn ? agentRecordKey(target.cluster, target.containerInstanceArn) : undefined;
  const history = historyKey ? await deps.store.getRecord<ServiceHistory>(historyKey, now) : undefined;
  const agent = agentKey ? await deps.store.getRecord<AgentRecord | null>(agentKey, now) : undefined;
  const state: RemediationState = {
    ...(history ? { history: history.value } : {}),
    ...(agent?.value ? { agent: agent.value } : {}),
  };
  if (deps.ecs && target.service) {
    const view = await deps.ecs.describeService(target.cluster, target.service);
    if (view) state.view = view;
  } else if (target.service) {
    // Offline the run's own events are the history; the revision comes from it, not from a view.
    state.view = { cluster: target.cluster, service: target.service, deployments: [], capacityProviderStrategy: [], source: 'history' };
  }
  if (deps.ecs && target.containerInstanceArn && signal.kind === 'timer') {
    const instance = await deps.ecs.describeInstance(target.cluster, target.containerInstanceArn);
    if (instance) state.instance = instance;
  }
  if (playbooks.includes('oomResize') && signal.kind === 'task-stopped' && signal.taskDefinitionArn) {
    const classified = classifyStoppedTask(signal);
    if (classified.cause === 'oom') {
      const container = classified.container;
      const fromEvent = container?.memory !== undefined ? Number(container.memory) : undefined;
      state.memory = deps.ecs
        ? await deps.ecs.containerMemory(signal.taskDefinitionArn, container?.name)
        : container && fromEvent !== undefined && Number.isFinite(fromEvent)
          ? { taskDefinition: signal.taskDefinitionArn, container: container.name, memoryMiB: fromEvent }
          : undefined;
    }
  }
  return { state, historyKey, historyVersion: history?.version, agentKey, agentVersion: agent?.version };
}

export async function remediateEvent(raw: unknown, deps: RemediationDependencies): Promise<RemediationEventOutcome> {
  const intake = parseEvent(raw);
  if (intake.type === 'unrecognised') return { id: intake.eventId, detailType: intake.detailType, outcome: 'ignored', actions: [], timers: [], notes: [intake.why] };
  const { signal } = intake;
  const now = deps.now(signal);
  const notes: string[] = [];
  const base = { id: signal.eventId, detailType: signal.detailType, kind: signal.kind };
  const ignored = (...why: string[]): RemediationEventOutcome => ({ ...base, outcome: 'ignored', actions: [], timers: [], notes: [...notes, ...why] });

  // The kill switch schedule's tick (build/serverless-vars.cjs): it only reads and reports the
  // switch, so its alarm gets a datapoint every period even when no event makes remediate run.
  if (signal.kind === 'scheduled-tick') {
    const engaged = deps.killSwitch ? await deps.killSwitch.engaged() : undefined;
    deps.reportKillSwitch?.(engaged !== undefined);
    return ignored(deps.killSwitch ? `kill switch ${deps.config.remediate.killSwitchParameter}: ${engaged ? `engaged (${engaged})` : 'off'}` : 'kill switch not read (offline)');
  }
  const target = await targetOf(signal, deps, now, notes);
  if (!target) return ignored('no service or container instance to remediate');
  if (!isClusterWatched(deps.config.clusters, target.cluster)) return ignored(`cluster '${target.cluster}' is not watched`);
  // Opt-in before anything is read or written: a service that is not opted in is never touched.
  const serviceArn = target.service ? serviceArnOf(signal, target) : undefined;
  const tagged = serviceArn && deps.tags ? await deps.tags.tagsOf(serviceArn, now) : undefined;
  if (tagged?.error) notes.push(tagged.error);
  const optIn = optedInPlaybooks(deps.config.remediate, target.cluster, target.service, tagged?.tags);
  if (optIn.warning) notes.push(optIn.warning);
  if (optIn.playbooks.length === 0) return ignored(optIn.because);

  // Read on every invocation that could act, so the switch stops the next one, and its state is
  // a metric the stack alarms on. A read that fails fails the invocation: never act without knowing.
  const killSwitch = deps.killSwitch ? await deps.killSwitch.engaged() : undefined;
  deps.reportKillSwitch?.(killSwitch !== undefined);

  const ttlSeconds = deps.config.state.eventTtlHours * 3600;
  const claimKey = `remediate:${signal.eventId}`;
  const claim = await deps.store.claimEvent(claimKey, now, CLAIM_LEASE_SECONDS, ttlSeconds);
  if (claim === 'done') return ignored(`duplicate: event ${signal.eventId} was already handled`);
  if (claim === 'in-progress') throw new EventInProgressError(`event ${signal.eventId} is being handled by another invocation; failing so Lambda retries it later`);

  try {
    // Optimistic: the history is written only if nobody else wrote it since it was read; a loser
    // reads again and decides again, so two events for one service never overwrite each other.
    let plan: ReturnType<typeof decideRemediation> | undefined;
    for (let attempt = 0; attempt < MAX_DECIDE_ATTEMPTS && !plan; attempt++) {
      const read = await readState(signal, target, deps, optIn.playbooks);
      const candidate = decideRemediation(signal, read.state, deps.config.remediate, optIn.playbooks, now);
      const historyOk = !candidate.history || !read.historyKey || (await deps.store.putRecord(read.historyKey, candidate.history, read.historyVersion, now, HISTORY_TTL_SECONDS));
      const agentOk =
        !historyOk || candidate.agent === undefined || !read.agentKey || (await deps.store.putRecord(read.agentKey, candidate.agent, read.agentVersion, now, HISTORY_TTL_SECONDS));
      if (historyOk && agentOk) plan = candidate;
      else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
    }
    if (!plan) throw new Error(`the remediation history of ${target.service ?? target.containerInstanceArn} kept changing under ${MAX_DECIDE_ATTEMPTS} attempts; failing so Lambda retries`);
    notes.push(...plan.notes);

    const gate: Gatekeeper = { killSwitch };
    const actions: RemediationReport[] = [];
    const intents = await readIntents(signal.eventId, deps, now);
    for (const action of plan.actions) actions.push(await carryOut(action, signal, deps, gate, now, optIn.because, intents));
    // What a failed attempt of this event began and the decision no longer plans (its change is
    // in place, so there is nothing left to do): recorded and announced, never written again.
    const planned = new Set(plan.actions.map((a) => actionKeyOf(signal.eventId, a)));
    for (const [key, intent] of Object.entries(intents.value)) {
      if (!planned.has(key)) {
        const finished = await finishInterrupted(intent, signal, deps, gate, now, optIn.because, intents);
        if (finished) actions.push(finished);
      }
    }
    if (deps.timers) for (const timer of plan.timers) await deps.timers.schedule(timer, now);
    await deps.store.completeEvent(claimKey, now, ttlSeconds);
    return { ...base, outcome: actions.length > 0 ? 'acted' : 'ignored', actions, timers: plan.timers, notes };
  } catch (error) {
    await deps.store.releaseEvent(claimKey).catch(() => undefined);
    throw error;
  }
}
