// The subscribe handler as Lambda runs it (default configuration: no prefixes, so no AWS call):
// it answers CloudFormation for every request type, ignores events it does not act on, and a
// schedule tick sweeps nothing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../support/lambda.js';
import createLogGroupEvent from '../fixtures/events/cloudtrail-create-log-group.json' with { type: 'json' };

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome: string; notes: string[] }>;
const answers: Array<Record<string, unknown>> = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    answers.push(JSON.parse(body) as Record<string, unknown>);
    response.end();
  });
});
let url = '';
let handler: Handler;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`;
  vi.stubEnv('STAGE', 'test');
  vi.stubEnv('SHIP_FUNCTION_ARN', 'arn:aws:lambda:us-east-1:123456789012:function:ecs-autopilot-test-ship');
  ({ handler } = (await import('../../functions/subscribe/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  server.close();
  vi.unstubAllEnvs();
});

const request = (RequestType: string) => ({ RequestType, ResponseURL: url, StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ecs-autopilot-test/1', RequestId: `${RequestType}-1`, LogicalResourceId: 'LogSubscriptions', ResourceType: 'Custom::LogSubscriptions', ResourceProperties: { Prefixes: [] } });

describe('subscribe handler', () => {
  it('answers CloudFormation on create, update and delete', async () => {
    for (const type of ['Create', 'Update', 'Delete']) {
      const outcome = await handler(request(type), lambdaContext('ecs-autopilot-test-subscribe'));
      expect(outcome.notes[0]).toMatch(new RegExp(`^${type}: SUCCESS`));
      expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', RequestId: `${type}-1`, PhysicalResourceId: 'ecs-autopilot-test-ship-log-subscriptions' });
    }
  });

  it('sweeps on a tick, and ignores Logs calls other than CreateLogGroup and events it has no parser for', async () => {
    const tick = { version: '0', id: 't1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-12-03T00:00:00Z', region: 'us-east-1', resources: [], detail: {} };
    expect(await handler(tick, lambdaContext())).toMatchObject({ outcome: 'ignored', notes: ['subscribed 0, updated 0, kept 0, skipped 0 of 0 log groups'] });
    const deleted = { ...createLogGroupEvent, detail: { ...createLogGroupEvent.detail, eventName: 'DeleteLogGroup' } };
    expect((await handler(deleted, lambdaContext())).notes[0]).toMatch(/not on logs-api-call DeleteLogGroup/);
    expect((await handler({ ...tick, source: 'aws.health', 'detail-type': 'AWS Health Event' }, lambdaContext())).outcome).toBe('ignored');
  });
});

describe('subscribe metrics (EMF)', () => {
  it('counts log groups by outcome from a real sweep, blocked groups included, and nothing for a quiet one', async () => {
    const { captureOutput } = await import('../support/capture-output.js');
    const { emittedMetrics } = await import('../support/emf.js');
    const { createMetrics } = await import('../../shared/lambda/metrics.js');
    const { publishSubscribeMetrics } = await import('../../functions/subscribe/subscribe-metrics.js');
    const { subscribeLogGroups } = await import('../../shared/execute/subscribe/log-group-subscriptions.js');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const own = { filterName: 'ecs-autopilot-test-ship', destinationArn: 'arn:aws:lambda:us-east-1:1:function:ship', filterPattern: '' };
    const groups: Record<string, Array<{ filterName: string; destinationArn?: string }>> = { '/ecs/a': [], '/ecs/b': [], '/ecs/full': [{ filterName: 'x' }, { filterName: 'y' }], '/ecs/done': [{ ...own }] };
    const subscriptions = {
      async *logGroups(prefix: string) {
        for (const name of Object.keys(groups)) if (name.startsWith(prefix)) yield name;
      },
      filtersOf: async (g: string) => groups[g],
      put: async (g: string) => void (groups[g] = [{ ...own }]),
      remove: async () => {},
    };
    const report = await subscribeLogGroups({ subscriptions, own, policy: { prefixes: ['/ecs/'], listed: [], ownLogGroupPrefix: '/aws/lambda/x-' }, remainingMs: () => 60_000 });
    const output = captureOutput([process.stdout], false);
    try {
      const metrics = createMetrics('subscribe', 'test');
      publishSubscribeMetrics(metrics, report);
      const byOutcome = Object.fromEntries(emittedMetrics(output).map((m) => [m.dimensions.outcome, m.value]));
      expect(byOutcome).toEqual({ subscribed: 2, blocked: 1 });
      const quiet = captureOutput([process.stdout], false);
      publishSubscribeMetrics(metrics, { matched: 1, subscribed: [], updated: [], kept: 1, skipped: [], failed: [] });
      expect(emittedMetrics(quiet)).toEqual([]);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
