// Runs the CLI as a user does (`npx ecs-autopilot ...` is bin/ecs-autopilot.mjs) and captures its output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../scripts/lib/emulator.js';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv, node = process.execPath): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(node, [join(projectRoot, 'bin', 'ecs-autopilot.mjs'), ...args], { cwd: projectRoot, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
