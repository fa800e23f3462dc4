// Remediation against the emulator: real sequences of events through the remediate pipeline with
// its real adapters (ECS, SSM, SNS, SQS, DynamoDB in moto), checking the resulting ECS state, the
// audit record and the announcement. One describe per playbook, then the safety properties.
import { PutMetricAlarmCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { remediateDependencies } from '../../functions/remediate/wiring.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { type RemediationDependencies, type RemediationReport, remediateEvent } from '../../shared/execute/remediate-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { containerInstance, deployment, steadyState, targetGroupAlarm, taskStopped } from '../../scripts/lib/ecs-events.js';
import { clientOptions, createLocalStack, type LocalStack, type ReceivedNotification, receiveNotifications } from '../../scripts/lib/local-stack.js';
import { agentDown, EcsWorld, rememberingCapacity } from '../support/ecs-emulator.js';
import { uniqueName } from '../support/lambda.js';

let stack: LocalStack;
let world: EcsWorld;
let env: ReturnType<typeof readEnvironment>;
// The emulator's endpoint makes each DynamoDB request atomic, as DynamoDB is (moto's is not: see
// scripts/lib/atomic-dynamodb.ts). Without that, the concurrency tests below would fail on the
// emulator's races rather than on the code's.
const storeOn = (tableName: string) => new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), tableName);
const cluster = uniqueName('fix');
const killSwitch = `/${cluster}/kill-switch`;
const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deps(remediate: Record<string, unknown>): RemediationDependencies {
  // The tests of this file share one table, so one global budget per hour: give them room, except
  // where a test is about the budget itself.
  const config = validateConfig({ remediate: { killSwitchParameter: killSwitch, maxActionsPerHour: 100, ...remediate } }, 'test');
  return { ...remediateDependencies(env, config, () => new Date()), store: storeOn(stack.tableName) };
}

const playbooksOn = (playbooks: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ optIn: [cluster], playbooks, ...extra });

async function run(d: RemediationDependencies, events: unknown[]) {
  const outcomes = [];
  for (const event of events) outcomes.push(await remediateEvent(event, d));
  return outcomes;
}

const crash = (service: string, taskDefinitionArn: string, n = 3) =>
  Array.from({ length: n }, () => taskStopped('app-exit', { cluster, service, id: uniqueName('crash'), time: now(), taskId: uniqueName('t'), taskDefinitionArn }));

/**
 * The audit record of a reported action and its one announcement (found by the audit id among the
 * notifications `inbox` holds): both name the playbook, the outcome and the event ids, and the
 * announcement says how to undo it (`undo`) or, when a gate stopped it, that nothing was changed.
 */
async function expectRecorded(d: RemediationDependencies, action: RemediationReport, inbox: ReceivedNotification[], undo: string) {
  const label = { crashLoop: 'crash-loop', failedDeployment: 'failed-deployment', disconnectedAgent: 'disconnected-agent', unhealthyTargets: 'unhealthy-targets', capacityFallback: 'capacity-fallback', oomResize: 'oom-resize' }[action.playbook];
  expect(action.auditId).toMatch(/^[0-9a-f]{12}$/);
  const audit = (await d.store.listAudit(500)).find((r) => r.id === action.auditId);
  expect(audit).toMatchObject({ actor: `remediate:${label}`, action: action.type, target: action.service ?? action.containerInstance, eventIds: action.eventIds, detail: { outcome: action.outcome, detail: action.detail } });
  const announced = inbox.filter((n) => (n.body.remediation as { auditId?: string } | undefined)?.auditId === action.auditId);
  expect(announced).toHaveLength(1);
  const [announcement] = announced as [ReceivedNotification];
  expect(announcement.attributes).toMatchObject({ kind: 'remediation', playbook: label, outcome: action.outcome, cluster, cause: `remediation-${action.type}` });
  expect(announcement.body).toMatchObject({ kind: 'remediation', remediation: { type: action.type, outcome: action.outcome, auditId: action.auditId, detail: action.detail } });
  expect(String(announcement.body.hint)).toBe(`${action.detail}. To undo: ${undo}`);
  return { audit: audit!, announcement };
}

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), cluster);
  const { QueueUrl } = await new SQSClient(clientOptions(stack.endpoint)).send(new CreateQueueCommand({ QueueName: `${cluster}-remediate-timers` }));
  // The clients take credentials from the environment, as in Lambda.
  Object.assign(process.env, stack.functionEnv, { REMEDIATE_TIMER_QUEUE_URL: QueueUrl! });
  env = readEnvironment();
  world = new EcsWorld(stack.endpoint, cluster);
  await world.createCluster();
});

describe('crash loop', () => {
  it('rolls a crash-looping revision back to the one that held steady state, audits it and says how to undo it', async () => {
    const good = await world.registerRevision('api');
    await world.createService('api', good);
    const d = deps(playbooksOn({ crashLoop: { enabled: true, healthyFor: 1 } }));
    await run(d, [steadyState({ cluster, service: 'api', id: uniqueName('steady'), time: now() })]);
    await sleep(1100);
    const bad = await world.registerRevision('api', 256, 'nginx:broken');
    await world.deploy('api', bad);
    await receiveNotifications(stack, 0);

    const outcomes = await run(d, crash('api', bad));
    const actions = outcomes.flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'rollback', outcome: 'acted', from: bad, to: good }]);
    expect((await world.service('api')).taskDefinition).toBe(good);

    const trail = (await d.store.listAudit(20)).filter((r) => r.target === `${cluster}/api`);
    // The intent is written before the change, the outcome after it.
    expect(trail.map((r) => r.detail?.outcome).sort()).toEqual(['acted', 'acting']);
    const audit = trail.find((r) => r.detail?.outcome === 'acted');
    expect(audit).toMatchObject({ actor: 'remediate:crash-loop', action: 'rollback', eventIds: [outcomes.at(-1)!.id] });
    expect(audit!.detail).toMatchObject({ outcome: 'acted', from: bad, to: good, undo: { kind: 'update-service', change: { taskDefinition: bad } } });
    // Announced through the notify route (here the default SNS receiver), rendered as a notification.
    const [announcement] = await receiveNotifications(stack);
    expect(announcement!.attributes).toMatchObject({ kind: 'remediation', playbook: 'crash-loop', outcome: 'acted', cluster, service: 'api', cause: 'remediation-rollback', severity: 'warning' });
    expect(announcement!.subject).toBe(`[warning] remediation-rollback: ${cluster}/api`);
    expect(announcement!.body).toMatchObject({ schema: 'ecs-autopilot/notification@1', kind: 'remediation', remediation: { type: 'rollback', from: bad, to: good, auditId: audit!.id } });
    expect(String(announcement!.body.hint)).toContain(`ecs-autopilot undo ${audit!.id}`);

    // More crashes of the old revision after the rollback: the service moved on, nothing more is done.
    const after = await run(d, crash('api', bad, 1));
    expect(after[0]!.actions).toEqual([]);
    expect((await world.service('api')).taskDefinition).toBe(good);
  });

  it('pauses a crash loop with no good revision to the configured floor', async () => {
    const only = await world.registerRevision('jobs');
    await world.createService('jobs', only, { desiredCount: 4 });
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 1 } }));
    const actions = (await run(d, crash('jobs', only))).flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'pause', outcome: 'acted', from: 4, to: 1 }]);
    expect((await world.service('jobs')).desiredCount).toBe(1);
  });
});

describe('failed deployment', () => {
  it('updates the service to the last steady task definition when the circuit breaker does not roll back', async () => {
    const steady = await world.registerRevision('web');
    await world.createService('web', steady);
    const d = deps(playbooksOn({ failedDeployment: { enabled: true } }));
    await run(d, [steadyState({ cluster, service: 'web', id: uniqueName('steady'), time: now() })]);
    const failing = await world.registerRevision('web', 256, 'nginx:typo');
    await world.deploy('web', failing);
    await receiveNotifications(stack, 0);
    const [outcome] = await run(d, [deployment('failed', { cluster, service: 'web', id: uniqueName('failed'), time: now() })]);
    expect(outcome!.actions).toMatchObject([{ type: 'rollback', playbook: 'failedDeployment', outcome: 'acted', from: failing, to: steady, eventIds: [outcome!.id] }]);
    expect((await world.service('web')).taskDefinition).toBe(steady);
    const action = outcome!.actions[0]!;
    const { audit } = await expectRecorded(d, action, await receiveNotifications(stack), `update the service back to ${failing.split('/').pop()} (ecs-autopilot undo ${action.auditId})`);
    expect(audit.detail).toMatchObject({ from: failing, to: steady, before: { taskDefinition: failing }, undo: { kind: 'update-service', cluster, service: 'web', change: { taskDefinition: failing }, expect: { taskDefinition: steady } } });
  });
});

describe('disconnected agent', () => {
  it('drains an instance whose agent stays disconnected past the threshold, and can be undone', async () => {
    const { arn, ec2InstanceId } = await world.registerContainerInstance();
    const d = deps(playbooksOn({ disconnectedAgent: { enabled: true, after: 1 } }));
    d.ecs = agentDown(d.ecs!);
    const event = (time: string) => containerInstance({ cluster, id: uniqueName('agent'), time, containerInstanceArn: arn, agentConnected: false, ec2InstanceId });
    const first = await run(d, [event(now())]);
    expect(first[0]!.timers).toMatchObject([{ body: { type: 'remediate-agent-check', containerInstanceArn: arn } }]);
    expect(first[0]!.actions).toEqual([]);
    expect(await world.instanceStatus(arn)).toBe('ACTIVE');
    await sleep(1100);
    await receiveNotifications(stack, 0);
    const [second] = await run(d, [event(now())]);
    expect(second!.actions).toMatchObject([{ type: 'drain-instance', outcome: 'acted', containerInstance: arn, from: 'ACTIVE', to: 'DRAINING' }]);
    expect(await world.instanceStatus(arn)).toBe('DRAINING');
    const action = second!.actions[0]!;
    // The agent record's event ids: the disconnect that started the clock and the one that found it still down.
    expect(action.eventIds).toEqual([first[0]!.id, second!.id]);
    const { audit } = await expectRecorded(d, action, await receiveNotifications(stack), `set the instance back to ACTIVE (ecs-autopilot undo ${action.auditId})`);
    expect(audit.detail).toMatchObject({ undo: { kind: 'set-instance-status', containerInstance: arn, status: 'ACTIVE', expect: { status: 'DRAINING' } } });
  });

  it('with replace, also terminates the instance in its Auto Scaling group, which starts a replacement', async () => {
    const { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DescribeAutoScalingGroupsCommand } = await import('@aws-sdk/client-auto-scaling');
    const autoscaling = new AutoScalingClient(clientOptions(stack.endpoint));
    const group = uniqueName('ecs-hosts');
    await autoscaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: group, ImageId: 'ami-12c6146b', InstanceType: 't3.small' }));
    await autoscaling.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: group, LaunchConfigurationName: group, MinSize: 1, MaxSize: 2, DesiredCapacity: 1, AvailabilityZones: ['us-east-1a'] }));
    const instancesOf = async () => (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))).AutoScalingGroups![0]!.Instances!.map((i) => i.InstanceId!);
    const [ec2InstanceId] = await instancesOf();
    const { arn } = await world.registerContainerInstance(ec2InstanceId);
    const d = deps(playbooksOn({ disconnectedAgent: { enabled: true, after: 1, replace: true } }));
    d.ecs = agentDown(d.ecs!);
    const event = (time: string) => containerInstance({ cluster, id: uniqueName('agent'), time, containerInstanceArn: arn, agentConnected: false, ec2InstanceId: ec2InstanceId! });
    await run(d, [event(now())]);
    await sleep(1100);
    await receiveNotifications(stack, 0);
    const [drained] = await run(d, [event(now())]);
    expect(drained!.actions).toMatchObject([{ type: 'drain-instance', outcome: 'acted', replaceInstance: true }]);
    expect(drained!.actions[0]!.detail).toContain(`${ec2InstanceId} terminated in ${group}`);
    expect(await world.instanceStatus(arn)).toBe('DRAINING');
    const after = await instancesOf();
    expect(after).not.toContain(ec2InstanceId);
    expect(after).toHaveLength(1);
    const { audit } = await expectRecorded(d, drained!.actions[0]!, await receiveNotifications(stack), 'the instance is replaced by its Auto Scaling group; nothing to undo');
    expect(audit.detail).toMatchObject({ undo: { kind: 'none', why: 'the instance was replaced by its Auto Scaling group' } });
  });
});

describe('unhealthy targets', () => {
  it('restarts the service behind a target group alarm once per cooldown', async () => {
    const td = await world.registerRevision('shop');
    await world.createService('shop', td);
    const alarmName = uniqueName('shop-unhealthy');
    await new CloudWatchClient(clientOptions(stack.endpoint)).send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'UnHealthyHostCount',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [
          { Key: 'ecs-autopilot:cluster', Value: cluster },
          { Key: 'ecs-autopilot:service', Value: 'shop' },
        ],
      }),
    );
    const d = deps(playbooksOn({ unhealthyTargets: { enabled: true } }));
    const alarm = () => targetGroupAlarm({ cluster, id: uniqueName('alarm'), time: now(), alarmName });
    const before = (await world.service('shop')).deployments![0]!;
    await receiveNotifications(stack, 0);
    const [first] = await run(d, [alarm()]);
    expect(first!.actions).toMatchObject([{ type: 'restart', outcome: 'acted', service: `${cluster}/shop` }]);
    // What moto leaves of UpdateService(forceNewDeployment): the primary deployment gets a new id
    // and a new createdAt (it starts no tasks, and keeps one deployment); the task definition stays.
    const restarted = await world.service('shop');
    expect(restarted.deployments).toHaveLength(1);
    expect(restarted.deployments![0]!.id).not.toBe(before.id);
    expect(restarted.deployments![0]!.createdAt!.getTime()).toBeGreaterThan(before.createdAt!.getTime());
    expect(restarted.taskDefinition).toBe(td);
    const restart = first!.actions[0]!;
    expect(restart.detail).toBe('updated the service: a new deployment started');
    const { audit } = await expectRecorded(d, restart, await receiveNotifications(stack), 'nothing to undo: a new deployment of the same task definition replaced the tasks');
    expect(audit.detail).toMatchObject({ before: { taskDefinition: td }, undo: { kind: 'none' } });

    // The alarm fires again after the restart (so the event is not stale) but within the cooldown:
    // the cooldown stops it, and the announcement says so.
    await sleep(1100);
    const [second] = await run(d, [alarm()]);
    expect(second!.actions).toMatchObject([{ type: 'restart', outcome: 'blocked-cooldown' }]);
    expect((await world.service('shop')).deployments![0]!.id).toBe(restarted.deployments![0]!.id);
    const blocked = second!.actions[0]!;
    const { announcement } = await expectRecorded(d, blocked, await receiveNotifications(stack), 'Nothing was changed, so there is nothing to undo.');
    expect(announcement.body.title).toBe(`ecs-autopilot restart of ${cluster}/shop: blocked by the cooldown`);
    expect(announcement.body.severity).toBe('info');
    expect(blocked.detail).toMatch(new RegExp(`a remediation acted on ${cluster}/shop within the cooldown \\(unhealthy-targets: 30 min`));
  });
});

describe('capacity fallback', () => {
  it('moves a Spot service to the fallback strategy after repeated interruptions, and back once it is quiet', async () => {
    const td = await world.registerRevision('batch');
    const spotStrategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }];
    const fargate = [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }];
    await world.createService('batch', td, { capacityProviderStrategy: spotStrategy });
    const d = deps(playbooksOn({ capacityFallback: { enabled: true, interruptions: 2, restoreAfter: 1 } }));
    // moto 5.2 does not return a service's strategy (see rememberingCapacity): the strategy is read
    // back from what was sent; the new deployment each move forces is read from moto itself.
    const { ecs, state } = rememberingCapacity(d.ecs!, spotStrategy);
    d.ecs = ecs;
    const deploymentId = async () => (await world.service('batch')).deployments![0]!.id;
    const initial = await deploymentId();
    const spot = () => taskStopped('spot', { cluster, service: 'batch', id: uniqueName('spot'), time: now(), taskId: uniqueName('t'), taskDefinitionArn: td, capacityProvider: 'FARGATE_SPOT' });
    await receiveNotifications(stack, 0);
    const outcomes = await run(d, [spot(), spot()]);
    expect(outcomes[0]!.actions).toEqual([]);
    expect(outcomes[1]!.actions).toMatchObject([{ type: 'capacity-fallback', outcome: 'acted', from: spotStrategy, to: fargate }]);
    expect(state.sent).toEqual([{ capacityProviderStrategy: fargate, forceNewDeployment: true }]);
    expect(state.strategy).toEqual(fargate);
    const fellBack = await deploymentId();
    expect(fellBack).not.toBe(initial);
    const fallback = outcomes[1]!.actions[0]!;
    const { audit } = await expectRecorded(d, fallback, await receiveNotifications(stack), `set the strategy back to FARGATE_SPOT(weight 1) (ecs-autopilot undo ${fallback.auditId}); ecs-autopilot does so itself after 0 min without capacity failures`);
    expect(audit.detail).toMatchObject({ before: { capacityProviderStrategy: spotStrategy }, undo: { kind: 'update-service', change: { capacityProviderStrategy: spotStrategy, forceNewDeployment: true }, expect: { capacityProviderStrategy: fargate } } });
    const timer = outcomes[1]!.timers[0]!;
    expect(timer.body).toMatchObject({ type: 'remediate-capacity-check', service: 'batch' });

    // The timer fires (here: delivered as SQS delivers it) after the original capacity was quiet
    // long enough, within the fallback's cooldown: moving back is not held by it.
    await sleep(1100);
    const record = { eventSource: 'aws:sqs', messageId: uniqueName('timer'), eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${cluster}-remediate-timers`, body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: now(), timer: timer.body }) };
    const [restored] = await run(d, [record]);
    expect(restored!.actions).toMatchObject([{ type: 'capacity-restore', outcome: 'acted', from: fargate, to: spotStrategy }]);
    expect(state.strategy).toEqual(spotStrategy);
    expect(state.sent.at(-1)).toEqual({ capacityProviderStrategy: spotStrategy, forceNewDeployment: true });
    expect(await deploymentId()).not.toBe(fellBack);
    const restore = restored!.actions[0]!;
    const recorded = await expectRecorded(d, restore, await receiveNotifications(stack), `set the strategy to FARGATE(weight 1) again (ecs-autopilot undo ${restore.auditId})`);
    expect(recorded.audit.detail).toMatchObject({ undo: { kind: 'update-service', change: { capacityProviderStrategy: fargate }, expect: { capacityProviderStrategy: spotStrategy } } });
  });
});

describe('OOM right-sizing', () => {
  it('registers a revision with more memory and deploys it', async () => {
    const td = await world.registerRevision('cache', 512);
    await world.createService('cache', td);
    const d = deps(playbooksOn({ oomResize: { enabled: true, kills: 2, factor: 1.5, maxMemoryMiB: 2048 } }));
    const oom = () => taskStopped('oom', { cluster, service: 'cache', id: uniqueName('oom'), time: now(), taskId: uniqueName('t'), taskDefinitionArn: td });
    await receiveNotifications(stack, 0);
    const outcomes = await run(d, [oom(), oom()]);
    const actions = outcomes.flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'resize-memory', outcome: 'acted', from: td, memory: { container: 'app', fromMiB: 512, toMiB: 768 } }]);
    const service = await world.service('cache');
    expect(service.taskDefinition).not.toBe(td);
    const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    const { taskDefinition, tags } = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition, include: ['TAGS'] }));
    expect(taskDefinition!.containerDefinitions![0]!.memory).toBe(768);
    expect(taskDefinition!.family).toBe(`${cluster}-cache`);
    expect(tags).toContainEqual({ key: 'ecs-autopilot:resized-from', value: td.split('/').pop() });
    const resize = actions[0]!;
    const registered = service.taskDefinition!.split('/').pop();
    expect(resize.detail).toBe(`registered ${registered} (app memory 512 -> 768 MiB); updated the service: task definition set to ${registered}`);
    const { audit } = await expectRecorded(d, resize, await receiveNotifications(stack), `update the service back to ${td.split('/').pop()} (ecs-autopilot undo ${resize.auditId})`);
    expect(audit.detail).toMatchObject({ memory: { fromMiB: 512, toMiB: 768 }, before: { taskDefinition: td }, undo: { kind: 'update-service', change: { taskDefinition: td }, expect: { taskDefinition: service.taskDefinition } } });
  });
});

describe('safety', () => {
  it('acts once for a redelivered event, and once for the same event delivered concurrently', async () => {
    const td = await world.registerRevision('dup');
    await world.createService('dup', td, { desiredCount: 3 });
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0, failures: 2 } }));
    const [a, b] = crash('dup', td, 2);
    await run(d, [a]);
    const concurrent = await Promise.allSettled([remediateEvent(b, d), remediateEvent(b, d)]);
    const acted = concurrent.flatMap((r) => (r.status === 'fulfilled' ? r.value.actions.filter((x) => x.outcome === 'acted') : []));
    expect(acted).toHaveLength(1);
    const again = await remediateEvent(b, d);
    expect(again.outcome).toBe('ignored');
    const audits = (await d.store.listAudit(100)).filter((r) => r.target === `${cluster}/dup` && r.detail?.outcome === 'acted');
    expect(audits).toHaveLength(1);
  });

  it('a retry after the write does not write again: it finishes the record the failed attempt could not', async () => {
    // The first attempt makes the change, then loses its 'acted' audit record and fails, as an
    // invocation does whose DynamoDB call times out. The retry must neither restart the service a
    // second time nor call the restart blocked (the service looks moved on: by our own deployment).
    const td = await world.registerRevision('retried');
    await world.createService('retried', td, { desiredCount: 3 });
    await world.createService('retried-web', td, { desiredCount: 2 });
    const alarmName = uniqueName('retried-unhealthy');
    await new CloudWatchClient(clientOptions(stack.endpoint)).send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName, Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
        Tags: [{ Key: 'ecs-autopilot:cluster', Value: cluster }, { Key: 'ecs-autopilot:service', Value: 'retried-web' }],
      }),
    );
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0, failures: 2 }, unhealthyTargets: { enabled: true } }));
    const writes: string[] = [];
    const ecs = d.ecs!;
    d.ecs = { ...ecs, updateService: async (c, s, change) => { writes.push(JSON.stringify(change)); return ecs.updateService(c, s, change); } };
    const store = d.store;
    let lose = 0;
    d.store = Object.assign(Object.create(store) as typeof store, {
      appendAudit: async (record: Parameters<typeof store.appendAudit>[0], ttl: number) => {
        if (lose > 0 && record.detail?.outcome === 'acted') {
          lose -= 1;
          throw new Error('the audit write timed out');
        }
        return store.appendAudit(record, ttl);
      },
    });

    const cases = [
      { service: 'retried-web', events: [targetGroupAlarm({ cluster, id: uniqueName('alarm'), time: now(), alarmName })], change: { forceNewDeployment: true } },
    ];
    for (const { service, events, change } of cases) {
      await receiveNotifications(stack, 0);
      writes.length = 0;
      const last = events[events.length - 1]!;
      for (const event of events.slice(0, -1)) await remediateEvent(event, d);
      lose = 1;
      await expect(remediateEvent(last, d)).rejects.toThrow('the audit write timed out');
      // Lambda retries the event: the change is in place, so it is recorded and announced, not made again.
      const retry = await remediateEvent(last, d);
      expect(writes).toEqual([JSON.stringify(change)]);
      const [action] = retry.actions;
      expect(action).toMatchObject({ outcome: 'acted', service: `${cluster}/${service}` });
      expect(action!.detail).toContain('made by an earlier attempt of this event');
      // The trail: the failed attempt's intent, and one outcome.
      const trail = (await d.store.listAudit(500)).filter((r) => r.target === `${cluster}/${service}`);
      expect(trail.map((r) => r.detail?.outcome).sort()).toEqual(['acted', 'acting']);
      const announced = (await receiveNotifications(stack)).filter((n) => (n.body.remediation as { auditId?: string } | undefined)?.auditId === action!.auditId);
      expect(announced).toHaveLength(1);
      expect((await remediateEvent(last, d)).outcome).toBe('ignored');
    }

    // A pause the retry finds in place is not planned again (the service is at its floor): the
    // failed attempt's intent is finished all the same, with its undo, and nothing is written again.
    writes.length = 0;
    await receiveNotifications(stack, 0);
    const [first, second] = crash('retried', td, 2);
    await remediateEvent(first!, d);
    lose = 1;
    await expect(remediateEvent(second!, d)).rejects.toThrow('the audit write timed out');
    const retry = await remediateEvent(second!, d);
    expect(retry.notes.join(' ')).toContain('already at or below the pause floor');
    expect(writes).toEqual([JSON.stringify({ desiredCount: 0 })]);
    const [pause] = retry.actions;
    expect(pause).toMatchObject({ type: 'pause', outcome: 'acted', service: `${cluster}/retried` });
    expect(pause!.detail).toContain('made by an earlier attempt of this event');
    const trail = (await d.store.listAudit(500)).filter((r) => r.target === `${cluster}/retried`);
    expect(trail.map((r) => r.detail?.outcome).sort()).toEqual(['acted', 'acting']);
    expect(trail.find((r) => r.detail?.outcome === 'acted')).toMatchObject({ detail: { undo: { kind: 'update-service', change: { desiredCount: 3 } } } });
    expect((await receiveNotifications(stack)).filter((n) => (n.body.remediation as { auditId?: string } | undefined)?.auditId === pause!.auditId)).toHaveLength(1);
    expect((await world.service('retried')).desiredCount).toBe(0);
  });

  it('a retry after the action was recorded and announced (the attempt failed later) records and announces nothing again', async () => {
    // The first attempt pauses, records `acted` and announces it, then fails to complete its claim
    // (a DynamoDB timeout): Lambda retries the event, at a later time.
    const td = await world.registerRevision('finished');
    await world.createService('finished', td, { desiredCount: 3 });
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0, failures: 2 } }));
    const store = d.store;
    let failCompletion = false;
    d.store = Object.assign(Object.create(store) as typeof store, {
      completeEvent: async (...args: Parameters<typeof store.completeEvent>) => {
        // The event's own claim (each announcement's post has a claim of its own).
        if (failCompletion && args[0].startsWith('remediate:')) {
          failCompletion = false;
          throw new Error('completing the claim timed out');
        }
        return store.completeEvent(...args);
      },
    });
    await receiveNotifications(stack, 0);
    const [first, second] = crash('finished', td, 2);
    let clock = Date.now();
    d.now = () => new Date(clock);
    await remediateEvent(first!, d);
    failCompletion = true;
    await expect(remediateEvent(second!, d)).rejects.toThrow('completing the claim timed out');
    clock += 5_000;
    const retry = await remediateEvent(second!, d);
    expect(retry.actions.map((a) => a.outcome)).toEqual(['acted']);
    expect(retry.actions[0]!.detail).toContain('recorded by an earlier attempt');
    const trail = (await d.store.listAudit(500)).filter((r) => r.target === `${cluster}/finished`);
    expect(trail.map((r) => r.detail?.outcome).sort()).toEqual(['acted', 'acting']);
    const announced = (await receiveNotifications(stack)).filter((n) => (n.body.remediation as { auditId?: string } | undefined)?.auditId === retry.actions[0]!.auditId);
    expect(announced).toHaveLength(1);
    expect((await world.service('finished')).desiredCount).toBe(0);
    expect((await remediateEvent(second!, d)).outcome).toBe('ignored');
  });

  it('an announcement that did not go out fails the invocation, and the retry announces it once (the change is not made again)', async () => {
    const td = await world.registerRevision('unannounced');
    await world.createService('unannounced', td, { desiredCount: 3 });
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0, failures: 2 } }));
    // The SNS publish fails once, after the SDK's own attempts (a throttled topic, say).
    const announce = d.announce!;
    let failures = 1;
    d.announce = (announcement) =>
      announce({
        ...announcement,
        once: (receiver, post) =>
          announcement.once!(receiver, async () => {
            if (failures-- > 0) throw new Error('SNS Publish: Throttling, 3 attempts');
            await post();
          }),
      });
    await receiveNotifications(stack, 0);
    const [first, second] = crash('unannounced', td, 2);
    await remediateEvent(first!, d);
    await expect(remediateEvent(second!, d)).rejects.toThrow(/did not reach .*Throttling/);
    expect((await world.service('unannounced')).desiredCount).toBe(0);
    const retry = await remediateEvent(second!, d);
    expect(retry.actions.map((a) => a.outcome)).toEqual(['acted']);
    const announced = (await receiveNotifications(stack)).filter((n) => (n.body.remediation as { auditId?: string } | undefined)?.auditId === retry.actions[0]!.auditId);
    expect(announced).toHaveLength(1);
    const trail = (await d.store.listAudit(500)).filter((r) => r.target === `${cluster}/unannounced`);
    expect(trail.map((r) => r.detail?.outcome).sort()).toEqual(['acted', 'acting']);
    expect((await remediateEvent(second!, d)).outcome).toBe('ignored');
  });

  it('holds the cooldown and the global budget under a burst of failing services', async () => {
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0, failures: 2, cooldown: '1h' } }, { maxActionsPerHour: 2 }));
    // A table of its own, so the hour's global budget is this burst's alone.
    const own = await createLocalStack(stack.endpoint, `${cluster}-burst`);
    d.store = storeOn(own.tableName);
    const services = ['b1', 'b2', 'b3', 'b4'];
    const tds: Record<string, string> = {};
    for (const s of services) {
      tds[s] = await world.registerRevision(s);
      await world.createService(s, tds[s]!);
    }
    const burst = services.flatMap((s) => crash(s, tds[s]!, 3));
    await receiveNotifications(stack, 0);
    const outcomes = await Promise.all(burst.map((e) => remediateEvent(e, d).catch((error: Error) => ({ actions: [], error }))));
    const acted = outcomes.flatMap((o) => o.actions.filter((a) => a.outcome === 'acted'));
    // Events that lost a race fail and are retried by Lambda: replay them as Lambda would.
    for (const [i, o] of outcomes.entries()) if ('error' in o) acted.push(...(await remediateEvent(burst[i], d)).actions.filter((a) => a.outcome === 'acted'));
    expect(acted).toHaveLength(2);
    const paused: string[] = [];
    for (const s of services) if ((await world.service(s)).desiredCount === 0) paused.push(s);
    expect(paused).toHaveLength(2);
    // No service is acted on twice, however many of its events raced.
    expect(new Set(acted.map((a) => a.service)).size).toBe(2);
    const blocked = (await d.store.listAudit(100)).filter((r) => r.detail?.outcome === 'blocked-budget');
    expect(blocked.length).toBeGreaterThan(0);
    // Each service the budget stopped hears so, once, and that nothing was changed.
    const stopped = (await receiveNotifications(stack)).filter((n) => n.attributes.outcome === 'blocked-budget');
    expect(stopped.map((n) => n.attributes.service).sort()).toEqual(services.filter((s) => !paused.includes(s)).sort());
    for (const announcement of stopped) {
      expect(announcement.body.title).toBe(`ecs-autopilot pause of ${cluster}/${announcement.attributes.service}: blocked by the hourly budget`);
      expect(announcement.body.hint).toBe('the global budget of 2 actions this hour is spent (remediate.maxActionsPerHour). To undo: Nothing was changed, so there is nothing to undo.');
      expect(blocked.map((r) => r.id)).toContain((announcement.body.remediation as { auditId: string }).auditId);
    }
  });

  it('stops every write while the kill switch is on, and in dry-run', async () => {
    const td = await world.registerRevision('guarded');
    await world.createService('guarded', td, { desiredCount: 2 });
    const ssm = new SSMClient(clientOptions(stack.endpoint));
    await ssm.send(new PutParameterCommand({ Name: killSwitch, Value: 'on', Type: 'String', Overwrite: true }));
    try {
      const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0 } }));
      const actions = (await run(d, crash('guarded', td))).flatMap((o) => o.actions);
      expect(actions.map((a) => a.outcome)).toEqual(['blocked-kill-switch']);
      expect((await world.service('guarded')).desiredCount).toBe(2);
    } finally {
      await ssm.send(new DeleteParameterCommand({ Name: killSwitch }));
    }
    const dry = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0 } }, { dryRun: true }));
    const planned = (await run(dry, crash('guarded', td))).flatMap((o) => o.actions);
    // The failures seen under the kill switch still count: the first crash plans, the next ones hit
    // dry-run's own cooldown. Nothing acts.
    expect(planned[0]!.outcome).toBe('dry-run');
    expect(planned.some((a) => a.outcome === 'acted')).toBe(false);
    expect((await world.service('guarded')).desiredCount).toBe(2);
  });

  it('never touches a service without opt-in, even with every playbook enabled', async () => {
    const td = await world.registerRevision('bystander');
    await world.createService('bystander', td, { desiredCount: 2, tags: { 'ecs-autopilot:remediate': 'off' } });
    const d = deps({ optIn: [`${cluster}/other`], playbooks: { crashLoop: { enabled: true, pauseTo: 0 }, oomResize: { enabled: true, kills: 1 } } });
    const outcomes = await run(d, crash('bystander', td, 4));
    expect(outcomes.every((o) => o.outcome === 'ignored' && o.actions.length === 0)).toBe(true);
    expect((await world.service('bystander')).desiredCount).toBe(2);
    expect(await d.store.getRecord(`remediate#service#${cluster}/bystander`, new Date())).toBeUndefined();
  });

  it('opts a service in by its tag alone', async () => {
    const td = await world.registerRevision('tagged');
    await world.createService('tagged', td, { desiredCount: 2, tags: { 'ecs-autopilot:remediate': 'crash-loop' } });
    const d = deps({ playbooks: { crashLoop: { enabled: true, pauseTo: 0 } } });
    const actions = (await run(d, crash('tagged', td))).flatMap((o) => o.actions);
    expect(actions).toMatchObject([{ type: 'pause', outcome: 'acted' }]);
    expect((await world.service('tagged')).desiredCount).toBe(0);
  });

  it('does not act on a stale event: the service was changed by someone after the failures began', async () => {
    const td = await world.registerRevision('moved');
    await world.createService('moved', td, { desiredCount: 2 });
    const d = deps(playbooksOn({ crashLoop: { enabled: true, pauseTo: 0 } }));
    const events = crash('moved', td);
    await run(d, events.slice(0, 2));
    const fixed = await world.registerRevision('moved', 256, 'nginx:fixed');
    await world.deploy('moved', fixed);
    const [last] = await run(d, events.slice(2));
    expect(last!.actions).toEqual([]);
    expect((await world.service('moved')).desiredCount).toBe(2);
  });
});
