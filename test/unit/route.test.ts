import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUPING, type Labels, ROUTE_LABELS, route, type RouteNode } from '../../shared/decide/route.js';

const tree: RouteNode = {
  receiver: 'default',
  routes: [
    { match: { cluster: ['prod', 'prod-*'], severity: ['critical'] }, receiver: 'oncall', continue: true, groupWait: 10 },
    { match: { cluster: ['prod*'] }, receiver: 'platform', routes: [{ match: { cause: ['spot-interruption'] }, receiver: 'quiet' }] },
    { match: { service: ['payments'] }, receiver: 'payments' },
  ],
};

const receivers = (labels: Labels) => route(tree, labels).map((r) => r.receiver);

describe('route', () => {
  it('falls back to the root receiver when no child matches', () => {
    expect(route(tree, { cluster: 'staging', service: 'web', cause: 'oom', severity: 'critical' })).toEqual([
      { receiver: 'default', path: 'route', ...DEFAULT_GROUPING, groupKey: 'default:{cluster="staging",service="web",cause="oom"}' },
    ]);
  });

  it('stops at the first matching child unless it says continue', () => {
    expect(receivers({ cluster: 'prod', service: 'payments', severity: 'critical', cause: 'oom' })).toEqual(['oncall', 'platform']);
    expect(receivers({ cluster: 'prod', service: 'payments', severity: 'warning', cause: 'oom' })).toEqual(['platform']);
    expect(receivers({ cluster: 'dev', service: 'payments', severity: 'warning', cause: 'oom' })).toEqual(['payments']);
  });

  it('descends into nested routes, and a node whose children miss keeps the notification', () => {
    const [result] = route(tree, { cluster: 'prod-eu', cause: 'spot-interruption', severity: 'warning' });
    expect(result).toMatchObject({ receiver: 'quiet', path: 'route.routes[1].routes[0]' });
    expect(route(tree, { cluster: 'prod-eu', cause: 'oom', severity: 'warning' })[0]).toMatchObject({ receiver: 'platform', path: 'route.routes[1]' });
  });

  it('inherits grouping from parents and lets a child override it', () => {
    const [oncall] = route(tree, { cluster: 'prod', severity: 'critical', cause: 'oom', service: 'web' });
    expect(oncall).toMatchObject({ receiver: 'oncall', groupWait: 10, groupInterval: DEFAULT_GROUPING.groupInterval });
  });

  it('never matches a label the notification does not have', () => {
    expect(receivers({ cluster: 'dev', severity: 'info' })).toEqual(['default']);
  });

  it('puts notifications with the same groupBy values into one group', () => {
    const a = route(tree, { cluster: 'x', service: 'web', cause: 'oom', severity: 'critical', kind: 'task-stopped' })[0]!;
    const b = route(tree, { cluster: 'x', service: 'web', cause: 'oom', severity: 'warning', kind: 'other' })[0]!;
    const c = route(tree, { cluster: 'x', service: 'api', cause: 'oom', severity: 'critical' })[0]!;
    expect(a.groupKey).toBe(b.groupKey);
    expect(a.groupKey).not.toBe(c.groupKey);
  });

  it('always routes somewhere, and only to receivers that exist in the tree', () => {
    const value = fc.constantFrom('prod', 'prod-eu', 'dev', 'payments', 'web', 'oom', 'critical', 'warning', 'spot-interruption', '');
    const labels = fc.record(Object.fromEntries(ROUTE_LABELS.map((l) => [l, value])) as Record<(typeof ROUTE_LABELS)[number], fc.Arbitrary<string>>, { requiredKeys: [] });
    fc.assert(
      fc.property(labels, (l) => {
        const results = route(tree, l);
        expect(results.length).toBeGreaterThan(0);
        for (const r of results) expect(['default', 'oncall', 'platform', 'quiet', 'payments']).toContain(r.receiver);
      }),
    );
  });

  it('names the node that matched without a receiver', () => {
    expect(() => route({ routes: [{ match: { cluster: ['a'] } }] }, { cluster: 'a' })).toThrow('route.routes[0] matched but names no receiver');
  });
});
