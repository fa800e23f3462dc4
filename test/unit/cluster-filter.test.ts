import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterArnMatchers, isClusterWatched } from '../../shared/config/cluster-filter.js';
import { matchesPattern } from '../../scripts/lib/event-pattern-match.js';

const arn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:cluster/${name}`;
const name = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const glob = fc.oneof(name, name.map((n) => `${n}*`), name.map((n) => `*${n}`), fc.constant('*'));

/** What EventBridge would do with a task event of that cluster, given the pattern fragment. */
function eventBridgeDelivers(selection: { include: string[]; exclude: string[] }, cluster: string): boolean {
  const matchers = clusterArnMatchers(selection, 'cluster');
  return matchers === undefined || matchesPattern({ detail: { clusterArn: arn(cluster) } }, { detail: { clusterArn: matchers } });
}

describe('cluster selection', () => {
  it('watches every cluster by default and puts no filter in the pattern', () => {
    expect(isClusterWatched({ include: ['*'], exclude: [] }, 'anything')).toBe(true);
    expect(clusterArnMatchers({ include: ['*'], exclude: [] }, 'cluster')).toBeUndefined();
  });

  it('excludes by name and glob', () => {
    const selection = { include: ['*'], exclude: ['sandbox', 'dev-*'] };
    expect(isClusterWatched(selection, 'prod')).toBe(true);
    expect(isClusterWatched(selection, 'sandbox')).toBe(false);
    expect(isClusterWatched(selection, 'sandbox2')).toBe(true);
    expect(isClusterWatched(selection, 'dev-eu')).toBe(false);
  });

  it('includes only the named clusters when include is not *', () => {
    const selection = { include: ['prod', 'prod-*'], exclude: [] };
    expect(isClusterWatched(selection, 'prod-eu')).toBe(true);
    expect(isClusterWatched(selection, 'staging')).toBe(false);
    expect(clusterArnMatchers(selection, 'service')).toEqual([{ wildcard: '*:service/prod/*' }, { wildcard: '*:service/prod-*/*' }]);
  });

  it('never lets EventBridge drop an event of a watched cluster, and drops every excluded one it can', () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 3 }), fc.array(glob, { maxLength: 3 }), name, (include, exclude, cluster) => {
        const selection = { include, exclude };
        const delivered = eventBridgeDelivers(selection, cluster);
        if (isClusterWatched(selection, cluster)) expect(delivered).toBe(true);
        // With include "*" the pattern carries the whole exclusion: nothing excluded is delivered.
        if (include.includes('*') && !isClusterWatched(selection, cluster)) expect(delivered).toBe(false);
      }),
    );
  });
});
