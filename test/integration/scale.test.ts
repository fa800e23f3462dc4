// The scale function's AWS path against the emulator: real SQS backlogs, CloudWatch metrics, ECS
// services, Application Auto Scaling targets, the state table and the SNS topic. The clock is
// passed in, so idle periods and at-max durations pass without waiting.
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, PurgeQueueCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack, receiveNotifications } from '../../scripts/lib/local-stack.js';
import { scaleDependencies } from '../../functions/scale/wiring.js';
import { readEnvironment } from '../../shared/config/environment.js';
import type { ScaledService } from '../../shared/config/schema-scale.js';
import { validateConfig } from '../../shared/config/validate.js';
import { servicesToEvaluate } from '../../shared/decide/scaling/select-services.js';
import { scaleServices } from '../../shared/execute/scaling/scale-services.js';
import { parseEvent } from '../../shared/intake/index.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { uniqueName } from '../support/lambda.js';

let stack: LocalStack;
let ecs: ECSClient;
let sqs: SQSClient;
let aas: ApplicationAutoScalingClient;
const cluster = uniqueName('scale');
const T0 = new Date(Date.now() - 60 * 60_000);
const minutesAfter = (m: number) => new Date(T0.getTime() + m * 60_000);

async function createService(name: string, tags: Record<string, string>, desiredCount = 1): Promise<void> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: [{ name, image: 'worker', memory: 128 }] }));
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: name, desiredCount, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }));
}

async function createQueue(messages: number): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('jobs') }));
  for (let i = 0; i < messages; i += 10) {
    const entries = Array.from({ length: Math.min(10, messages - i) }, (_, j) => ({ Id: String(j), MessageBody: `job ${i + j}` }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
  }
  return QueueUrl!;
}

const scalableTarget = (service: string) => ({ ServiceNamespace: 'ecs' as const, ResourceId: `service/${cluster}/${service}`, ScalableDimension: 'ecs:service:DesiredCount' as const });

async function capacity(service: string): Promise<{ min: number; max: number }> {
  const { ScalableTargets = [] } = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [scalableTarget(service).ResourceId] }));
  return { min: ScalableTargets[0]!.MinCapacity!, max: ScalableTargets[0]!.MaxCapacity! };
}

/** The service's scale audit records, oldest first. */
async function auditOf(service: string) {
  const store = new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), stack.tableName);
  return (await store.listAudit(200)).filter((r) => r.target === `${cluster}/${service}`).sort((a, b) => a.time.localeCompare(b.time));
}

/** Runs a recorded `aws application-autoscaling register-scalable-target ...` undo through the SDK. */
async function runUndo(command: string): Promise<void> {
  const flag = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command)?.[1];
  expect(command).toMatch(/^aws application-autoscaling register-scalable-target --service-namespace ecs /);
  await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: flag('resource-id')!, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: Number(flag('min-capacity')), MaxCapacity: Number(flag('max-capacity')) }));
}

async function desiredCount(service: string): Promise<number> {
  const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return services[0]!.desiredCount!;
}

function scaled(service: Record<string, unknown>): ScaledService {
  return validateConfig({ scale: { services: [{ cluster, min: 1, max: 10, ...service }] } }, 'test').scale!.services[0]!;
}

/** The scaler's dependencies as the function wires them, with the clock set by the test. */
function dependencies(now: () => Date) {
  const env = readEnvironment(stack.functionEnv);
  // Without receivers in the configuration, one receiver gets everything: the stack's topic.
  return scaleDependencies(env, validateConfig({}, 'test'), new Metrics({ namespace: 'EcsAutopilotTest' }), now);
}

const tick = async (service: ScaledService, at: Date) => {
  const outcomes = await scaleServices([service], { eventId: uniqueName('tick'), region: 'us-east-1', account: '123456789012' }, dependencies(() => at));
  if (process.env.DEBUG_SCALE) console.log(JSON.stringify(outcomes));
  return outcomes;
};

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), cluster);
  // Credentials come from the environment, as in Lambda.
  Object.assign(process.env, stack.functionEnv);
  ecs = new ECSClient(clientOptions(stack.endpoint));
  sqs = new SQSClient(clientOptions(stack.endpoint));
  aas = new ApplicationAutoScalingClient(clientOptions(stack.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
});

describe('scale against the emulator', () => {
  it('sets desiredCount from the backlog per task and audits the action with its explanation', async () => {
    await createService('worker', { 'ecs-autopilot:scale': 'on' });
    const queue = await createQueue(450);
    const service = scaled({ service: 'worker', policies: [{ type: 'sqs-backlog', queue, targetPerTask: 100 }], scaleOut: { maxStep: 10 } });

    const [outcome] = await tick(service, minutesAfter(0));
    expect(outcome).toMatchObject({ outcome: 'scaled', from: 1, to: 5, via: 'desiredCount' });
    expect(await desiredCount('worker')).toBe(5);

    const store = new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), stack.tableName);
    const audit = (await store.listAudit(10)).find((r) => r.target === `${cluster}/worker`)!;
    expect(audit).toMatchObject({ actor: 'scale', action: 'scale', detail: { from: 1, to: 5, bound: 'none', via: 'desiredCount' } });
    expect(audit.reason).toContain('450 messages / 100 per task = 5');

    // Half a minute later (the schedule and an alarm close together): same backlog, same count, no second action.
    const [again] = await tick(service, minutesAfter(0.5));
    expect(again).toMatchObject({ outcome: 'held' });
  });

  it('refuses a service that is not opted in with ecs-autopilot:scale=on, and says how to opt in', async () => {
    await createService('bystander', { 'ecs-autopilot:scale': 'off' });
    const queue = await createQueue(300);
    const [outcome] = await tick(scaled({ service: 'bystander', policies: [{ type: 'sqs-backlog', queue, targetPerTask: 100 }] }), minutesAfter(0));
    expect(outcome).toMatchObject({ outcome: 'refused' });
    expect(outcome!.reason).toContain('tag the service ecs-autopilot:scale=on');
    expect(await desiredCount('bystander')).toBe(1);
  });

  it('scales to zero after the idle period and back to the activation count on the first message', async () => {
    await createService('sleeper', { 'ecs-autopilot:scale': 'on' });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('idle') }));
    const service = scaled({
      service: 'sleeper',
      policies: [{ type: 'sqs-backlog', queue: QueueUrl, targetPerTask: 100 }],
      scaleToZero: { idleFor: '10m', activationCount: 2 },
      scaleIn: { stabilizationWindow: 0, cooldown: 0 },
    });
    expect((await tick(service, minutesAfter(0)))[0]).toMatchObject({ outcome: 'held' });
    expect((await tick(service, minutesAfter(5)))[0]).toMatchObject({ outcome: 'held' });
    expect((await tick(service, minutesAfter(10)))[0]).toMatchObject({ outcome: 'scaled', from: 1, to: 0 });
    expect(await desiredCount('sleeper')).toBe(0);
    expect((await tick(service, minutesAfter(11)))[0]).toMatchObject({ outcome: 'held' });

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    expect((await tick(service, minutesAfter(12)))[0]).toMatchObject({ outcome: 'scaled', from: 0, to: 2 });
    expect(await desiredCount('sleeper')).toBe(2);
  });

  it('raises the Application Auto Scaling target\'s floor instead of desiredCount, and its undo puts back min and max', async () => {
    await createService('managed', { 'ecs-autopilot:scale': 'on' });
    await aas.send(new RegisterScalableTargetCommand({ ...scalableTarget('managed'), MinCapacity: 1, MaxCapacity: 3 }));
    const queue = await createQueue(450);
    const service = scaled({ service: 'managed', policies: [{ type: 'sqs-backlog', queue, targetPerTask: 100 }], scaleOut: { maxStep: 10 } });

    const [outcome] = await tick(service, minutesAfter(0));
    expect(outcome).toMatchObject({ outcome: 'floor-raised', from: 1, to: 5, desiredCount: 1, via: 'scalable-target' });
    expect(outcome!.reason).toMatch(/^floor raised: MinCapacity 1 -> 5, MaxCapacity 3 -> 5 \(Application Auto Scaling raises desiredCount 1 to 5\)/);
    expect(await capacity('managed')).toEqual({ min: 5, max: 5 });
    // ecs-autopilot never writes desiredCount under a scalable target (the emulator does not play
    // Application Auto Scaling raising it, so it stays where it was).
    expect(await desiredCount('managed')).toBe(1);
    const [record] = await auditOf('managed');
    expect(record!.detail).toMatchObject({ via: 'scalable-target', change: 'floor-raised', scalableTarget: { before: { min: 1, max: 3 }, after: { min: 5, max: 5 } } });

    // Configured to refuse: nothing changes, and the outcome says why and what to do.
    const [refused] = await tick({ ...service, onScalableTarget: 'refuse' }, minutesAfter(5));
    expect(refused).toMatchObject({ outcome: 'refused' });
    expect(refused!.reason).toMatch(/scalable target \(min 5, max 5\).*onScalableTarget: adjust/);

    // The recorded undo restores both bounds, the raised max included.
    await runUndo(String(record!.detail!.undo));
    expect(await capacity('managed')).toEqual({ min: 1, max: 3 });
  });

  it('scales in under a scalable target by lowering its floor, once per change, down to zero and back', async () => {
    // Application Auto Scaling's policies had scaled the service out to 6.
    await createService('shrinking', { 'ecs-autopilot:scale': 'on' }, 6);
    await aas.send(new RegisterScalableTargetCommand({ ...scalableTarget('shrinking'), MinCapacity: 6, MaxCapacity: 8 }));
    const QueueUrl = await createQueue(500);
    const service = scaled({
      service: 'shrinking',
      policies: [{ type: 'sqs-backlog', queue: QueueUrl, targetPerTask: 100 }],
      scaleIn: { stabilizationWindow: 0, cooldown: 0, maxStep: '100%' },
      scaleToZero: { idleFor: '3m', activationCount: 2 },
    });

    const [lowered] = await tick(service, minutesAfter(0));
    expect(lowered).toMatchObject({ outcome: 'floor-lowered', from: 6, to: 5, desiredCount: 6 });
    expect(lowered!.reason).toMatch(/^floor lowered: MinCapacity 6 -> 5 \(desiredCount 6 stays until Application Auto Scaling's own scaling policies scale in\)/);
    // The floor is where the policy wants it: the next decisions hold, and write no audit record.
    for (const minute of [1, 2]) expect((await tick(service, minutesAfter(minute)))[0]).toMatchObject({ outcome: 'held', count: 5 });
    expect(await auditOf('shrinking')).toHaveLength(1);

    // The queue empties: the floor goes to min, then, idle for 3 min, to zero.
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    expect((await tick(service, minutesAfter(3)))[0]).toMatchObject({ outcome: 'floor-lowered', from: 5, to: 1 });
    expect((await tick(service, minutesAfter(4)))[0]).toMatchObject({ outcome: 'held', count: 1 });
    expect((await tick(service, minutesAfter(6)))[0]).toMatchObject({ outcome: 'floor-lowered', from: 1, to: 0 });
    expect((await tick(service, minutesAfter(7)))[0]).toMatchObject({ outcome: 'held', count: 0 });
    expect(await capacity('shrinking')).toEqual({ min: 0, max: 8 });
    expect(await desiredCount('shrinking')).toBe(6);
    const records = await auditOf('shrinking');
    expect(records.map((r) => [r.detail!.from, r.detail!.to])).toEqual([[6, 5], [5, 1], [1, 0]]);

    // The first message wakes it: the floor rises to the activation count.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    expect((await tick(service, minutesAfter(8)))[0]).toMatchObject({ outcome: 'floor-raised', from: 0, to: 2 });
    expect(await capacity('shrinking')).toEqual({ min: 2, max: 8 });

    // Undoing the scale to zero puts the floor back to 1, the max untouched.
    await runUndo(String(records[2]!.detail!.undo));
    expect(await capacity('shrinking')).toEqual({ min: 1, max: 8 });
  });

  it('leaves the count alone when the metric cannot be read', async () => {
    await createService('blind', { 'ecs-autopilot:scale': 'on' }, 3);
    const service = scaled({
      service: 'blind',
      min: 0,
      policies: [
        { type: 'sqs-backlog', queue: 'https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue', targetPerTask: 100 },
        { type: 'metric', metric: { namespace: 'Nowhere', name: 'NoData' }, targetPerTask: 10 },
      ],
    });
    const [outcome] = await tick(service, minutesAfter(0));
    expect(outcome).toMatchObject({ outcome: 'held', count: 3 });
    expect(outcome!.reason).toMatch(/missing-data/);
    expect(outcome!.reason).toMatch(/no datapoint/);
    expect(await desiredCount('blind')).toBe(3);

    // Still unreadable 15 min later (missingData.notifyAfter): one notice through the notify route, once.
    await receiveNotifications(stack, 0);
    for (const minute of [5, 15, 16]) expect((await tick(service, minutesAfter(minute)))[0]).toMatchObject({ outcome: 'held', count: 3 });
    const notices = (await receiveNotifications(stack)).filter((n) => n.attributes.kind === 'scaling');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.attributes).toMatchObject({ cause: 'scaling-missing-data', cluster, service: 'blind', severity: 'warning' });
    expect(String(notices[0]!.body.title)).toBe(`${cluster}/blind: sqs-backlog no-such-queue, metric Nowhere NoData unreadable for 15 min, count frozen at 3 (no scale-in)`);
    expect(String(notices[0]!.body.hint)).toMatch(/scale role may read it: .*no datapoint/);
  });

  it('scales on a CloudWatch metric, freezes a service paused by tag, and notifies once when held at max', async () => {
    const namespace = uniqueName('Shop');
    const cw = new CloudWatchClient(clientOptions(stack.endpoint));
    const now = new Date();
    await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: 'Orders', Value: 900, Timestamp: new Date(now.getTime() - 60_000) }] }));
    await createService('shop', { 'ecs-autopilot:scale': 'on' });
    await createService('frozen', { 'ecs-autopilot:scale': 'on', 'ecs-autopilot:scale-paused': 'true' });
    const policies = [{ type: 'metric', metric: { namespace, name: 'Orders', stat: 'Maximum' }, targetPerTask: 100 }];
    const shop = scaled({ service: 'shop', max: 4, policies, scaleOut: { maxStep: 10, cooldown: 0 }, notifyAtMaxAfter: '15m' });

    const at = (m: number) => new Date(now.getTime() + m * 60_000);
    const first = await scaleServices([shop, scaled({ service: 'frozen', policies })], { eventId: 'evt', region: 'us-east-1', account: '123456789012' }, dependencies(() => at(0)));
    expect(first).toMatchObject([{ outcome: 'scaled', from: 1, to: 4 }, { outcome: 'held', count: 1 }]);
    expect(first[1]!.reason).toContain('ecs-autopilot:scale-paused');
    await receiveNotifications(stack, 0);

    // The metric stays at 900 (the newest datapoint within the lookback): demand 9 above max 4.
    const late = scaled({ service: 'shop', max: 4, policies: [{ ...policies[0], lookbackSeconds: 3600 }], scaleOut: { maxStep: 10, cooldown: 0 }, notifyAtMaxAfter: '15m' });
    for (const minute of [1, 10, 15, 16]) await tick(late, at(minute));
    const notices = (await receiveNotifications(stack)).filter((n) => n.attributes.kind === 'scaling');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.attributes).toMatchObject({ kind: 'scaling', cause: 'scaling-at-max', cluster, service: 'shop', severity: 'warning', status: 'firing' });
    expect(notices[0]!.subject).toBe(`[warning] scaling-at-max: ${cluster}/shop`);
    expect(notices[0]!.body).toMatchObject({ schema: 'ecs-autopilot/notification@1', kind: 'scaling' });
    expect(String(notices[0]!.body.title)).toContain('at its max of 4 tasks for 15 min while the policies ask for 9');
  });

  it('runs as a Lambda handler: without scaled services in its configuration a tick changes nothing', async () => {
    const { handler } = (await import('../../functions/scale/handler.js')) as unknown as { handler: (event: unknown, context: unknown) => Promise<{ outcome: string; notes: string[] }> };
    const { lambdaContext } = await import('../support/lambda.js');
    const tickEvent = { version: '0', id: uniqueName('tick'), source: 'aws.events', 'detail-type': 'Scheduled Event', account: '123456789012', region: 'us-east-1', time: new Date().toISOString(), resources: ['arn:aws:events:us-east-1:123456789012:rule/x'], detail: {} };
    const result = await handler(tickEvent, lambdaContext('ecs-autopilot-test-scale'));
    expect(result).toMatchObject({ outcome: 'ignored', notes: ['no scaled service is evaluated on scheduled-tick'] });
  });

  it('evaluates every service on the schedule and only the services naming an alarm on its state change', () => {
    const config = validateConfig({ scale: { services: [
      { cluster: 'c', service: 'a', max: 2, alarms: ['queue-deep'], policies: [{ type: 'sqs-backlog', queue: 'q', targetPerTask: 1 }] },
      { cluster: 'c', service: 'b', max: 2, policies: [{ type: 'sqs-backlog', queue: 'q', targetPerTask: 1 }] },
    ] } }, 'test');
    const envelope = { version: '0', id: 'e1', account: '123456789012', region: 'us-east-1', time: '2026-11-25T06:00:00Z', resources: [] };
    const tickSignal = parseEvent({ ...envelope, source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    const alarmSignal = parseEvent({ ...envelope, source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'queue-deep', state: { value: 'ALARM' } } });
    expect(tickSignal.type === 'signal' && servicesToEvaluate(config.scale, tickSignal.signal).map((s) => s.service)).toEqual(['a', 'b']);
    expect(alarmSignal.type === 'signal' && servicesToEvaluate(config.scale, alarmSignal.signal).map((s) => s.service)).toEqual(['a']);
  });
});
