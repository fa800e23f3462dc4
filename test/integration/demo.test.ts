// `npm run demo` end to end (it starts an emulator of its own): after the scripted incident, its
// explain scene runs `explain` on the very task the OOM notification was about, and prints that
// task's cause, revision change and last log lines; the README shows this output.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { OOM_LOG_LINES } from '../../scripts/lib/bad-deploy.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { masked, README, readmeExample } from '../support/readme-examples.js';

let output: string;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(projectRoot, 'scripts', 'demo.ts')], {
    cwd: projectRoot,
    env: { ...process.env, AWS_ENDPOINT_URL: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  output = stdout;
}, 180_000);

describe('the demo', () => {
  it('explains the task of the scripted OOM kill: its notification and the explain scene name the same task and cause', () => {
    const oom = /^10:01:05 {2}a new task is killed for using too much memory\n {10}saw {6}ECS Task State Change {2}service:web STOPPED EssentialContainerExited task (\S+)\n {10}decided {2}acted\n {10}did {6}new message to sns: "\[critical\] oom: prod\/web"/m.exec(output);
    expect(oom, output).not.toBeNull();
    const taskId = oom![1]!;
    const scene = output.slice(output.indexOf('scene: On call'));
    expect(scene).toContain(`\n$ ecs-autopilot explain arn:aws:ecs:us-east-1:123456789012:task/prod/${taskId}\ntask ${taskId} (prod/web): STOPPED\ncause: oom (critical): `);
    expect(scene).toContain('task definition: web:2 (changes since web:1)\n');
    expect(scene).toContain(`last log lines of 'web' (/ecs/prod/web ecs/web/${taskId}):\n${OOM_LOG_LINES.map((l) => `  | ${l}`).join('\n')}\n`);
    expect(scene).toMatch(/^prod\/web +failing +0\/2 +health-check 1, oom 1 /m);
  });

  it('prints the task explain example the README shows', () => {
    const scene = output.slice(output.indexOf('\n$ ecs-autopilot explain ') + 1);
    const printed = scene.slice(0, scene.indexOf('\n\n') + 1);
    const header = printed.slice(0, printed.indexOf('\n'));
    expect(masked(readmeExample(readFileSync(README, 'utf8'), header).text)).toBe(masked(printed));
  });
});
