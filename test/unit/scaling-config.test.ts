// The scale section of autopilot.yml: defaults, and errors that name the path and the fix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { ConfigError, validateConfig } from '../../shared/config/validate.js';

const worker = { cluster: 'prod', service: 'worker', max: 5, policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }] };

function problemsOf(scale: unknown): string[] {
  try {
    validateConfig({ scale }, 'autopilot.yml');
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('scale configuration', () => {
  it('fills the defaults: min 1, scale out fast and in slow, keep the count on missing data, adjust a scalable target', () => {
    const config = validateConfig({ scale: { services: [worker] } }, 'autopilot.yml');
    expect(config.scale).toMatchObject({ rate: 60 });
    expect(config.scale!.services[0]).toMatchObject({
      min: 1,
      tolerance: 0.1,
      scaleOut: { stabilizationWindow: 0, cooldown: 0, maxStep: { percent: 100 } },
      scaleIn: { stabilizationWindow: 300, cooldown: 300, maxStep: { tasks: 1 } },
      missingData: { notifyAfter: 900 },
      paused: false,
      onScalableTarget: 'adjust',
      notifyAtMaxAfter: 900,
      alarms: [],
    });
    expect(validateConfig({}, 'x').scale).toBeUndefined();
  });

  it('names the policy type, cron field, time zone and bounds at fault', () => {
    expect(problemsOf({ services: [{ ...worker, policies: [{ type: 'keda' }] }] })).toEqual(['scale.services[0].policies[0].type: must be one of "sqs-backlog", "metric", "schedule", got the string "keda"']);
    expect(problemsOf({ services: [{ ...worker, policies: [{ type: 'schedule', cron: '0 8 * * MON-FRY', duration: '1h', min: 2 }] }] })[0]).toMatch(/^scale\.services\[0\]\.policies\[0\]\.cron: .*5-field cron/);
    expect(problemsOf({ services: [{ ...worker, policies: [{ type: 'schedule', cron: '0 8 * * *', duration: '1h', timezone: 'Mars/Olympus', min: 2 }] }] })[0]).toMatch(/timezone: .*IANA time zone/);
    expect(problemsOf({ services: [{ ...worker, min: 6 }] })[0]).toMatch(/min must not exceed max/);
    expect(problemsOf({ services: [worker, worker] })[0]).toMatch(/each cluster\/service is listed once/);
    expect(problemsOf({ rate: '90s', services: [worker] })[0]).toMatch(/whole minutes/);
    expect(problemsOf({ services: [{ ...worker, policies: [{ type: 'metric', targetPerTask: 1 }] }] })[0]).toMatch(/exactly one of metric or expression/);
    expect(problemsOf({ services: [{ ...worker, scaleIn: { maxStep: '0.5' } }] })[0]).toMatch(/maxStep/);
  });

  it('shows in the README the worker of examples/autopilot.yml, exactly (the simulation runs that file)', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const example = readFileSync(join(projectRoot, 'examples', 'autopilot.yml'), 'utf8');
    // The scale section of the example: from `scale:` to the next top-level key.
    const section = /^scale:\n(?:(?: .*)?\n)*?(?=\S)/m.exec(example)?.[0].trimEnd();
    expect(section).toMatch(/service: worker/);
    const policies = readme.slice(readme.indexOf('### Policies'));
    const shown = /```yaml\n([\s\S]*?)```/.exec(policies)?.[1]?.trimEnd();
    expect(shown).toBe(section);
  });
});
