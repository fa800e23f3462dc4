// Crash loop: a service's tasks keep failing. Within `afterDeployment` of a deployment to a new
// revision, roll back to the revision before it, if that one proved healthy (steady state held for
// `healthyFor`); otherwise pause the bleeding (scale to `pauseTo`) or only say so. Never roll back
// across a change made after the failures began.
import { failuresInWindow, lastGoodRevision, secondsBetween, currentRevision } from '../history.js';
import { noDecision, type Playbook, type PlannedRemediation } from '../types.js';
import { describeRevision, serviceTarget } from './common.js';

export const crashLoop: Playbook<'crashLoop'> = {
  name: 'crashLoop',
  summary: 'roll back a revision that crash-loops after a deployment, or pause the service',
  actionTypes: ['rollback', 'pause'],
  operations: ['update-service'],
  plan({ signal, settings, view, history, now }) {
    if (signal.kind !== 'task-stopped' || !signal.service) return noDecision();
    const current = currentRevision(history, view);
    if (!current) return noDecision('crash loop: the service\'s task definition is unknown');
    if (signal.taskDefinitionArn && signal.taskDefinitionArn !== current) {
      return noDecision(`crash loop: the task ran ${describeRevision(signal.taskDefinitionArn)}, the service now runs ${describeRevision(current)}; nothing to do for an old revision`);
    }
    const recent = failuresInWindow(history, now, settings.window, settings.causes, current);
    if (recent.length < settings.failures) return noDecision(`crash loop: ${recent.length} of ${settings.failures} failures within ${settings.window}s`);
    const failingSince = recent[0]!.at;
    const changedSince = [history.lastDeploymentAt, ...(view?.deployments.map((d) => d.createdAt) ?? [])].find((t) => t && secondsBetween(failingSince, t) > 0);
    if (changedSince) return noDecision(`crash loop: the service changed at ${changedSince}, after the failures began at ${failingSince}; not acting across that change`);
    const target = serviceTarget(signal.cluster, signal.service);
    const causes = [...new Set(recent.map((f) => f.cause))].join(', ');
    const evidence = `${recent.length} tasks failed (${causes}) within ${settings.window}s on ${describeRevision(current)}, since ${failingSince}`;
    const revision = history.revisions.find((r) => r.taskDefinition === current);
    const sinceDeployment = revision ? secondsBetween(revision.firstSeenAt, failingSince) : Infinity;
    const expect = { taskDefinition: current, noDeploymentSince: failingSince };
    const eventIds = [signal.eventId];
    if (sinceDeployment <= settings.afterDeployment) {
      const good = lastGoodRevision(history, current, settings.healthyFor);
      if (good) {
        const action: PlannedRemediation = {
          type: 'rollback',
          playbook: 'crashLoop',
          cluster: signal.cluster,
          service: target,
          reason: `${evidence}, ${Math.round(sinceDeployment / 60)} min after it was deployed; ${describeRevision(good.taskDefinition)} held steady state from ${good.steadySince} to ${good.until}`,
          from: current,
          to: good.taskDefinition,
          expect,
          undo: `update the service back to ${describeRevision(current)} (ecs-autopilot undo ID)`,
          eventIds,
        };
        return { actions: [action], timers: [], notes: [] };
      }
    }
    const why =
      sinceDeployment <= settings.afterDeployment
        ? `no earlier revision held steady state for ${settings.healthyFor}s`
        : `the failures began ${Math.round(sinceDeployment / 60)} min after ${describeRevision(current)} was deployed, beyond ${Math.round(settings.afterDeployment / 60)} min`;
    if (settings.pauseTo === 'none') return noDecision(`crash loop: ${evidence}; no rollback (${why}) and pauseTo is none, so only notifying`);
    if (view?.desiredCount !== undefined && view.desiredCount <= settings.pauseTo) return noDecision(`crash loop: already at or below the pause floor ${settings.pauseTo}`);
    const pause: PlannedRemediation = {
      type: 'pause',
      playbook: 'crashLoop',
      cluster: signal.cluster,
      service: target,
      reason: `${evidence}; no rollback (${why}), so the service is paused at ${settings.pauseTo} task(s)`,
      ...(view?.desiredCount !== undefined ? { from: view.desiredCount } : {}),
      to: settings.pauseTo,
      expect,
      undo: `set the desired count back${view?.desiredCount !== undefined ? ` to ${view.desiredCount}` : ''} once fixed (ecs-autopilot undo ID)`,
      eventIds,
    };
    return { actions: [pause], timers: [], notes: [] };
  },
};
