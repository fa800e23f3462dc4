// The ship handler as Lambda runs it, with the default configuration (no destinations): it decodes,
// acknowledges control messages, and fails the invocation on a batch that does not decode.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome: string; stats: { records: number } }>;
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/logs/${name}`, import.meta.url), 'utf8'));

describe('ship handler', () => {
  it('handles data and control messages, and rejects a payload that does not decode', async () => {
    const { handler } = (await import('../../functions/ship/handler.js')) as unknown as { handler: Handler };
    const data = await handler(fixture('logs-ecs-api.json'), lambdaContext('ecs-autopilot-test-ship'));
    expect(data.outcome).toBe('nothing-to-ship');
    expect(data.stats.records).toBeGreaterThan(0);
    expect((await handler(fixture('logs-control-message.json'), lambdaContext('ecs-autopilot-test-ship'))).outcome).toBe('control-message');
    await expect(handler({ awslogs: { data: 'not base64 gzip' } }, lambdaContext('ecs-autopilot-test-ship'))).rejects.toThrow(/awslogs\.data/);
  });
});
