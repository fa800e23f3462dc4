// A service on Spot (or an EC2 capacity provider) that cannot get capacity: repeated Spot
// interruptions or a placement failure move it to the fallback strategy (FARGATE by default), with
// a new deployment so the tasks move. A timer checks later, and the original strategy comes back
// once it has had no capacity failure for `restoreAfter`.
import { classifyStoppedTask } from '../../classify-stopped-task.js';
import { countSince, secondsBetween } from '../history.js';
import { type CapacityItem, noDecision, type Playbook } from '../types.js';
import { serviceTarget } from './common.js';

const describeStrategy = (strategy: CapacityItem[]) => strategy.map((s) => `${s.capacityProvider}(weight ${s.weight}${s.base ? `, base ${s.base}` : ''})`).join(' + ') || 'the launch type';
const sameStrategy = (a: CapacityItem[], b: CapacityItem[]) =>
  a.length === b.length && a.every((item, i) => item.capacityProvider === b[i]?.capacityProvider && item.weight === b[i]?.weight && item.base === b[i]?.base);

const MAX_TIMER_SECONDS = 900;

export const capacityFallback: Playbook<'capacityFallback'> = {
  name: 'capacityFallback',
  summary: 'move a service from Spot or EC2 capacity it cannot get to a fallback strategy, and back',
  actionTypes: ['capacity-fallback', 'capacity-restore'],
  operations: ['update-service'],
  plan({ signal, settings, view, history, now }) {
    if (signal.kind === 'timer' && signal.body.type === 'remediate-capacity-check') {
      const { cluster, service } = signal.body;
      if (!history.fallback) return noDecision(`capacity: no fallback in force for ${serviceTarget(cluster, service)}`);
      if (view && view.source === 'live' && !sameStrategy(view.capacityProviderStrategy, settings.fallback)) {
        return noDecision(`capacity: ${serviceTarget(cluster, service)} no longer runs the fallback strategy (changed by someone); not moving it back`);
      }
      const lastFailure = history.capacityFailures.at(-1)?.at;
      const quietSince = lastFailure && secondsBetween(history.fallback.since, lastFailure) > 0 ? lastFailure : history.fallback.since;
      const quietFor = secondsBetween(quietSince, now);
      if (quietFor < settings.restoreAfter) {
        return {
          actions: [],
          timers: [{ delaySeconds: Math.min(MAX_TIMER_SECONDS, Math.ceil(settings.restoreAfter - quietFor)), body: signal.body }],
          notes: [`capacity: quiet for ${Math.round(quietFor)}s of ${settings.restoreAfter}s; checking again`],
        };
      }
      return {
        actions: [
          {
            type: 'capacity-restore',
            playbook: 'capacityFallback',
            cluster,
            service: serviceTarget(cluster, service),
            reason: `no capacity failure since ${quietSince} (${Math.round(quietFor / 60)} min); moving back to ${describeStrategy(history.fallback.original)}`,
            from: settings.fallback,
            to: history.fallback.original,
            expect: {},
            undo: `set the strategy to ${describeStrategy(settings.fallback)} again (ecs-autopilot undo ID)`,
            eventIds: [signal.eventId],
          },
        ],
        timers: [],
        notes: [],
      };
    }
    const trigger =
      signal.kind === 'service-action' && signal.eventName === 'SERVICE_TASK_PLACEMENT_FAILURE' && signal.service
        ? { cluster: signal.cluster, service: signal.service, why: `ECS cannot place its tasks (${signal.reason ?? 'placement failure'})`, immediate: true }
        : signal.kind === 'task-stopped' && signal.service && classifyStoppedTask(signal).cause === 'spot-interruption'
          ? { cluster: signal.cluster, service: signal.service, why: 'Spot interruptions', immediate: false }
          : undefined;
    if (!trigger) return noDecision();
    if (history.fallback) return noDecision(`capacity: ${serviceTarget(trigger.cluster, trigger.service)} already runs its fallback strategy since ${history.fallback.since}`);
    const strategy = view?.capacityProviderStrategy ?? [];
    const onWatchedCapacity =
      strategy.length > 0 ? strategy.some((s) => settings.from.includes(s.capacityProvider)) : signal.kind === 'task-stopped' && !!signal.capacityProvider && settings.from.includes(signal.capacityProvider);
    if (!onWatchedCapacity) return noDecision(`capacity: ${serviceTarget(trigger.cluster, trigger.service)} does not run on ${settings.from.join(', ')}`);
    const count = countSince(history.capacityFailures.map((f) => f.at), now, settings.window);
    if (!trigger.immediate && count < settings.interruptions) return noDecision(`capacity: ${count} of ${settings.interruptions} Spot interruptions within ${settings.window}s`);
    const original = strategy.length > 0 ? strategy : (settings.from.map((capacityProvider) => ({ capacityProvider, weight: 1, base: 0 })) as CapacityItem[]);
    return {
      actions: [
        {
          type: 'capacity-fallback',
          playbook: 'capacityFallback',
          cluster: trigger.cluster,
          service: serviceTarget(trigger.cluster, trigger.service),
          reason: `${trigger.why}${trigger.immediate ? '' : `: ${count} within ${Math.round(settings.window / 60)} min`}; moving from ${describeStrategy(original)} to ${describeStrategy(settings.fallback)}`,
          from: original,
          to: settings.fallback,
          expect: {},
          undo: `set the strategy back to ${describeStrategy(original)} (ecs-autopilot undo ID); ecs-autopilot does so itself after ${Math.round(settings.restoreAfter / 60)} min without capacity failures`,
          eventIds: [signal.eventId],
        },
      ],
      timers: [{ delaySeconds: Math.min(MAX_TIMER_SECONDS, settings.restoreAfter), body: { type: 'remediate-capacity-check', cluster: trigger.cluster, service: trigger.service } }],
      notes: [],
    };
  },
};

export { describeStrategy, sameStrategy };
