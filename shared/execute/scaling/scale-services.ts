// Carries scaling decisions out: for each service, observe (ECS counts and tags, policy readings,
// a scalable target), decide (pure), record the history with an optimistic write, then act once:
// UpdateService, or the scalable target's MinCapacity (the floor). Every change is audited; a
// service held at max, or frozen by missing data, too long is announced. One service failing never stops the others.
import type { ScalableTargetCapacity, ScalableTargets } from '../../adapters/scalable-target.js';
import { type EcsDesiredCount, SCALE_OPT_IN_TAG, type ScaledServiceState } from '../../adapters/ecs-desired-count.js';
import type { ScalingNotifier } from '../../adapters/scaling-notifier.js';
import type { ScaledService } from '../../config/schema-scale.js';
import { parseServiceTags } from '../../config/service-tags.js';
import { decideScale } from '../../decide/scaling/decide-scale.js';
import { noticesOf } from '../../decide/scaling/notice.js';
import { EMPTY_HISTORY, type ScalingDecision, type ScalingHistory } from '../../decide/scaling/types.js';
import type { StateStore } from '../../state/store.js';
import { type PolicyReaders, readPolicy } from './read-policies.js';

export interface ScalerDependencies {
  store: StateStore;
  ecs: EcsDesiredCount;
  scalableTargets: ScalableTargets;
  readers: PolicyReaders;
  /** Held at max, frozen by missing data: to the notify route's receivers. */
  notify: ScalingNotifier;
  /** EMF: one ScalingDecisions datapoint per decision. */
  recordDecision(decision: ScalingDecision): void;
  now(): Date;
}

export type ServiceOutcome =
  | { service: string; outcome: 'scaled'; from: number; to: number; via: 'desiredCount'; reason: string }
  /** Adjust mode: from and to are the scalable target's MinCapacity; desiredCount as read before. */
  | { service: string; outcome: 'floor-raised' | 'floor-lowered'; from: number; to: number; desiredCount: number; via: 'scalable-target'; reason: string }
  | { service: string; outcome: 'held'; count: number; reason: string }
  | { service: string; outcome: 'refused' | 'not-found' | 'error'; reason: string };

/** What started the evaluation: its event id goes into the audit, its place into notices. */
export interface ScaleEvent {
  eventId: string;
  region: string;
  account: string;
}

const HISTORY_TTL_SECONDS = 86_400;
const AUDIT_TTL_SECONDS = 90 * 86_400;
const WRITE_ATTEMPTS = 5;

export const historyKey = (cluster: string, service: string) => `scale#${cluster}/${service}`;

export async function scaleServices(services: ScaledService[], event: ScaleEvent, deps: ScalerDependencies): Promise<Array<ServiceOutcome & { noticeFailures?: string[] }>> {
  const outcomes: Array<ServiceOutcome & { noticeFailures?: string[] }> = [];
  for (const service of services) {
    try {
      outcomes.push(await scaleService(service, event, deps));
    } catch (error) {
      outcomes.push({ service: `${service.cluster}/${service.service}`, outcome: 'error', reason: `${(error as Error).name}: ${(error as Error).message}` });
    }
  }
  return outcomes;
}

async function scaleService(service: ScaledService, event: ScaleEvent, deps: ScalerDependencies): Promise<ServiceOutcome & { noticeFailures?: string[] }> {
  const name = `${service.cluster}/${service.service}`;
  const now = deps.now();
  const state = await deps.ecs.describe(service.cluster, service.service);
  if (!state) return { service: name, outcome: 'not-found', reason: `service ${service.service} not found in cluster ${service.cluster}` };
  const { overrides } = parseServiceTags(state.tags);
  // Opt-in, checked here too: the IAM condition enforces it in AWS, this says so before trying.
  if (overrides.scale !== true) {
    return { service: name, outcome: 'refused', reason: `${name} is not opted in to scaling: tag the service ${SCALE_OPT_IN_TAG}=on (the role may only update services with that tag)` };
  }
  const target = await deps.scalableTargets.find(service.cluster, service.service);
  if (target && service.onScalableTarget === 'refuse') {
    return {
      service: name,
      outcome: 'refused',
      reason: `${name} has an Application Auto Scaling scalable target (min ${target.min}, max ${target.max}) and onScalableTarget is refuse: ecs-autopilot leaves it alone. Deregister the scalable target, or set onScalableTarget: adjust to move its min capacity instead.`,
    };
  }
  const readings = await Promise.all(service.policies.map((policy) => readPolicy(policy, deps.readers, now)));
  // Without a scalable target the decision moves desiredCount. With one (adjust), ecs-autopilot
  // owns only the target's MinCapacity, the floor: the decision moves from that floor, so a
  // scale-in lowers it step by step (Application Auto Scaling's own policies then scale in) instead
  // of re-deciding from a desiredCount that lowering the floor never moves.
  const from = target ? target.min : state.desired;
  const observations = { desired: from, running: state.running, readings, pausedByTag: overrides.scalePaused === true };

  // Optimistic: the history write is the claim. An invocation that loses (the schedule and an
  // alarm at the same minute) reads again and decides on the winner's history.
  let decision: ScalingDecision | undefined;
  let previous: ScalingHistory = EMPTY_HISTORY;
  let written = 0;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS && !decision; attempt += 1) {
    const record = await deps.store.getRecord<ScalingHistory>(historyKey(service.cluster, service.service), now);
    const candidate = decideScale(service, observations, record?.value ?? EMPTY_HISTORY, now);
    if (await deps.store.putRecord(historyKey(service.cluster, service.service), candidate.history, record?.version, now, HISTORY_TTL_SECONDS)) {
      decision = candidate;
      previous = record?.value ?? EMPTY_HISTORY;
      written = (record?.version ?? 0) + 1;
    }
  }
  if (!decision) throw new Error(`${name}: the scaling history changed under ${WRITE_ATTEMPTS} attempts; the next evaluation decides`);
  deps.recordDecision(decision);

  // The history just written says what this evaluation did: the time of a scale, which starts its
  // cooldown, and that a notice went out, which is sent once per episode. What then did not
  // happen is taken back (best effort, only if nobody wrote since), or a cooldown would hold back
  // a change that was never made, and a notice that failed would never be sent.
  const made = decision;
  const takeBack = new Set<keyof ScalingHistory>();
  const restore = async () => {
    if (takeBack.size === 0) return;
    const restored: Record<string, unknown> = { ...made.history };
    for (const field of takeBack) {
      if (previous[field] === undefined) delete restored[field];
      else restored[field] = previous[field];
    }
    await deps.store.putRecord(historyKey(service.cluster, service.service), restored, written, now, HISTORY_TTL_SECONDS).catch(() => false);
  };
  // A notice that fails is reported with the outcome and sent again by the next evaluation; it
  // never holds back the scaling itself.
  const noticeFailures: string[] = [];
  for (const notice of noticesOf(decision)) {
    try {
      await deps.notify(notice, { service, reason: decision.reason, eventId: event.eventId, time: now.toISOString(), region: event.region, account: event.account });
    } catch (error) {
      noticeFailures.push(`${notice.notice} notice: ${(error as Error).message}`);
      takeBack.add(notice.notice === 'at-max' ? 'notifiedAtMax' : 'notifiedMissing');
    }
  }
  const notMade = () => void takeBack.add('lastScaleOutAt').add('lastScaleInAt');
  let outcome: ServiceOutcome;
  try {
    outcome = await carryOut(service, decision, state, target, event.eventId, now, deps, notMade);
  } finally {
    // One write for whatever did not happen, however carryOut ended.
    await restore();
  }
  return noticeFailures.length > 0 ? { ...outcome, noticeFailures } : outcome;
}

/** Holds, or acts once (UpdateService, or the scalable target's floor) and audits the change. */
async function carryOut(
  service: ScaledService,
  decision: ScalingDecision,
  state: ScaledServiceState,
  target: ScalableTargetCapacity | undefined,
  eventId: string,
  now: Date,
  deps: ScalerDependencies,
  /** Says the change was not made (its history is then taken back). */
  notMade: () => void,
): Promise<ServiceOutcome> {
  const name = `${service.cluster}/${service.service}`;
  if (decision.direction === 'hold') {
    const held = target ? `floor stays MinCapacity ${target.min} (desiredCount ${state.desired}); ${decision.reason}` : decision.reason;
    return { service: name, outcome: 'held', count: decision.current, reason: held };
  }

  const change = target ? floorChange(target, decision.desired, state.desired) : undefined;
  try {
    if (change) await deps.scalableTargets.setCapacity(service.cluster, service.service, change.after);
    else await deps.ecs.setDesiredCount(service.cluster, service.service, decision.desired);
  } catch (error) {
    notMade();
    const denied = /AccessDenied|not authorized/i.test(`${(error as Error).name} ${(error as Error).message}`);
    const hint = denied ? ` The role may only change ${change ? 'scalable targets' : 'services'} tagged ${SCALE_OPT_IN_TAG}=on: tag it to opt in.` : '';
    throw new Error(`${change ? 'MinCapacity ' : ''}${decision.current} -> ${decision.desired} failed (${(error as Error).name}: ${(error as Error).message}).${hint}`);
  }
  const reason = change ? `${change.sentence}; ${decision.reason}` : decision.reason;
  await deps.store.appendAudit(
    {
      id: `scale:${name}:${now.toISOString()}`,
      time: now.toISOString(),
      actor: 'scale',
      action: 'scale',
      target: name,
      reason,
      eventIds: [eventId],
      detail: {
        from: decision.current,
        to: decision.desired,
        bound: decision.bound,
        recommended: decision.recommended,
        floor: decision.floor,
        ceiling: decision.ceiling,
        running: state.running,
        via: change ? 'scalable-target' : 'desiredCount',
        ...(change ? { change: change.outcome, desiredCount: state.desired, scalableTarget: { before: target, after: change.after } } : {}),
        policies: decision.policies.map((p) => p.explanation),
        steps: decision.steps,
        // The undo puts back both bounds: a floor raised above MaxCapacity raised the max as well.
        undo: target
          ? `aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id service/${name} --scalable-dimension ecs:service:DesiredCount --min-capacity ${target.min} --max-capacity ${target.max} (and pause: tag ecs-autopilot:scale-paused=true)`
          : `aws ecs update-service --cluster ${service.cluster} --service ${service.service} --desired-count ${decision.current} (and pause: tag ecs-autopilot:scale-paused=true)`,
      },
    },
    AUDIT_TTL_SECONDS,
  );
  if (change) return { service: name, outcome: change.outcome, from: decision.current, to: decision.desired, desiredCount: state.desired, via: 'scalable-target', reason };
  return { service: name, outcome: 'scaled', from: decision.current, to: decision.desired, via: 'desiredCount', reason };
}

/**
 * What moving a scalable target's floor to `floor` does. Application Auto Scaling keeps
 * desiredCount within [MinCapacity, MaxCapacity]: raising the floor above desiredCount scales out
 * at once; lowering it scales nothing in by itself (the target's own scaling policies do, when
 * their metric says so). MaxCapacity is raised when the floor would exceed it, never lowered.
 */
function floorChange(target: ScalableTargetCapacity, floor: number, desiredCount: number) {
  const after = { min: floor, max: Math.max(target.max, floor) };
  const maxRaised = after.max !== target.max ? `, MaxCapacity ${target.max} -> ${after.max}` : '';
  if (floor > target.min) {
    const effect = desiredCount < floor ? `Application Auto Scaling raises desiredCount ${desiredCount} to ${floor}` : `desiredCount ${desiredCount} is already at or above it`;
    return { outcome: 'floor-raised' as const, after, sentence: `floor raised: MinCapacity ${target.min} -> ${floor}${maxRaised} (${effect})` };
  }
  const effect = desiredCount > floor ? `desiredCount ${desiredCount} stays until Application Auto Scaling's own scaling policies scale in` : `desiredCount ${desiredCount} unchanged`;
  return { outcome: 'floor-lowered' as const, after, sentence: `floor lowered: MinCapacity ${target.min} -> ${floor} (${effect})` };
}
