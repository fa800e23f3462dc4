// Remediation decisions and the executor's gates, offline (memory store, no AWS): the scenarios a
// careful on-call engineer would walk through. The AWS effects are in test/integration/remediate-*.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { PLAYBOOK_FILES, PLAYBOOKS } from '../../shared/decide/remediation/playbooks/index.js';
import { OPERATIONS_OF } from '../../shared/decide/remediation/types.js';
import { announcementActions, remediationMessage } from '../../shared/decide/remediation/announcement.js';
import { renderSlackMessage } from '../../shared/render/slack-blocks.js';
import { optedInPlaybooks } from '../../shared/decide/remediation/opt-in.js';
import { type RemediationDependencies, remediateEvent } from '../../shared/execute/remediate-event.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import { createRemediationAnnouncer } from '../../shared/adapters/remediation-announcer.js';
import { containerInstance, deployment, steadyState, taskRunning, taskStopped } from '../../scripts/lib/ecs-events.js';

const TD = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/api:${revision}`;
const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function offline(remediate: Record<string, unknown>, store = new MemoryStateStore()): RemediationDependencies {
  const config = validateConfig({ remediate }, 'test');
  const eventTime = (signal?: { time: string }) => (signal ? new Date(signal.time) : new Date(T0));
  return { config, store, now: eventTime, dryRun: true };
}

const allOn = { optIn: ['prod'], playbooks: { crashLoop: { enabled: true, pauseTo: 0 }, failedDeployment: { enabled: true }, capacityFallback: { enabled: true }, oomResize: { enabled: true }, disconnectedAgent: { enabled: true } } };
const scope = { cluster: 'prod', service: 'api' };

/** Steady on api:41 for an hour, then a deployment of api:42. */
function deployedAfterSteadyHour(deployAt = 3600) {
  return [
    taskRunning({ ...scope, id: 'run-41', time: at(0), taskId: 't41', taskDefinitionArn: TD(41) }),
    steadyState({ ...scope, id: 'steady-41', time: at(60) }),
    deployment('in-progress', { ...scope, id: 'deploy-42', time: at(deployAt) }),
    taskRunning({ ...scope, id: 'run-42', time: at(deployAt + 10), taskId: 't42a', taskDefinitionArn: TD(42) }),
    deployment('completed', { ...scope, id: 'deployed-42', time: at(deployAt + 100) }),
  ];
}

const crashes = (from: number, n: number, every = 60, revision = 42) =>
  Array.from({ length: n }, (_, i) => taskStopped('app-exit', { ...scope, id: `crash-${from}-${i}`, time: at(from + i * every), taskId: `c${from}-${i}`, taskDefinitionArn: TD(revision) }));

async function run(deps: RemediationDependencies, events: unknown[]) {
  const outcomes = [];
  for (const event of events) outcomes.push(await remediateEvent(event, deps));
  return outcomes;
}

describe('crash loop', () => {
  it('rolls back to the revision that held steady state when the new one crash-loops after its deployment', async () => {
    const outcomes = await run(offline(allOn), [...deployedAfterSteadyHour(), ...crashes(4000, 3)]);
    const actions = outcomes.flatMap((o) => o.actions);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'rollback', service: 'prod/api', from: TD(42), to: TD(41), outcome: 'planned' });
    expect(actions[0]!.reason).toMatch(/3 tasks failed \(app-exit\)/);
  });

  it('does not roll back to a revision that was steady for less than healthyFor; pauses instead', async () => {
    const outcomes = await run(offline(allOn), [...deployedAfterSteadyHour(600), ...crashes(1000, 3)]);
    const actions = outcomes.flatMap((o) => o.actions);
    expect(actions.map((a) => a.type)).toEqual(['pause']);
    expect(actions[0]).toMatchObject({ to: 0 });
    expect(actions[0]!.reason).toMatch(/no earlier revision held steady state for 900s/);
  });

  it('only notes a crash loop that began long after the deployment, when pauseTo is none', async () => {
    const deps = offline({ ...allOn, playbooks: { crashLoop: { enabled: true } } });
    const outcomes = await run(deps, [...deployedAfterSteadyHour(), ...crashes(3600 + 7200, 3)]);
    expect(outcomes.flatMap((o) => o.actions)).toEqual([]);
    expect(outcomes.at(-1)!.notes.join(' ')).toMatch(/beyond 60 min.*only notifying/);
  });

  it('never rolls back across a deployment that started after the failures began', async () => {
    const events = [...deployedAfterSteadyHour(), ...crashes(4000, 2), deployment('in-progress', { ...scope, id: 'user-deploy', time: at(4100) }), ...crashes(4200, 1)];
    const outcomes = await run(offline(allOn), events);
    expect(outcomes.flatMap((o) => o.actions)).toEqual([]);
    expect(outcomes.at(-1)!.notes.join(' ')).toMatch(/changed at .* after the failures began/);
  });

  it('acts once for a redelivered event and blocks the next crash by the cooldown', async () => {
    const deps = offline(allOn);
    const events = [...deployedAfterSteadyHour(), ...crashes(4000, 3)];
    await run(deps, events);
    const again = await remediateEvent(events.at(-1), deps);
    expect(again.outcome).toBe('ignored');
    expect(again.notes.join(' ')).toMatch(/duplicate/);
    const next = await run(deps, crashes(4300, 1));
    expect(next[0]!.actions.map((a) => a.outcome)).toEqual(['blocked-cooldown']);
  });

  it('never touches a service that is not opted in, and writes nothing for it', async () => {
    const store = new MemoryStateStore();
    const deps = offline({ ...allOn, optIn: ['staging'] }, store);
    const outcomes = await run(deps, [...deployedAfterSteadyHour(), ...crashes(4000, 3)]);
    expect(outcomes.every((o) => o.outcome === 'ignored' && o.actions.length === 0)).toBe(true);
    expect(outcomes[0]!.notes.join(' ')).toMatch(/not opted in/);
    expect(await store.getRecord('remediate#service#prod/api', new Date(T0))).toBeUndefined();
  });
});

describe('other playbooks, offline', () => {
  it('rolls a failed deployment back to the last steady revision when the circuit breaker does not', async () => {
    const events = [...deployedAfterSteadyHour().slice(0, 4), deployment('failed', { ...scope, id: 'failed-42', time: at(3700) })];
    const actions = (await run(offline(allOn), events)).flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'rollback', playbook: 'failedDeployment', from: TD(42), to: TD(41) }]);
  });

  it('moves a service to the fallback capacity after repeated Spot interruptions', async () => {
    const spot = (i: number) => taskStopped('spot', { ...scope, id: `spot-${i}`, time: at(100 + i * 30), taskId: `s${i}`, taskDefinitionArn: TD(41), capacityProvider: 'FARGATE_SPOT' });
    const outcomes = await run(offline(allOn), [0, 1, 2].map(spot));
    const actions = outcomes.flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'capacity-fallback', service: 'prod/api', to: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }] }]);
    expect(outcomes.at(-1)!.timers).toMatchObject([{ body: { type: 'remediate-capacity-check', cluster: 'prod', service: 'api' } }]);
  });

  it('raises the memory of a container OOM-killed repeatedly, up to the cap', async () => {
    const oom = (i: number) => taskStopped('oom', { ...scope, id: `oom-${i}`, time: at(100 + i * 60), taskId: `o${i}`, taskDefinitionArn: TD(41) });
    const actions = (await run(offline({ ...allOn, playbooks: { oomResize: { enabled: true, kills: 2, maxMemoryMiB: 1024 } } }), [0, 1].map(oom))).flatMap((o) => o.actions);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'resize-memory', from: TD(41) });
    expect(actions[0]!.memory!.toMiB).toBeLessThanOrEqual(1024);
    expect(actions[0]!.memory!.toMiB).toBeGreaterThan(actions[0]!.memory!.fromMiB);
  });

  it('drains a container instance whose agent is still disconnected after the threshold', async () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:container-instance/prod/abc';
    const disconnect = (id: string, seconds: number) => containerInstance({ cluster: 'prod', id, time: at(seconds), containerInstanceArn: arn, agentConnected: false });
    const outcomes = await run(offline(allOn), [disconnect('d1', 0), disconnect('d2', 700)]);
    expect(outcomes[0]!.timers).toMatchObject([{ delaySeconds: 600, body: { type: 'remediate-agent-check', containerInstanceArn: arn } }]);
    expect(outcomes[1]!.actions).toMatchObject([{ type: 'drain-instance', containerInstance: arn, from: 'ACTIVE', to: 'DRAINING' }]);
  });
});

describe('limits', () => {
  it('holds the per-target hourly budget and the global budget under a burst of services', async () => {
    const deps = offline({ ...allOn, maxActionsPerHour: 3, playbooks: { capacityFallback: { enabled: true, interruptions: 1, cooldown: 0 } } });
    const events = Array.from({ length: 8 }, (_, i) =>
      taskStopped('spot', { cluster: 'prod', service: `svc${i}`, id: `burst-${i}`, time: at(100 + i), taskId: `b${i}`, taskDefinitionArn: TD(41), capacityProvider: 'FARGATE_SPOT' }),
    );
    const outcomes = (await run(deps, events)).flatMap((o) => o.actions.map((a) => a.outcome));
    expect(outcomes.filter((o) => o === 'planned')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'blocked-budget').length).toBeGreaterThan(0);
  });
});

describe('limits per target, across playbooks', () => {
  const spot = (id: string, seconds: number) => taskStopped('spot', { ...scope, id, time: at(seconds), taskId: id, taskDefinitionArn: TD(41), capacityProvider: 'FARGATE_SPOT' });
  const crashesOf41 = (from: number) => crashes(from, 3, 60, 41);
  const both = (crashLoop: Record<string, unknown> = {}, capacityFallback: Record<string, unknown> = {}) =>
    offline({ optIn: ['prod'], playbooks: { crashLoop: { enabled: true, pauseTo: 0, ...crashLoop }, capacityFallback: { enabled: true, interruptions: 1, restoreAfter: 60, ...capacityFallback } } });

  it('one action per service per cooldown: a second playbook waits out the first one\'s cooldown', async () => {
    const deps = both();
    const fallback = await run(deps, [spot('s1', 100)]);
    expect(fallback[0]!.actions).toMatchObject([{ type: 'capacity-fallback', outcome: 'planned' }]);
    const paused = (await run(deps, crashesOf41(200))).flatMap((o) => o.actions);
    expect(paused).toMatchObject([{ type: 'pause', playbook: 'crashLoop', outcome: 'blocked-cooldown' }]);
    expect(paused[0]!.detail).toMatch(/a remediation acted on prod\/api within the cooldown .*across playbooks/);
    // Once the capacity fallback's cooldown (30 min) has run out, the crash loop may act.
    const later = (await run(deps, crashesOf41(100 + 1800 + 60))).flatMap((o) => o.actions);
    expect(later).toMatchObject([{ type: 'pause', outcome: 'planned' }]);
  });

  it('counts every playbook\'s actions on a service in the hourly cap', async () => {
    const deps = both({ cooldown: 0, maxPerHour: 1 }, { cooldown: 0 });
    await run(deps, [spot('s1', 100)]);
    const paused = (await run(deps, crashesOf41(200))).flatMap((o) => o.actions);
    expect(paused).toMatchObject([{ type: 'pause', outcome: 'blocked-budget' }]);
    expect(paused[0]!.detail).toMatch(/prod\/api already had 1 remediation action\(s\) this hour, across playbooks/);
  });

  it('moves a service back from the fallback capacity even within the cooldown the fallback started', async () => {
    const deps = both({}, { cooldown: 3600 });
    const [fell] = await run(deps, [spot('s1', 100)]);
    const timer = fell!.timers[0]!;
    const fire = { eventSource: 'aws:sqs', messageId: 'timer-1', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:remediate-timers', body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: at(200), timer: timer.body }) };
    const [restored] = await run(deps, [fire]);
    expect(restored!.actions).toMatchObject([{ type: 'capacity-restore', outcome: 'planned' }]);
  });
});

describe('announcements', () => {
  it('route like notifications (kind remediation) and render for Slack with the undo command, untrusted text escaped', async () => {
    const config = validateConfig(
      {
        notify: {
          receivers: { oncall: { slack: { webhook: 'ssm:/slack/oncall' } }, all: { sns: {} } },
          route: { receiver: 'all', routes: [{ match: { kind: 'remediation' }, receiver: 'oncall', continue: true }] },
        },
      },
      'test',
    );
    const [action] = (await run(offline(allOn), [...deployedAfterSteadyHour(), ...crashes(4000, 3)])).flatMap((o) => o.actions);
    const report = { ...action!, outcome: 'acted', reason: `${action!.reason} <!channel> <https://evil.example|click>` };
    const message = remediationMessage(report, 'abc123def456', at(4200), { region: 'us-east-1', account: '123456789012' });
    const actions = announcementActions(config, message);
    // Alertmanager semantics: the matching child takes it; the root's receiver gets what no child matched.
    expect(actions.map((a) => a.receiver)).toEqual(['oncall']);
    expect(actions[0]).toMatchObject({ kind: 'remediation', delivery: 'new', cause: 'remediation-rollback', severity: 'warning', subject: '[warning] remediation-rollback: prod/api' });
    const slack = JSON.stringify(renderSlackMessage(message));
    expect(slack).toContain('ecs-autopilot undo abc123def456');
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<https://evil.example');
  });
});

describe('announcements across retries', () => {
  it('reach each receiver once: a failed announcement fails the invocation, and the retry posts only to the receiver that missed it', async () => {
    const remediation = { match: { kind: 'remediation' } };
    const config = validateConfig(
      {
        remediate: allOn,
        notify: {
          receivers: { oncall: { slack: { webhook: 'ssm:/slack/oncall' } }, all: { sns: {} } },
          route: { receiver: 'all', routes: [{ ...remediation, receiver: 'oncall', continue: true }, { ...remediation, receiver: 'all' }] },
        },
      },
      'test',
    );
    const posts: string[] = [];
    let snsFailures = 1;
    const receivers = {
      oncall: { notify: async () => (posts.push('oncall'), {}) },
      all: {
        notify: async () => {
          if (snsFailures-- > 0) throw new Error('SNS Publish: Throttling (3 attempts)');
          posts.push('all');
          return {};
        },
      },
    };
    const deps: RemediationDependencies = { ...offline(allOn), config, announce: createRemediationAnnouncer(config, receivers) };
    const events = [...deployedAfterSteadyHour(), ...crashes(4000, 3)];
    const last = events.pop()!;
    await run(deps, events);
    await expect(remediateEvent(last, deps)).rejects.toThrow(/did not reach all: .*Throttling/);
    expect(posts).toEqual(['oncall']);
    // Lambda's retry: recorded already, announced to the receiver that missed it, and to no other.
    const retry = await remediateEvent(last, deps);
    expect(retry.actions.map((a) => a.outcome)).toEqual(['planned']);
    expect(retry.actions[0]!.detail).toContain('recorded by an earlier attempt');
    expect(posts).toEqual(['oncall', 'all']);
    expect((await remediateEvent(last, deps)).outcome).toBe('ignored');
    expect(posts).toEqual(['oncall', 'all']);
  });
});

describe('the playbook registry', () => {
  it('lists every playbook file, and each declares the operations of the actions it plans', () => {
    const dir = join(import.meta.dirname, '../../shared/decide/remediation/playbooks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['index.ts', 'common.ts'].includes(f));
    expect(files.sort()).toEqual(Object.values(PLAYBOOK_FILES).sort());
    for (const playbook of Object.values(PLAYBOOKS)) {
      for (const type of playbook.actionTypes) for (const operation of OPERATIONS_OF[type]) expect(playbook.operations, `${playbook.name} plans ${type}`).toContain(operation);
    }
  });

  it('opts in by config glob or tag, and the tag off always wins (property)', () => {
    const config = validateConfig({ remediate: { optIn: ['prod-*'], playbooks: { crashLoop: { enabled: true }, oomResize: { enabled: true } } } }, 'test').remediate;
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    fc.assert(
      fc.property(name, name, fc.constantFrom(undefined, 'on', 'off', 'crash-loop', 'oom-resize,crash-loop', 'bogus'), (cluster, service, tag) => {
        const result = optedInPlaybooks(config, cluster, service, tag === undefined ? undefined : { 'ecs-autopilot:remediate': tag });
        if (tag === 'off') return result.playbooks.length === 0;
        if (tag === 'on' || (!tag && cluster.startsWith('prod-'))) return result.playbooks.length === 2;
        if (!tag || tag === 'bogus') return cluster.startsWith('prod-') ? result.playbooks.length === 2 : result.playbooks.length === 0;
        return result.playbooks.length === tag.split(',').length;
      }),
    );
  });
});
