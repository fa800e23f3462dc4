// The scaling decision: policies' counts -> the highest wins (KEDA) -> bounds (min, max, schedule
// windows, scale to zero) -> stabilisation windows (Kubernetes HPA behavior: scale out on the
// lowest recommendation of its window, scale in on the highest of a longer one) -> cooldowns ->
// the maximum step -> bounds again (a lowered max applies at once). Pure: no I/O, clock passed in.
import { evaluatePolicy } from './index.js';
import { idleState } from './scale-to-zero.js';
import type { PolicyEvaluation, ScaledService, ScalingBound, ScalingDecision, ScalingHistory, ScalingObservations } from './types.js';

const clamp = (n: number, low: number, high: number) => Math.min(high, Math.max(low, n));

/** Most tasks one decision may add or remove in a direction (at least 1). */
export function maxStep(step: { tasks?: number | undefined; percent?: number | undefined }, current: number): number {
  if (step.tasks !== undefined) return Math.max(1, step.tasks);
  return Math.max(1, Math.ceil((current * (step.percent ?? 100)) / 100));
}

export function decideScale(service: ScaledService, observations: ScalingObservations, history: ScalingHistory, now: Date): ScalingDecision {
  const t = Math.floor(now.getTime() / 1000);
  const current = observations.desired;
  const steps: string[] = [];
  let bound: ScalingBound = 'none';
  const apply = (rule: ScalingBound, sentence: string) => {
    bound = rule;
    steps.push(sentence);
  };

  const policies = service.policies.map((policy, i) => evaluatePolicy(policy, observations.readings[i], now));
  const load = policies.filter((e, i) => service.policies[i]!.type !== 'schedule');

  // Bounds: the service's min/max, narrowed or raised by open schedule windows (never above max).
  const windows = policies.filter((e) => e.limits);
  const windowMin = Math.max(0, ...windows.map((e) => e.limits?.min ?? 0));
  const windowMaxes = windows.flatMap((e) => (e.limits?.max !== undefined ? [e.limits.max] : []));
  const ceiling = Math.min(service.max, windowMaxes.length > 0 ? Math.max(...windowMaxes) : service.max);
  const idle = idleState(service, load, current, history.idleSince, t);
  const activeMin = idle.zeroAllowed ? 0 : service.min;
  const floor = Math.min(ceiling, Math.max(activeMin, windowMin));
  const floorRule: ScalingBound = windowMin > activeMin ? 'schedule' : idle.zeroAllowed && service.min > 0 ? 'scale-to-zero' : 'min';
  const ceilingRule: ScalingBound = ceiling < service.max ? 'schedule' : 'max';

  const base = { current, floor, ceiling, policies };
  if (service.paused || observations.pausedByTag) {
    const why = service.paused ? 'paused in the configuration' : 'paused by the ecs-autopilot:scale-paused tag';
    return { ...base, desired: current, direction: 'hold', bound: 'pause', recommended: current, steps: [why], reason: `${current} -> ${current}: ${why}`, history };
  }

  // Recommendation: the highest count any load policy asks for. A policy that could not be read
  // asks for the current count (or the fallback, if higher): missing data never scales in.
  const fallback = Math.max(current, service.missingData.fallbackCount ?? current);
  const readable = load.filter((e) => e.count !== undefined);
  const missing = load.filter((e) => e.missing !== undefined);
  let recommended: number;
  if (load.length === 0) recommended = current;
  else recommended = Math.max(...readable.map((e) => e.count!), missing.length > 0 ? fallback : 0);
  const fallbackDecides = missing.length > 0 && fallback >= Math.max(0, ...readable.map((e) => e.count!));
  if (fallbackDecides) apply('missing-data', `${missing.map((e) => e.policy).join(', ')} unreadable: at least ${fallback} (${service.missingData.fallbackCount !== undefined ? 'the fallback count, never fewer than now' : 'the current count'})`);
  if (idle.wakeTo > recommended) {
    recommended = idle.wakeTo;
    apply('scale-to-zero', idle.explanation ?? 'activation');
  } else if (idle.explanation && idle.zeroAllowed) {
    if (current > 0 && service.min > 0) apply('scale-to-zero', idle.explanation);
    else steps.push(idle.explanation);
  }

  // Tolerance (as HPA): a demand within a few percent of the current count changes nothing, so the
  // count does not jitter by one task around a rounding edge. Never holds a count out of bounds.
  const demand = Math.max(0, ...readable.map((e) => e.demand ?? 0));
  if (recommended !== current && current > 0 && missing.length === 0 && idle.wakeTo === 0 && readable.length > 0 && readable.every((e) => e.demand !== undefined) && Math.abs(demand / current - 1) <= service.tolerance && current >= floor && current <= ceiling) {
    apply('tolerance', `demand ${demand.toFixed(2)} tasks is within ${Math.round(service.tolerance * 100)}% of the current ${current}`);
    recommended = current;
  }

  let count = clamp(recommended, floor, ceiling);
  if (count > recommended) apply(floorRule, `raised to ${floorRule === 'schedule' ? 'the open schedule window\'s min' : 'min'} ${floor}`);
  if (count < recommended) apply(ceilingRule, `held to ${ceilingRule === 'schedule' ? 'the open schedule window\'s max' : 'max'} ${ceiling}`);

  // Stabilisation: recommendations of the windows, this one included.
  const keep = Math.max(service.scaleOut.stabilizationWindow, service.scaleIn.stabilizationWindow);
  const recommendations = [...history.recommendations.filter((r) => r.at > t - keep && r.at < t), { at: t, count }];
  const within = (seconds: number) => recommendations.filter((r) => r.at > t - seconds || r.at === t).map((r) => r.count);
  const upRecommendation = Math.min(...within(service.scaleOut.stabilizationWindow));
  const downRecommendation = Math.max(...within(service.scaleIn.stabilizationWindow));
  // Idle for idleFor is itself the scale-in window of going to zero: the recommendations of that
  // time were held at min, so the scale-in window would add its length again.
  const idleToZero = idle.zeroAllowed && service.scaleToZero !== undefined && current > 0 && count === 0;
  let stabilized = current;
  if (current < upRecommendation) stabilized = upRecommendation;
  else if (idleToZero) stabilized = count;
  else if (current > downRecommendation) stabilized = downRecommendation;
  if (stabilized !== count) {
    apply('stabilization', stabilized > count ? `scale-in stabilisation: highest recommendation of the last ${service.scaleIn.stabilizationWindow / 60} min is ${downRecommendation}` : `scale-out stabilisation: lowest recommendation of the last ${service.scaleOut.stabilizationWindow / 60} min is ${upRecommendation}`);
    count = stabilized;
  }

  // Cooldowns: no scale-out soon after a scale-out; no scale-in soon after any action.
  const lastAction = Math.max(history.lastScaleOutAt ?? -Infinity, history.lastScaleInAt ?? -Infinity);
  if (count > current && history.lastScaleOutAt !== undefined && t - history.lastScaleOutAt < service.scaleOut.cooldown) {
    apply('cooldown', `scale-out cooldown: last scale-out ${t - history.lastScaleOutAt} s ago (cooldown ${service.scaleOut.cooldown} s)`);
    count = current;
  } else if (count < current && t - lastAction < service.scaleIn.cooldown) {
    apply('cooldown', `scale-in cooldown: last action ${t - lastAction} s ago (cooldown ${service.scaleIn.cooldown} s)`);
    count = current;
  }

  // Step: at most this many tasks per decision (waking from zero may go straight to activationCount).
  const upStep = Math.max(maxStep(service.scaleOut.maxStep, current), current === 0 ? (service.scaleToZero?.activationCount ?? 1) : 1);
  const downStep = maxStep(service.scaleIn.maxStep, current);
  const stepped = clamp(count, current - downStep, current + upStep);
  if (stepped !== count) {
    apply('step', stepped > current ? `scale-out step: at most ${upStep} tasks per decision` : `scale-in step: at most ${downStep} tasks per decision`);
    count = stepped;
  }
  // Bounds win over steps and windows: a lowered max or a raised min applies at once.
  const bounded = clamp(count, floor, ceiling);
  if (bounded !== count) apply(bounded > count ? floorRule : ceilingRule, `bounds ${floor}..${ceiling} applied at once`);
  count = bounded;

  const direction = count > current ? 'up' : count < current ? 'down' : 'hold';
  const atMax = recommended > ceiling && count === ceiling;
  const aboveMaxSince = atMax ? (history.aboveMaxSince ?? t) : undefined;
  const aboveMaxDemand = atMax ? (history.aboveMaxDemand ?? recommended) : undefined;
  const notifyAtMax = atMax && !history.notifiedAtMax && t - aboveMaxSince! >= service.notifyAtMaxAfter && recommended >= aboveMaxDemand!;
  // Missing data freezes scale-in: an episode lasts while any load policy stays unreadable.
  const missingSince = missing.length > 0 ? (history.missingSince ?? t) : undefined;
  const notifyMissing = missingSince !== undefined && !history.notifiedMissing && t - missingSince >= service.missingData.notifyAfter;
  const nextHistory: ScalingHistory = {
    recommendations,
    ...(direction === 'up' ? { lastScaleOutAt: t } : history.lastScaleOutAt !== undefined ? { lastScaleOutAt: history.lastScaleOutAt } : {}),
    ...(direction === 'down' ? { lastScaleInAt: t } : history.lastScaleInAt !== undefined ? { lastScaleInAt: history.lastScaleInAt } : {}),
    ...(idle.idleSince !== undefined ? { idleSince: idle.idleSince } : {}),
    ...(atMax ? { aboveMaxSince, aboveMaxDemand, notifiedAtMax: Boolean(history.notifiedAtMax) || notifyAtMax } : {}),
    ...(missingSince !== undefined ? { missingSince, notifiedMissing: Boolean(history.notifiedMissing) || notifyMissing } : {}),
  };
  const winner = readable.reduce<PolicyEvaluation | undefined>((best, e) => (best === undefined || e.count! > best.count! ? e : best), undefined);
  const why = [winner ? `${winner.policy} asks ${winner.count}` : load.length === 0 ? 'no load policy' : 'no readable policy', ...steps, `inputs: ${policies.map((p) => p.explanation).join(', ')}`].join('; ');
  return {
    ...base,
    desired: count,
    direction,
    bound,
    recommended,
    steps,
    reason: `${current} -> ${count} (${direction}${bound === 'none' ? '' : `, bounded by ${bound}`}): ${why}`,
    history: nextHistory,
    ...(notifyAtMax ? { notifyAtMax: { sinceSeconds: t - aboveMaxSince!, demand: recommended } } : {}),
    ...(notifyMissing ? { notifyMissingData: { sinceSeconds: t - missingSince!, policies: missing.map((e) => e.policy), errors: missing.map((e) => e.missing!) } } : {}),
  };
}
