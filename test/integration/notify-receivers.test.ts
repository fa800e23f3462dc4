// Notifications end to end against the emulator, with a configuration that routes to Slack (a
// local HTTP receiver playing Slack, its webhook URL in SSM Parameter Store) and SNS (read back
// through an SQS subscription): grouping of a burst, redelivery, alarm -> OK, Slack's 429, silences.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack, receiveNotifications } from '../../scripts/lib/local-stack.js';
import { loadFixture, type RawEvent, retargetTaskEvent } from '../support/fixtures.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome: string; notes: string[]; actions: Array<{ delivery: string; receiver: string }> }>;

const cluster = uniqueName('recv');
const webhookParameter = `/${cluster}/slack/oncall`;
let stack: LocalStack;
let handler: Handler;
let slack: Server;
const posted: Array<{ text: string; blocks: Array<{ type: string; text?: { text: string } }> }> = [];
let answers: Array<{ status: number; retryAfter?: string }> = [];

function startSlack(): Promise<string> {
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const answer = answers.shift() ?? { status: 200 };
      if (answer.status === 200) posted.push(JSON.parse(body) as (typeof posted)[number]);
      response.writeHead(answer.status, answer.retryAfter ? { 'retry-after': answer.retryAfter } : {});
      response.end(answer.status === 200 ? 'ok' : 'rate_limited');
    });
  });
  return new Promise((resolve) => slack.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/secret-token`)));
}

const taskEvent = (fixture: string, service: string, n: number): RawEvent => {
  const event = retargetTaskEvent(loadFixture(fixture), { cluster, service, id: uniqueName(`evt${n}`) });
  (event.detail as { taskArn: string }).taskArn += `-${n}`;
  return event;
};

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), cluster);
  const webhook = await startSlack();
  await new SSMClient(clientOptions(stack.endpoint)).send(new PutParameterCommand({ Name: webhookParameter, Type: 'SecureString', Value: webhook }));
  const ecs = new ECSClient(clientOptions(stack.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // The web service logs through awslogs, so the notification can carry its last lines.
  const logGroup = `/ecs/${cluster}`;
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${cluster}-web`,
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } } }],
    }),
  );
  for (const service of ['web', 'worker']) await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: `${cluster}-web`, desiredCount: 0 }));
  const logs = new CloudWatchLogsClient(clientOptions(stack.endpoint));
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: 'ecs/web/log-tail-task' }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: logGroup,
      logStreamName: 'ecs/web/log-tail-task',
      logEvents: ['starting', 'allocating cache', 'java.lang.OutOfMemoryError: Java heap space'].map((message, i) => ({ timestamp: Date.now() - 1000 + i, message })),
    }),
  );

  (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = {
    notify: {
      receivers: { oncall: { slack: { webhook: `ssm:${webhookParameter}`, mention: '<!subteam^S0ONCALL>' } }, everything: { sns: {} } },
      route: {
        receiver: 'everything',
        groupInterval: '2s',
        routes: [{ match: { cluster: `${cluster}*`, severity: ['critical', 'info'] }, receiver: 'oncall', continue: true }, { match: { cluster: `${cluster}*` }, receiver: 'everything' }],
      },
      alarms: { severity: 'critical' },
      silences: [{ match: { service: 'worker', cause: 'image-pull' }, until: '2099-01-01T00:00:00Z', comment: 'registry move' }],
    },
  };
  Object.assign(process.env, stack.functionEnv);
  ({ handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  slack?.close();
  delete (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__;
});

describe('notifications through Slack and SNS', () => {
  it('posts a stopped task to Slack as Block Kit with its log lines, and to SNS with attributes', async () => {
    posted.length = 0;
    const event = taskEvent('events/task-stopped-oom.json', 'web', 0);
    const detail = event.detail as { taskArn: string; taskDefinitionArn: string };
    detail.taskArn = detail.taskArn.replace(/[^/]+$/, 'log-tail-task');
    detail.taskDefinitionArn = `arn:aws:ecs:us-east-1:123456789012:task-definition/${cluster}-web:1`;
    const outcome = await handler(event, lambdaContext());
    expect(outcome.actions.map((a) => `${a.receiver}:${a.delivery}`).sort()).toEqual(['everything:new', 'oncall:new']);
    expect(posted).toHaveLength(1);
    const [message] = posted;
    expect(message!.text.startsWith('<!subteam^S0ONCALL> ')).toBe(true);
    expect(message!.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining(`CRITICAL: oom in ${cluster}/web`) } });
    const texts = JSON.stringify(message!.blocks);
    expect(texts).toContain('java.lang.OutOfMemoryError: Java heap space');
    expect(texts).toContain('Open task');
    const [sns] = await receiveNotifications(stack);
    expect(sns!.attributes).toMatchObject({ severity: 'critical', cause: 'oom', cluster, service: 'web', kind: 'task-stopped', status: 'firing', delivery: 'new' });
    expect((sns!.body.logTail as { lines: string[] }).lines.at(-1)).toBe('java.lang.OutOfMemoryError: Java heap space');
    // Redelivered: nothing new anywhere.
    expect((await handler(event, lambdaContext())).notes.join(' ')).toMatch(/duplicate/);
    expect(posted).toHaveLength(1);
    expect(await receiveNotifications(stack)).toHaveLength(0);
  });

  it('turns a burst of 200 failures of one service into one message and bounded updates, with the final count', async () => {
    posted.length = 0;
    const started = Date.now();
    for (let i = 1; i <= 200; i++) await handler(taskEvent('events/task-stopped-app-exit.json', 'web', i), lambdaContext());
    const seconds = (Date.now() - started) / 1000;
    // The flush timer the last suppressed failure set: deliver it as Lambda's SQS trigger would.
    await new Promise((r) => setTimeout(r, 2500));
    const sqs = new SQSClient(clientOptions(stack.endpoint));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.timerQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 3 }));
    const records = Messages.map((m) => ({ eventSource: 'aws:sqs', messageId: m.MessageId, body: m.Body, eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:timers', attributes: {} }));
    expect(records.length).toBeGreaterThan(0);
    const batch = (await handler({ Records: records }, lambdaContext())) as unknown as { batchItemFailures: unknown[] };
    expect(batch.batchItemFailures).toEqual([]);
    const headers = posted.map((p) => p.blocks[0]!.text!.text);
    expect(headers.filter((h) => !/\(\d+ since/.test(h))).toHaveLength(1); // exactly one new message
    // At most one update per groupInterval (2 s) while the burst lasted, plus the flush.
    expect(headers.length).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 2);
    expect(headers.at(-1)).toMatch(/\(200 since/);
  }, 180_000);

  it('says an alarm went to ALARM and then resolved, on the service its dimensions name', async () => {
    posted.length = 0;
    await receiveNotifications(stack);
    const alarm = loadFixture('events/alarm-ecs-service-alarm.json');
    alarm.id = uniqueName('alarm');
    const metrics = (alarm.detail as { configuration: { metrics: Array<{ metricStat: { metric: { dimensions: Record<string, string> } } }> } }).configuration.metrics;
    for (const m of metrics) m.metricStat.metric.dimensions = { ClusterName: cluster, ServiceName: 'web' };
    await handler(alarm, lambdaContext());
    const ok = loadFixture('events/alarm-ecs-service-ok.json');
    ok.id = uniqueName('ok');
    const okMetrics = (ok.detail as { configuration: { metrics: Array<{ metricStat: { metric: { dimensions: Record<string, string> } } }> } }).configuration.metrics;
    for (const m of okMetrics) m.metricStat.metric.dimensions = { ClusterName: cluster, ServiceName: 'web' };
    await handler(ok, lambdaContext());
    const received = await receiveNotifications(stack);
    expect(received.map((n) => `${n.attributes.status}:${n.attributes.kind}:${n.attributes.service}`)).toEqual(['firing:alarm:web', 'resolved:alarm:web']);
    expect(posted.map((p) => [...p.blocks[0]!.text!.text][0])).toEqual(['🔴', '✅']);
  });

  it('retries Slack after its Retry-After on 429', async () => {
    posted.length = 0;
    answers = [{ status: 429, retryAfter: '1' }];
    const started = Date.now();
    await handler(taskEvent('events/task-stopped-image-pull.json', 'web', 900), lambdaContext());
    expect(posted).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('silences what a silence matches and nothing else', async () => {
    posted.length = 0;
    await receiveNotifications(stack);
    const muted = await handler(taskEvent('events/task-stopped-image-pull.json', 'worker', 901), lambdaContext());
    expect(muted.notes.join(' ')).toMatch(/silenced by notify.silences\[0\] until 2099-01-01T00:00:00Z \(registry move\)/);
    const other = await handler(taskEvent('events/task-stopped-oom.json', 'worker', 902), lambdaContext());
    expect(other.actions.map((a) => a.delivery)).toContain('new');
    const received = await receiveNotifications(stack);
    expect(received.map((n) => `${n.attributes.service}:${n.attributes.cause}`)).toEqual(['worker:oom']);
  });
});
