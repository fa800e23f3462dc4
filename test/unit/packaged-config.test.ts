// A packaged bundle takes the embedded configuration as it is: it was validated at package time,
// and it survives JSON. Validating it again is what broke every function of a stack with
// scale.services at cold start (validateConfig does not accept its own maxStep output).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../shared/config/load-file.js';
import { packagedConfig } from '../../shared/config/packaged.js';
import { validateConfig } from '../../shared/config/validate.js';
import { projectRoot } from '../../scripts/lib/emulator.js';

const global = globalThis as { __AUTOPILOT_CONFIG__?: unknown; __AUTOPILOT_CONFIG_VALIDATED__?: boolean };
const configFiles = [join(projectRoot, 'autopilot.yml'), ...readdirSync(join(projectRoot, 'examples')).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(projectRoot, 'examples', f))];

afterEach(() => {
  delete global.__AUTOPILOT_CONFIG__;
  delete global.__AUTOPILOT_CONFIG_VALIDATED__;
});

describe('the packaged configuration', () => {
  it('survives being embedded as JSON, for every example configuration', () => {
    expect(configFiles.length).toBeGreaterThan(1);
    for (const file of configFiles) {
      const packaged = loadConfigFile(file);
      expect(JSON.parse(JSON.stringify(packaged)), file).toEqual(packaged);
    }
  });

  it('is not validated a second time: validateConfig does not take all of its own output (a scale maxStep)', () => {
    // Why a bundle must not re-validate: before, every function of a stack with scale.services
    // failed at cold start with this error.
    const packaged = loadConfigFile(join(projectRoot, 'examples/autopilot.yml'));
    expect(() => validateConfig(JSON.parse(JSON.stringify(packaged)), 'embedded')).toThrow(/scaleOut\.maxStep/);
  });

  it('a bundle packaged with examples/autopilot.yml (scale and remediation configured) starts', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'packaged-config-'));
    const previous = process.env.AUTOPILOT_CONFIG;
    process.env.AUTOPILOT_CONFIG = join(projectRoot, 'examples/autopilot.yml');
    try {
      const { esbuildOptions } = createRequire(import.meta.url)('../../build/esbuild-options.cjs') as { esbuildOptions: () => BuildOptions };
      await build({ ...esbuildOptions(), sourcemap: false, entryPoints: { scale: join(projectRoot, 'functions/scale/handler.ts'), remediate: join(projectRoot, 'functions/remediate/handler.ts') }, outdir });
    } finally {
      if (previous === undefined) delete process.env.AUTOPILOT_CONFIG;
      else process.env.AUTOPILOT_CONFIG = previous;
    }
    const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/q';
    const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', STATE_TABLE: 't', NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t', TIMER_QUEUE_URL: queue, REMEDIATE_TIMER_QUEUE_URL: queue, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (const name of ['scale', 'remediate']) {
      const url = pathToFileURL(join(outdir, `${name}.mjs`)).href;
      // The error's message only: a minified bundle's stack would print the bundle.
      const script = `try { const m = await import(${JSON.stringify(url)}); process.stdout.write(typeof m.handler); } catch (e) { process.stdout.write(String(e.message)); }`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
      expect(child.stdout, name).toBe('function');
      // The schemas are left in a chunk the bundle never loads.
      expect(readFileSync(join(outdir, `${name}.mjs`), 'utf8')).not.toContain('must not exceed max');
    }
  }, 60_000);

  it('is taken as it is when the bundle says it was validated at package time', async () => {
    const embedded = { marker: 'taken as is' };
    global.__AUTOPILOT_CONFIG__ = embedded;
    global.__AUTOPILOT_CONFIG_VALIDATED__ = true;
    expect(await packagedConfig()).toBe(embedded);
  });

  it('is validated otherwise: defaults filled in, a bad one refused with the path named', async () => {
    global.__AUTOPILOT_CONFIG__ = { notify: { minSeverity: 'warning' } };
    const config = await packagedConfig();
    expect(config.notify.minSeverity).toBe('warning');
    expect(config.serviceTags.cacheSeconds).toBe(300);
    global.__AUTOPILOT_CONFIG__ = { notify: { minSeverity: 'loud' } };
    await expect(packagedConfig()).rejects.toThrow(/autopilot\.yml \(embedded at package time\): notify\.minSeverity/);
  });
});
