import { describe, expect, it } from 'vitest';
import { parseServiceTags } from '../../shared/config/service-tags.js';
import { taskStoppedPattern } from '../../shared/config/event-patterns.js';
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
    expect(plan.actions).toHaveLength(1);
    const [action] = plan.actions;
    expect(action).toMatchObject({ type: 'notify', severity: 'critical', cause: 'oom', kind: 'task-stopped', cluster: 'prod' });
    expect(action!.message.hint).toMatch(/memory/i);
    expect(action!.message.links.task).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/prod\/tasks\//);
    expect(action!.message.decidedAt).toBe(now.toISOString());
    expect(action!.subject.length).toBeLessThanOrEqual(100);
  });

  it('stays quiet for normal replacements, user stops and finished jobs', () => {
    for (const fixture of ['events/task-stopped-deployment.json', 'events/task-stopped-user.json', 'events/task-stopped-completed-job.json']) {
      const plan = decide(signalOf(fixture), {}, defaults, now);
      expect(plan.actions, fixture).toEqual([]);
      expect(plan.notes.join(' '), fixture).toMatch(/does not notify/);
    }
  });

  it('applies per-cause overrides and the severity floor from the config', () => {
    const config = validateConfig({ notify: { minSeverity: 'warning', causes: { oom: { severity: 'warning' }, user: { notify: true, severity: 'info' } } } }, 'test');
    expect(decide(signalOf('events/task-stopped-oom.json'), {}, config, now).actions[0]?.severity).toBe('warning');
    const userStop = decide(signalOf('events/task-stopped-user.json'), {}, config, now);
    expect(userStop.actions).toEqual([]);
    expect(userStop.notes.join(' ')).toMatch(/below notify.minSeverity warning/);
  });

  it('lets service tags mute a service, a cause, or raise the floor, and reports bad tags', () => {
    const oom = signalOf('events/task-stopped-oom.json');
    const health = signalOf('events/task-stopped-health-check-elb.json');
    const tags = (t: Record<string, string>) => ({ serviceTags: parseServiceTags(t) });
    expect(decide(oom, tags({ 'ecs-autopilot:notify': 'off' }), defaults, now).actions).toEqual([]);
    expect(decide(health, tags({ 'ecs-autopilot:mute-causes': 'health-check' }), defaults, now).actions).toEqual([]);
    expect(decide(oom, tags({ 'ecs-autopilot:mute-causes': 'health-check' }), defaults, now).actions).toHaveLength(1);
    expect(decide(health, tags({ 'ecs-autopilot:min-severity': 'critical' }), defaults, now).actions).toEqual([]);
    const withBadTag = decide(oom, tags({ 'ecs-autopilot:notify': 'sometimes' }), defaults, now);
    expect(withBadTag.actions).toHaveLength(1);
    expect(withBadTag.actions[0]!.message.warnings).toEqual(['tag ecs-autopilot:notify=sometimes ignored: valid values are on, off']);
  });

  it('ignores clusters the config does not watch', () => {
    const config = validateConfig({ clusters: { exclude: ['prod'] } }, 'test');
    const plan = decide(signalOf('events/task-stopped-oom.json'), {}, config, now);
    expect(plan.actions).toEqual([]);
    expect(plan.notes).toEqual(["cluster 'prod' is not watched (clusters.include / clusters.exclude)"]);
  });

  it('plans nothing, with a reason, for kinds it does not decide on yet', () => {
    for (const fixture of ['events/task-running.json', 'events/deployment-failed.json', 'events/alarm-ecs-service-alarm.json', 'events/scheduled-event.json']) {
      const plan = decide(signalOf(fixture), {}, defaults, now);
      expect(plan.actions, fixture).toEqual([]);
      expect(plan.notes[0], fixture).toMatch(/no decision is made for/);
    }
  });

  it('agrees with the EventBridge pattern: every fixture the pattern drops, decide ignores', () => {
    for (const config of [defaults, validateConfig({ clusters: { exclude: ['prod'] } }, 'test')]) {
      const pattern = taskStoppedPattern(config);
      for (const fixture of listFixtures('events')) {
        const event = loadFixture(fixture);
        const intake = parseEvent(event);
        if (intake.type !== 'signal') continue;
        const plan = decide(intake.signal, {}, config, now);
        if (!matchesPattern(event, pattern)) expect(plan.actions, `${fixture} is dropped by the pattern but decide acts on it`).toEqual([]);
      }
    }
  });

  it('drops deployment replacements and running tasks server-side, and delivers failures', () => {
    const pattern = taskStoppedPattern(defaults);
    expect(matchesPattern(loadFixture('events/task-stopped-deployment.json'), pattern)).toBe(false);
    expect(matchesPattern(loadFixture('events/task-running.json'), pattern)).toBe(false);
    expect(matchesPattern(loadFixture('events/task-stopped-oom.json'), pattern)).toBe(true);
    const wantsDeployments = validateConfig({ notify: { causes: { deployment: { notify: true } } } }, 'test');
    expect(matchesPattern(loadFixture('events/task-stopped-deployment.json'), taskStoppedPattern(wantsDeployments))).toBe(true);
  });
});
