// The CLI as a user runs it: `npx ecs-autopilot ...` in a clone, through bin/ecs-autopilot.mjs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { listFixtures } from '../support/fixtures.js';


const cli = (...args: string[]) => cliWith(process.execPath, ...args);

function cliWith(node: string, ...args: string[]) {
  // --offline must not need credentials or an endpoint: make sure none is there to use.
  return runCli(args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, node);
}

const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

describe('ecs-autopilot replay --offline', () => {
  it('prints one line per bundled fixture and exits 0', async () => {
    const files = listFixtures('events').map((f) => join('test', 'fixtures', f));
    const result = await cli('replay', '--offline', ...files);
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    expect(out).toHaveLength(files.length);
    for (const line of out) {
      expect(line).toEqual(expect.objectContaining({ id: expect.any(String), detailType: expect.any(String), outcome: expect.stringMatching(/^(acted|ignored)$/), actions: expect.any(Array) }));
    }
    // Two fixtures are OOM kills of prod/web: the first (alphabetically) posts, the second is grouped.
    const oom = ['task-stopped-new-fields.json', 'task-stopped-oom.json'].map((f) => out.find((l) => l.source.endsWith(f))!);
    expect(oom.map((l) => l.outcome)).toEqual(['acted', 'ignored']);
    expect(oom.map((l) => l.actions[0].delivery)).toEqual(['new', 'suppressed']);
    expect(oom[0]!.actions[0]).toEqual(
      expect.objectContaining({ type: 'notify', receiver: 'sns', group: 'sns:{cluster="prod",service="web",cause="oom"}', severity: 'critical', cause: 'oom', text: expect.stringMatching(/^\[CRITICAL\] oom/) }),
    );
    expect(out.find((l) => l.source.endsWith('task-stopped-deployment.json'))!.outcome).toBe('ignored');
  });

  it('plans a rollback from the run\'s own history: steady on N, deployed N+1, crash loop on N+1 -> back to N', async () => {
    const result = await cli('replay', '--offline', '--config', 'examples/autopilot.yml', 'test/fixtures/replay/crash-loop-after-deploy.ndjson');
    expect(result.code, result.stderr).toBe(0);
    const remediations = lines(result.stdout).flatMap((l) => l.actions.filter((a: { type: string }) => a.type !== 'notify').map((a: object) => ({ id: l.id, ...a })));
    expect(remediations).toEqual([
      expect.objectContaining({
        id: 'rb-09-crash-42',
        type: 'rollback',
        service: 'prod/checkout',
        from: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:42',
        to: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:41',
        reason: expect.stringMatching(/3 tasks failed \(app-exit\).*checkout:41 held steady state/),
        outcome: 'planned',
      }),
    ]);
  });

  it('carries state from one event to the next: a redelivered event is ignored', async () => {
    const result = await cli('replay', '--offline', 'test/fixtures/replay/incident.ndjson');
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    const byId = new Map<string, string[]>();
    for (const line of out) byId.set(line.id, [...(byId.get(line.id) ?? []), line.outcome]);
    const redelivered = [...byId.entries()].filter(([, outcomes]) => outcomes.length > 1);
    expect(redelivered.length).toBeGreaterThan(0);
    for (const [id] of redelivered) {
      const [first, ...later] = out.filter((l) => l.id === id);
      expect(first!.actions.length).toBeGreaterThan(0);
      for (const line of later) expect(line).toMatchObject({ outcome: 'ignored', actions: [], notes: expect.arrayContaining([`duplicate: event ${id} was already handled`]) });
    }
  });

  it('groups a burst of 200 failures of one service within a minute, plus a redelivery, into exactly one new message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const base = (await import('../../test/fixtures/events/task-stopped-app-exit.json', { with: { type: 'json' } })).default as Record<string, any>;
    const events = Array.from({ length: 200 }, (_, i) => ({
      ...base,
      id: `burst-${i}`,
      time: new Date(Date.parse('2026-11-20T10:00:00Z') + i * 290).toISOString(),
      detail: { ...base.detail, taskArn: `${base.detail.taskArn}${i}` },
    }));
    events.push({ ...events[57]! }); // EventBridge delivers one of them again
    writeFileSync(join(dir, 'burst.ndjson'), events.map((e) => JSON.stringify(e)).join('\n'));
    const result = await cli('replay', '--offline', join(dir, 'burst.ndjson'));
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    expect(out).toHaveLength(201);
    const deliveries = out.flatMap((l) => l.actions.map((a: { delivery: string }) => a.delivery));
    expect(deliveries.filter((d) => d === 'new')).toHaveLength(1);
    expect(deliveries.filter((d) => d === 'update')).toHaveLength(0); // 58 s < groupInterval 5 min
    expect(deliveries.filter((d) => d === 'suppressed')).toHaveLength(199);
    expect(out[200]).toMatchObject({ id: 'burst-57', outcome: 'ignored', actions: [] });
    const first = out[0]!.actions[0];
    expect(first).toMatchObject({ receiver: 'sns', group: 'sns:{cluster="prod",service="worker",cause="app-exit"}', delivery: 'new' });
    expect(first.text).toMatch(/^\[CRITICAL\] app-exit {2}prod\/worker/);
  });

  it('prints an error line naming the problem for a malformed event and exits 1', async () => {
    const result = await cli('replay', '--offline', 'test/fixtures/events/task-stopped-oom.json', 'test/fixtures/malformed/task-missing-cluster-arn.json');
    expect(result.code).toBe(1);
    const [ok, bad] = lines(result.stdout);
    expect(ok!.outcome).toBe('acted');
    expect(bad).toMatchObject({ outcome: 'error', detailType: 'ECS Task State Change', actions: [] });
    expect(bad!.error).toMatch(/detail\.clusterArn: expected string, got nothing/);
  });

  it('reads JSON arrays and NDJSON, and reports a line that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const event = JSON.stringify((await import('../../test/fixtures/events/task-stopped-oom.json', { with: { type: 'json' } })).default);
    writeFileSync(join(dir, 'array.json'), `[${event},${event}]`);
    writeFileSync(join(dir, 'lines.ndjson'), `${event}\nnot json\n`);
    const result = await cli('replay', '--offline', join(dir, 'array.json'), join(dir, 'lines.ndjson'));
    expect(result.code).toBe(1);
    expect(lines(result.stdout).map((l) => l.outcome)).toEqual(['acted', 'ignored', 'ignored', 'error']);
    expect(lines(result.stdout)[3]!.error).toMatch(/lines\.ndjson:2: not JSON/);
  });

  it('applies --config, and refuses a bad one with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    writeFileSync(join(dir, 'quiet.yml'), 'notify:\n  causes:\n    oom: { notify: false }\n');
    const quiet = await cli('replay', '--offline', '--config', join(dir, 'quiet.yml'), 'test/fixtures/events/task-stopped-oom.json');
    expect(lines(quiet.stdout)[0]!.outcome).toBe('ignored');
    writeFileSync(join(dir, 'bad.yml'), 'notify:\n  causes:\n    oom: { notfy: false }\n');
    const bad = await cli('replay', '--offline', '--config', join(dir, 'bad.yml'), 'test/fixtures/events/task-stopped-oom.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yml')}: notify.causes.oom: unknown key 'notfy'`);
  });
});

// scripts/test.sh runs the tests on Node 22 and names the machine's other Node here (20 on CI).
const secondNode = process.env.AUTOPILOT_SECOND_NODE;
describe.runIf(secondNode && secondNode !== process.execPath)('on the other supported Node major', () => {
  it('replays the fixtures with the same result', async () => {
    const files = listFixtures('events').map((f) => join('test', 'fixtures', f));
    const [here, there] = await Promise.all([cli('replay', '--offline', ...files), cliWith(secondNode!, 'replay', '--offline', ...files)]);
    expect(there.code, there.stderr).toBe(0);
    expect(there.stdout).toBe(here.stdout);
  });
});

describe('ecs-autopilot validate', () => {
  it('accepts the shipped configuration and shows the derived EventBridge pattern', async () => {
    const result = await cli('validate', 'examples/autopilot.yml');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/examples\/autopilot\.yml: valid/);
    expect(result.stdout).toContain('"clusterArn":[{"wildcard":"*:cluster/prod"},{"wildcard":"*:cluster/prod-*"}]');
  });
});
