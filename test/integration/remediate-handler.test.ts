// The remediate Lambda handler as deployed (middy, logging, EMF metrics), with the configuration
// embedded the way esbuild embeds it: an EventBridge event acts, its metric line says so, and a
// timer batch reports only its broken record as failed.
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { taskStopped } from '../../scripts/lib/ecs-events.js';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { EcsWorld } from '../support/ecs-emulator.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome?: string; actions?: Array<{ outcome: string }>; batchItemFailures?: Array<{ itemIdentifier: string }> }>;

let handler: Handler;
let world: EcsWorld;
const cluster = uniqueName('handler');
let output: Captured;

beforeAll(async () => {
  const stack = await createLocalStack(inject('awsEndpoint'), cluster);
  const { QueueUrl } = await new SQSClient(clientOptions(stack.endpoint)).send(new CreateQueueCommand({ QueueName: `${cluster}-remediate-timers` }));
  // EMF is switched off for the suite (vitest.config.ts); this test reads it.
  Object.assign(process.env, stack.functionEnv, { REMEDIATE_TIMER_QUEUE_URL: QueueUrl!, STAGE: 'test', POWERTOOLS_METRICS_DISABLED: 'false' });
  (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = {
    remediate: { optIn: [cluster], killSwitchParameter: `/${cluster}/kill`, playbooks: { crashLoop: { enabled: true, pauseTo: 0 } } },
  };
  world = new EcsWorld(stack.endpoint, cluster);
  await world.createCluster();
  output = captureOutput();
  ({ handler } = (await import('../../functions/remediate/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  vi.restoreAllMocks();
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  delete (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__;
});

describe('remediate handler', () => {
  it('acts on a crash loop and logs one EMF metric per action, by playbook and outcome', async () => {
    const td = await world.registerRevision('api');
    await world.createService('api', td, { desiredCount: 2 });
    let last: Awaited<ReturnType<Handler>> | undefined;
    for (let i = 0; i < 3; i++) {
      const event = taskStopped('app-exit', { cluster, service: 'api', id: uniqueName('crash'), time: new Date().toISOString(), taskId: uniqueName('t'), taskDefinitionArn: td });
      last = await handler(event, lambdaContext('ecs-autopilot-test-remediate'));
    }
    expect(last!.actions!.map((a) => a.outcome)).toEqual(['acted']);
    expect((await world.service('api')).desiredCount).toBe(0);
    const emf = output.emf();
    const action = emf.find((line) => line._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'RemediationActions'));
    expect(action, output.chunks.join('')).toBeDefined();
    expect(action!._aws.CloudWatchMetrics[0]!.Namespace).toBe('EcsAutopilot');
    expect(action!._aws.CloudWatchMetrics[0]!.Dimensions[0]).toEqual(expect.arrayContaining(['playbook', 'outcome']));
    expect(action).toMatchObject({ playbook: 'crash-loop', outcome: 'acted', RemediationActions: 1, stage: 'test' });
    // The kill switch was read (it does not exist: off) and reported on every invocation.
    const gauges = emf.filter((line) => line._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'KillSwitchEngaged'));
    expect(gauges.length).toBeGreaterThanOrEqual(3);
    expect(gauges.every((line) => line.KillSwitchEngaged === 0)).toBe(true);
  });

  it('fails only the broken record of a timer batch', async () => {
    const record = (messageId: string, body: string) => ({ eventSource: 'aws:sqs', messageId, eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${cluster}-remediate-timers`, body, attributes: {} });
    const good = JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date().toISOString(), timer: { type: 'remediate-capacity-check', cluster, service: 'api' } });
    const result = await handler({ Records: [record('ok-1', good), record('bad-1', '{not json')] }, lambdaContext('ecs-autopilot-test-remediate'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad-1' }]);
  });
});
