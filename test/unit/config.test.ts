import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { configJsonSchema } from '../../shared/config/json-schema.js';
import { loadConfigFile, parseConfigText } from '../../shared/config/load-file.js';
import { ConfigError, validateConfig } from '../../shared/config/validate.js';

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'autopilot.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults every key', () => {
    const config = validateConfig(undefined, 'none');
    expect(config.clusters).toEqual({ include: ['*'], exclude: [] });
    expect(config.notify.minSeverity).toBe('info');
    expect(config.serviceTags).toEqual({ enabled: true, cacheSeconds: 300 });
    expect(config.state.eventTtlHours).toBe(48);
  });

  it('names an unknown key, where it is, and the valid keys', () => {
    expect(problemsOf('notify:\n  cuases: {}\n')).toEqual(["notify: unknown key 'cuases'; valid keys here: causes, minSeverity, topicArn, events, alarms, containerInstances, logTail, receivers, route, silences"]);
    expect(problemsOf('notify:\n  causes:\n    oom: { loud: true }\n')[0]).toBe("notify.causes.oom: unknown key 'loud'; valid keys here: severity, notify");
  });

  it('names an unknown cause and lists the vocabulary', () => {
    const [problem] = problemsOf('notify:\n  causes:\n    oomkill: { notify: false }\n');
    expect(problem).toMatch(/^notify\.causes: unknown key 'oomkill'; valid keys here: oom, image-pull, task-init, health-check, app-exit/);
  });

  it('names a wrong value and the valid choices', () => {
    expect(problemsOf('notify:\n  minSeverity: loud\n')).toEqual(['notify.minSeverity: must be one of "critical", "warning", "info", got the string "loud"']);
    expect(problemsOf('state:\n  eventTtlHours: 2\n')).toEqual(['state.eventTtlHours: must be at least 25, got number 2']);
    expect(problemsOf('clusters:\n  exclude: ["prod east"]\n')[0]).toMatch(/^clusters\.exclude\[0\]: must be a cluster name or a glob/);
    expect(problemsOf('notify:\n  topicArn: my-topic\n')[0]).toMatch(/^notify\.topicArn: must be an SNS topic ARN/);
  });

  it('reports YAML syntax errors and duplicate keys instead of guessing', () => {
    expect(problemsOf('clusters: [unclosed\n')[0]).toMatch(/^YAML syntax/);
    expect(problemsOf('notify: {}\nnotify: {}\n')[0]).toMatch(/^YAML syntax/);
  });

  it('says which file is missing', () => {
    expect(() => loadConfigFile('/nonexistent/autopilot.yml')).toThrow('/nonexistent/autopilot.yml: file not found');
  });

  it('loads the autopilot.yml shipped at the root and every example', () => {
    for (const file of ['autopilot.yml', 'examples/autopilot.yml']) expect(() => loadConfigFile(join(projectRoot, file))).not.toThrow();
  });

  it('loads every YAML example in the README', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(() => parseConfigText(example, 'README.md')).not.toThrow();
  });

  it('keeps schema/autopilot.schema.json in step with the zod schema (npm run schema regenerates it)', () => {
    expect(readFileSync(join(projectRoot, 'schema', 'autopilot.schema.json'), 'utf8')).toBe(configJsonSchema());
  });
});
