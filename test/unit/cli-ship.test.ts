// `ecs-autopilot ship --offline`: the records it would ship, as NDJSON on stdout; exit 1 with the
// reason on a payload that does not decode.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { SECRETS } from '../fixtures/logs/ecs-lines.js';
import { dataMessagePayload, makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';

const run = promisify(execFile);
const fixtures = join(projectRoot, 'test/fixtures/logs');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, 'bin/ecs-autopilot.mjs'), ...args], { cwd: projectRoot, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('ecs-autopilot ship --offline', () => {
  it('prints one OpenTelemetry record per line, redacted, and acknowledges control messages silently', async () => {
    const result = await cli('ship', '--offline', join(fixtures, 'logs-ecs-api.json'), join(fixtures, 'logs-control-message.json'));
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { body: string; attributes: Record<string, unknown> });
    expect(records.length).toBeGreaterThan(10);
    for (const r of records) expect(r.attributes['container.name']).toBe('api');
    for (const secret of Object.values(SECRETS)) expect(result.stdout).not.toContain(secret);
  }, 30_000);

  it('reads a JSON array and NDJSON of events, and applies --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ship-cli-'));
    const event = makeSubscriptionEvent(dataMessagePayload);
    writeFileSync(join(dir, 'array.json'), JSON.stringify([event, event]));
    writeFileSync(join(dir, 'events.ndjson'), `${JSON.stringify(event)}\n${JSON.stringify(event)}\n`);
    writeFileSync(join(dir, 'autopilot.yml'), "ship:\n  drop: ['heap usage']\n");
    const result = await cli('ship', '--offline', '--config', join(dir, 'autopilot.yml'), join(dir, 'array.json'), join(dir, 'events.ndjson'));
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(4 * 2);
    expect(result.stdout).not.toContain('heap usage');
  }, 30_000);

  it('exits 1 with the reason on a payload that does not decode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ship-cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ awslogs: { data: Buffer.from('not gzip').toString('base64') } }));
    const result = await cli('ship', '--offline', join(dir, 'bad.json'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.json: CloudWatch Logs is malformed: awslogs\.data: not gzip-compressed data after base64 decoding/);
    expect((await cli('ship', join(dir, 'bad.json'))).code).toBe(2);
    writeFileSync(join(dir, 'empty.json'), '\n');
    const empty = await cli('ship', '--offline', join(dir, 'empty.json'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty\.json: the file is empty/);
  }, 30_000);
});
