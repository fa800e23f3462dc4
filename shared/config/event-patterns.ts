// EventBridge event patterns, derived from the configuration so that EventBridge drops, before
// Lambda is invoked (and billed), every event decide() would ignore anyway. A unit test plays the
// fixtures through these patterns and decide() and checks that they agree.
import type { AutopilotConfig } from './schema.js';
import { clusterArnMatchers } from './cluster-filter.js';

export type EventPattern = Record<string, unknown>;

/**
 * Stopped tasks only (a task emits several state changes; only STOPPED is decided on). Scheduler
 * replacements during deployments and scale-in are dropped unless the `deployment` cause notifies.
 */
export function taskStoppedPattern(config: AutopilotConfig): EventPattern {
  const detail: Record<string, unknown> = { lastStatus: ['STOPPED'] };
  const clusters = clusterArnMatchers(config.clusters, 'cluster');
  if (clusters) detail.clusterArn = clusters;
  if (!(config.notify.causes.deployment?.notify ?? false)) {
    detail.stoppedReason = [{ 'anything-but': { prefix: 'Scaling activity initiated by' } }];
  }
  return { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail };
}
