// Runs `sls package` (the pinned offline CLI) with dummy credentials, as CI and a user would.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../scripts/lib/emulator.js';

const run = promisify(execFile);

export interface PackageResult {
  dir: string;
  template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }> };
}

export async function slsPackage(env: Record<string, string> = {}, stage = 'test'): Promise<PackageResult> {
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-package-'));
  try {
    await run(process.execPath, [join(projectRoot, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', stage, '--package', dir], {
      cwd: projectRoot,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as PackageResult['template'];
  return { dir, template };
}

export async function cfnLint(templatePath: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(join(projectRoot, '.venv', 'bin', 'cfn-lint'), [templatePath], { cwd: projectRoot });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
