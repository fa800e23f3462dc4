import { describe, expect, it } from 'vitest';
import { parseServiceTags } from '../../shared/config/service-tags.js';
import { notifyPatterns, remediatePatterns, taskStoppedPattern } from '../../shared/config/event-patterns.js';
import { validateConfig } from '../../shared/config/validate.js';
import { decide } from '../../shared/decide/decide.js';
import { parseEvent, type Signal } from '../../shared/intake/index.js';
import { matchesPattern } from '../../scripts/lib/event-pattern-match.js';
import { listFixtures, loadFixture } from '../support/fixtures.js';

const now = new Date('2026-11-20T10:05:00Z');
const defaults = validateConfig({}, 'defaults');

function signalOf(fixture: string): Signal {
  const intake = parseEvent(loadFixture(fixture));
  if (intake.type !== 'signal') throw new Error(`${fixture} did not parse to a signal`);
  return intake.signal;
}

describe('decide', () => {
  it('notifies a failed task with its cause, severity, hint and console links', () => {
    const plan = decide(signalOf('events/task-stopped-oom.json'), {}, defaults, now);
    expect(plan.notifications).toHaveLength(1);
    const [action] = plan.notifications;
    expect(action).toMatchObject({ status: 'firing', severity: 'critical', cause: 'oom', kind: 'task-stopped', cluster: 'prod', service: 'web' });
    expect(action!.message.hint).toMatch(/^Container 'web' has a hard limit of 896 MiB and the task has 1024 MiB\. Raise the container memory/);
    expect(action!.message.hint).toMatch(/about 1408 MiB buys room while you look for the leak; that needs the task's memory raised from 1024 MiB too\.$/);
    const health = decide(signalOf('events/task-stopped-health-check-elb.json'), {}, defaults, now).notifications[0]!;
    expect(health.message.hint).toMatch(/^The load balancer's health check of target group web-tg\/1234567890abcdef failed\./);
    expect(action!.message.links.task).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/prod\/tasks\//);
    expect(action!.message.decidedAt).toBe(now.toISOString());
  });

  it('stays quiet for normal replacements, user stops and finished jobs', () => {
    for (const fixture of ['events/task-stopped-deployment.json', 'events/task-stopped-user.json', 'events/task-stopped-completed-job.json']) {
      const plan = decide(signalOf(fixture), {}, defaults, now);
      expect(plan.notifications, fixture).toEqual([]);
      expect(plan.notes.join(' '), fixture).toMatch(/does not notify/);
    }
  });

  it('applies per-cause overrides and the severity floor from the config', () => {
    const config = validateConfig({ notify: { minSeverity: 'warning', causes: { oom: { severity: 'warning' }, user: { notify: true, severity: 'info' } } } }, 'test');
    expect(decide(signalOf('events/task-stopped-oom.json'), {}, config, now).notifications[0]?.severity).toBe('warning');
    const userStop = decide(signalOf('events/task-stopped-user.json'), {}, config, now);
    expect(userStop.notifications).toEqual([]);
    expect(userStop.notes.join(' ')).toMatch(/below notify.minSeverity warning/);
  });

  it('lets service tags mute a service, a cause, or raise the floor, and reports bad tags', () => {
    const oom = signalOf('events/task-stopped-oom.json');
    const health = signalOf('events/task-stopped-health-check-elb.json');
    const tags = (t: Record<string, string>) => ({ serviceTags: parseServiceTags(t) });
    expect(decide(oom, tags({ 'ecs-autopilot:notify': 'off' }), defaults, now).notifications).toEqual([]);
    expect(decide(health, tags({ 'ecs-autopilot:mute-causes': 'health-check' }), defaults, now).notifications).toEqual([]);
    expect(decide(oom, tags({ 'ecs-autopilot:mute-causes': 'health-check' }), defaults, now).notifications).toHaveLength(1);
    expect(decide(health, tags({ 'ecs-autopilot:min-severity': 'critical' }), defaults, now).notifications).toEqual([]);
    const withBadTag = decide(oom, tags({ 'ecs-autopilot:notify': 'sometimes' }), defaults, now);
    expect(withBadTag.notifications).toHaveLength(1);
    expect(withBadTag.notifications[0]!.message.warnings).toEqual(['tag ecs-autopilot:notify=sometimes ignored: valid values are on, off']);
  });

  it('ignores clusters the config does not watch', () => {
    const config = validateConfig({ clusters: { exclude: ['prod'] } }, 'test');
    const plan = decide(signalOf('events/task-stopped-oom.json'), {}, config, now);
    expect(plan.notifications).toEqual([]);
    expect(plan.notes).toEqual(["cluster 'prod' is not watched (clusters.include / clusters.exclude)"]);
  });

  it('plans nothing, with a reason, for running tasks and schedules', () => {
    for (const fixture of ['events/task-running.json', 'events/scheduled-event.json']) {
      const plan = decide(signalOf(fixture), {}, defaults, now);
      expect(plan.notifications, fixture).toEqual([]);
      expect(plan.notes[0], fixture).toMatch(/no decision is made for/);
    }
  });

  it('notifies deployments: started (info), failed (critical, and marks the service failing), completed', () => {
    const started = decide(signalOf('events/deployment-in-progress.json'), {}, defaults, now).notifications[0]!;
    expect(started).toMatchObject({ kind: 'deployment', cause: 'deployment-started', severity: 'info' });
    const failed = decide(signalOf('events/deployment-failed.json'), { deployment: { fromTaskDefinition: 'web:41', toTaskDefinition: 'web:42' } }, defaults, now);
    expect(failed.notifications[0]).toMatchObject({ cause: 'deployment-failed', severity: 'critical' });
    expect(failed.notifications[0]!.message.title).toContain('(web:41 -> web:42)');
    expect(failed.writes).toEqual([expect.objectContaining({ key: 'health#prod/web', value: expect.objectContaining({ failures: 1, lastCause: 'deployment-failed' }) })]);
    const health = { failingSince: '2026-11-20T10:00:00Z', failures: 3, lastFailureAt: '2026-11-20T10:01:00Z', lastCause: 'oom' };
    const completed = decide(signalOf('events/deployment-completed.json'), { health }, defaults, now);
    expect(completed.notifications[0]).toMatchObject({ status: 'resolved', cause: 'deployment-completed' });
    expect(completed.writes).toEqual([expect.objectContaining({ key: 'health#prod/web', value: null })]);
  });

  it('notifies service trouble, and a steady state only after failures', () => {
    expect(decide(signalOf('events/service-action-placement-failure.json'), {}, defaults, now).notifications[0]).toMatchObject({ cause: 'placement-failure', severity: 'critical' });
    expect(decide(signalOf('events/service-action-steady-state.json'), {}, defaults, now).notifications).toEqual([]);
    const health = { failingSince: '2026-11-20T10:00:00Z', failures: 2, lastFailureAt: '2026-11-20T10:01:00Z', lastCause: 'oom' };
    expect(decide(signalOf('events/service-action-steady-state.json'), { health }, defaults, now).notifications[0]).toMatchObject({ status: 'resolved', cause: 'recovered' });
  });

  it('notifies alarms on the service their dimensions name, and their return to OK', () => {
    const alarm = decide(signalOf('events/alarm-ecs-service-alarm.json'), {}, defaults, now).notifications[0]!;
    expect(alarm).toMatchObject({ kind: 'alarm', status: 'firing', severity: 'warning', cluster: 'prod', service: 'web' });
    expect(alarm.message.links.alarm).toMatch(/cloudwatch\/home\?region=us-east-1#alarmsV2:alarm\//);
    expect(decide(signalOf('events/alarm-ecs-service-ok.json'), {}, defaults, now).notifications[0]).toMatchObject({ status: 'resolved', cluster: 'prod', service: 'web' });
  });

  it('records a disconnected agent without notifying, and notifies a draining instance', () => {
    const disconnected = decide(signalOf('events/container-instance-disconnected.json'), {}, defaults, now);
    expect(disconnected.notifications).toEqual([]);
    expect(disconnected.timers).toEqual([expect.objectContaining({ delaySeconds: 300 })]);
    expect(decide(signalOf('events/container-instance-draining.json'), {}, defaults, now).notifications[0]).toMatchObject({ cause: 'instance-draining' });
  });

  it('turns each kind off with notify.events', () => {
    const off = validateConfig({ notify: { events: { deployments: false, alarms: false } } }, 'test');
    expect(decide(signalOf('events/deployment-failed.json'), {}, off, now).notifications).toEqual([]);
    expect(decide(signalOf('events/alarm-ecs-service-alarm.json'), {}, off, now).notes[0]).toMatch(/notify.events.alarms is off/);
  });

  it('agrees with the EventBridge patterns: every fixture no rule delivers, decide ignores', () => {
    const configs = [defaults, validateConfig({ clusters: { exclude: ['prod'] } }, 'test'), validateConfig({ notify: { events: { alarms: false, deployments: false } } }, 'test')];
    for (const config of configs) {
      const patterns = notifyPatterns(config).map((r) => r.pattern);
      for (const fixture of listFixtures('events')) {
        const event = loadFixture(fixture);
        const intake = parseEvent(event);
        if (intake.type !== 'signal') continue;
        const plan = decide(intake.signal, {}, config, now);
        const delivered = patterns.some((p) => matchesPattern(event, p));
        if (!delivered) expect(plan.notifications, `${fixture} is dropped by every rule but decide notifies`).toEqual([]);
        if (!delivered) expect(plan.writes, `${fixture} is dropped by every rule but decide records it`).toEqual([]);
      }
    }
  });

  it('delivers every fixture that decide would notify, with the default configuration', () => {
    const patterns = notifyPatterns(defaults).map((r) => r.pattern);
    const delivered = listFixtures('events').filter((f) => patterns.some((p) => matchesPattern(loadFixture(f), p)));
    expect(delivered).toEqual(
      expect.arrayContaining([
        'events/task-stopped-oom.json',
        'events/deployment-failed.json',
        'events/service-action-placement-failure.json',
        'events/service-action-steady-state.json',
        'events/container-instance-disconnected.json',
        'events/container-instance-draining.json',
        'events/alarm-ecs-service-alarm.json',
        'events/alarm-ecs-service-ok.json',
      ]),
    );
    expect(delivered).not.toContain('events/task-running.json');
    expect(delivered).not.toContain('events/task-stopped-deployment.json');
  });

  it('drops deployment replacements and running tasks server-side, and delivers failures', () => {
    const pattern = taskStoppedPattern(defaults);
    expect(matchesPattern(loadFixture('events/task-stopped-deployment.json'), pattern)).toBe(false);
    expect(matchesPattern(loadFixture('events/task-running.json'), pattern)).toBe(false);
    expect(matchesPattern(loadFixture('events/task-stopped-oom.json'), pattern)).toBe(true);
    const wantsDeployments = validateConfig({ notify: { causes: { deployment: { notify: true } } } }, 'test');
    expect(matchesPattern(loadFixture('events/task-stopped-deployment.json'), taskStoppedPattern(wantsDeployments))).toBe(true);
  });

  it('delivers to remediate the alarms on target group metrics only, matching inside the alarm\'s list of metrics', () => {
    const [rule] = remediatePatterns(validateConfig({ remediate: { playbooks: { unhealthyTargets: { enabled: true } } } }, 'test'));
    const cpu = loadFixture('events/alarm-ecs-service-alarm.json') as unknown as { detail: { configuration: { metrics: Array<{ metricStat: { metric: { name: string } } }> } } };
    expect(matchesPattern(cpu, rule!.pattern)).toBe(false);
    const unhealthy = structuredClone(cpu);
    unhealthy.detail.configuration.metrics[0]!.metricStat.metric.name = 'UnHealthyHostCount';
    expect(matchesPattern(unhealthy, rule!.pattern)).toBe(true);
  });
});
