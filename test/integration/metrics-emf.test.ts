// The handlers' own metrics, as CloudWatch would extract them: the EMF lines they log are read back
// and checked for metric names, dimensions and values. The notify handler: events in by kind,
// outcomes, notifications by receiver and outcome, and the end-to-end delay. The remediate handler
// on its kill switch schedule: the KillSwitchEngaged gauge.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { type Emitted, emittedMetrics } from '../support/emf.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { loadFixture } from '../support/fixtures.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let slack: Server;
let slackStatus = 200;
let handler: Handler;
let output: Captured;

/** Every metric in every EMF document logged so far, with the dimensions its document declares. */
const emitted = () => emittedMetrics(output);

const count = (all: Emitted[], name: string, dimensions: Record<string, string>) =>
  all.filter((m) => m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v)).reduce((sum, m) => sum + m.value, 0);

beforeAll(async () => {
  const name = uniqueName('emf');
  const stack = await createLocalStack(inject('awsEndpoint'), name);
  slack = createServer((_request, response) => response.writeHead(slackStatus).end(slackStatus === 200 ? 'ok' : 'no_service'));
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0/B0/x`;
  await new SSMClient(clientOptions(stack.endpoint)).send(new PutParameterCommand({ Name: `/${name}/slack`, Type: 'SecureString', Value: url }));
  (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = {
    notify: { receivers: { oncall: { slack: { webhook: `ssm:/${name}/slack` } } }, route: { receiver: 'oncall' } },
  };
  Object.assign(process.env, stack.functionEnv, { STAGE: 'emftest', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'false' });
  output = captureOutput();
  ({ handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  vi.restoreAllMocks();
  slack?.close();
  delete (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

describe('EMF metrics of the notify handler', () => {
  it('counts events by kind and outcome, notifications by receiver and outcome, and the delay since the ECS event', async () => {
    const eventTime = new Date(Date.now() - 90_000).toISOString();
    await handler({ ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('oom'), time: eventTime }, lambdaContext());
    await handler({ ...loadFixture('events/task-stopped-deployment.json'), id: uniqueName('deploy') }, lambdaContext());
    slackStatus = 404;
    await expect(handler({ ...loadFixture('events/task-stopped-image-pull.json'), id: uniqueName('pull') }, lambdaContext())).rejects.toThrow();
    await expect(handler(loadFixture('malformed/task-missing-cluster-arn.json'), lambdaContext())).rejects.toThrow(/clusterArn/);

    const all = emitted();
    // Every document carries the function and the stage, the dimensions the dashboard queries by.
    for (const metric of all) expect(metric.dimensions).toMatchObject({ service: 'ecs-autopilot-notify', stage: 'emftest' });
    expect(count(all, 'EventsIn', { kind: 'task-stopped' })).toBe(3);
    expect(count(all, 'EventsIn', { kind: 'malformed' })).toBe(1);
    expect(count(all, 'EventsHandled', { kind: 'task-stopped', outcome: 'acted' })).toBe(1);
    expect(count(all, 'EventsHandled', { kind: 'task-stopped', outcome: 'ignored' })).toBe(1);
    expect(count(all, 'EventsHandled', { kind: 'task-stopped', outcome: 'error' })).toBe(1);
    expect(count(all, 'EventsHandled', { kind: 'malformed', outcome: 'error' })).toBe(1);
    expect(count(all, 'Notifications', { receiver: 'oncall', outcome: 'delivered' })).toBe(1);
    expect(count(all, 'Notifications', { receiver: 'oncall', outcome: 'failed' })).toBe(1);
    // EventsIn has only its kind: a stray outcome dimension would make it another metric.
    expect(all.filter((m) => m.name === 'EventsIn').every((m) => Object.keys(m.dimensions).sort().join() === 'kind,service,stage')).toBe(true);
    const delays = all.filter((m) => m.name === 'NotificationDelay');
    expect(delays).toHaveLength(1);
    expect(delays[0]!.unit).toBe('Milliseconds');
    expect(Object.keys(delays[0]!.dimensions).sort()).toEqual(['service', 'stage']);
    expect(delays[0]!.value).toBeGreaterThanOrEqual(90_000);
    expect(delays[0]!.value).toBeLessThan(90_000 + 120_000);
  });
});

// The kill switch schedule's tick (serverless.yml: ecs-autopilot-<stage>-remediate-kill-switch): the
// remediate handler reads the switch and reports the gauge its alarm counts, and does nothing else.
describe('EMF metrics of the remediate handler on its kill switch schedule', () => {
  type RemediateHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome?: string; notes?: string[] }>;
  let remediate: RemediateHandler;
  let ssm: SSMClient;
  const parameter = `/${uniqueName('ks')}/kill-switch`;
  const tick = () => ({
    version: '0',
    id: uniqueName('tick'),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/ecs-autopilot-emftest-remediate-kill-switch'],
    detail: {},
  });
  const gauges = () => emitted().filter((m) => m.name === 'KillSwitchEngaged' && m.dimensions.service === 'ecs-autopilot-remediate');

  beforeAll(async () => {
    ssm = new SSMClient(clientOptions(inject('awsEndpoint')));
    (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = { remediate: { killSwitchParameter: parameter, playbooks: { crashLoop: { enabled: true } } } };
    process.env.REMEDIATE_TIMER_QUEUE_URL = process.env.TIMER_QUEUE_URL;
    ({ handler: remediate } = (await import('../../functions/remediate/handler.js')) as unknown as { handler: RemediateHandler });
  });

  it('reports 1 while the switch is engaged and 0 once it is released, with no other work', async () => {
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: 'on', Type: 'String', Overwrite: true }));
    const engaged = await remediate(tick(), lambdaContext('ecs-autopilot-emftest-remediate'));
    expect(engaged).toMatchObject({ outcome: 'ignored', notes: [`kill switch ${parameter}: engaged (on)`] });
    expect(gauges().map((m) => [m.value, m.dimensions.stage])).toEqual([[1, 'emftest']]);
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: 'off', Type: 'String', Overwrite: true }));
    await remediate(tick(), lambdaContext('ecs-autopilot-emftest-remediate'));
    expect(gauges().map((m) => m.value)).toEqual([1, 0]);
    expect(emitted().filter((m) => m.name === 'RemediationActions')).toEqual([]);
  });
});
