// `ecs-autopilot simulate-scaling` on a small CSV trace: the report lines scripts read, exactly.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.js';
import { runSimulateScaling } from '../../bin/cli/simulate-scaling.js';
import { UsageError } from '../../bin/cli/args.js';
import { parseTraceCsv } from '../../shared/simulate/trace.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { captureOutput } from '../support/capture-output.js';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'scaling', name);

/** The CLI's entry point as `npx ecs-autopilot` runs it: exit code, stdout and stderr. */
async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captureOutput([process.stdout], false);
  const stderr = captureOutput([process.stderr], false);
  try {
    const code = await main(argv);
    return { code, stdout: stdout.chunks.join(''), stderr: stderr.chunks.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

async function report(...extra: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runSimulateScaling(['--config', fixture('autopilot.yml'), '--service', 'worker', '--trace', fixture('burst-trace.csv'), ...extra], (line) => lines.push(line));
  return lines;
}

describe('simulate-scaling', () => {
  it('prints the five report lines in the documented format', async () => {
    const lines = await report();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drain time: \d+ min \(ideal \d+ min\)$/);
    expect(lines[1]).toMatch(/^direction changes: \d+$/);
    expect(lines[2]).toMatch(/^actions: \d+$/);
    expect(lines[3]).toMatch(/^task-minutes: \d+ \(ideal \d+\)$/);
    expect(lines[4]).toMatch(/^baseline: ECS target tracking drain time \d+ min, task-minutes \d+, direction changes \d+$/);
    // Deterministic: the same trace gives the same report.
    expect(await report()).toEqual(lines);
    // The ideal serves 2 hours: 85 minutes at 200 and 5 at 3000 messages, 100 per task-minute.
    expect(lines[3]).toMatch(/\(ideal 320\)$/);
  });

  it('slows down with a longer start-up, and --per-task overrides nothing when the trace has per_task', async () => {
    const quick = await report();
    const slow = await report('--startup-minutes', '5');
    const drain = (lines: string[]) => Number(/drain time: (\d+)/.exec(lines[0]!)![1]);
    expect(drain(slow)).toBeGreaterThan(drain(quick));
    expect(await report('--per-task', '1')).toEqual(quick);
  });

  it('refuses a trace without per_task unless --per-task is given: exit code 2, the reason, no report', async () => {
    const args = ['simulate-scaling', '--config', fixture('autopilot.yml'), '--service', 'worker', '--trace', fixture('no-per-task.csv')];
    const refused = await runMain(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ecs-autopilot: the trace has no per_task column: say what one task handles per minute with --per-task N');
    expect(refused.stdout).toBe('');
    const given = await runMain([...args, '--per-task', '100']);
    expect(given.code).toBe(0);
    expect(given.stdout.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('refuses a malformed row by line and column', () => {
    expect(() => parseTraceCsv('time,arrivals\n2026-11-20T09:00:00Z,-3\n', 'trace.csv')).toThrow('trace.csv:2: arrivals');
    expect(() => parseTraceCsv('when,arrivals\n', 'trace.csv')).toThrow(/time and arrivals/);
    expect(parseTraceCsv('time,arrivals\n2026-11-20T09:01:00Z,5\n2026-11-20T09:00:00Z,4\n', 't').map((p) => p.arrivals)).toEqual([4, 5]);
  });

  it('names the scaled services when the service is unknown', async () => {
    await expect(runSimulateScaling(['--config', fixture('autopilot.yml'), '--service', 'nope', '--trace', fixture('burst-trace.csv')], () => {})).rejects.toThrow(UsageError);
    await expect(runSimulateScaling(['--config', fixture('autopilot.yml'), '--service', 'nope', '--trace', fixture('burst-trace.csv')], () => {})).rejects.toThrow(/prod\/worker/);
  });
});
