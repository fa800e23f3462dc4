// The alarm → ECS service resolver against the emulator's ECS and CloudWatch: real alarm ARNs and tags,
// real service descriptions with load balancers. The emulator is shared with other test files, so the
// target-group scan sees their clusters too; every name here is unique.
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, type Tag } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, type LoadBalancer, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { EMULATOR_ACCOUNT } from '../../scripts/lib/emulator.js';
import { createAlarmServiceResolver } from '../../shared/adapters/alarm-service-resolver.js';
import { uniqueName } from '../support/lambda.js';
import { countCalls } from '../support/count-calls.js';

const now = new Date('2026-11-20T10:00:00Z');
const clusterA = uniqueName('alarm-resolver-a');
const clusterB = uniqueName('alarm-resolver-b');
const webTargetGroup = `targetgroup/${uniqueName('web-tg')}/1234567890abcdef`;
const sharedTargetGroup = `targetgroup/${uniqueName('shared-tg')}/fedcba0987654321`;
const targetGroupArn = (resource: string) => `arn:aws:elasticloadbalancing:us-east-1:${EMULATOR_ACCOUNT}:${resource}`;

let ecs: ECSClient;
let cloudwatch: CloudWatchClient;


const newEcs = () => new ECSClient(clientOptions(inject('awsEndpoint')));
const newCloudWatch = () => new CloudWatchClient(clientOptions(inject('awsEndpoint')));

/** An alarm on a metric of no ECS namespace, optionally tagged; returns its name and ARN as the event would carry them. */
async function createAlarm(prefix: string, tags: Tag[] = []): Promise<{ alarmName: string; alarmArn: string }> {
  const alarmName = uniqueName(prefix);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      Namespace: 'MyApp',
      MetricName: 'QueueDepth',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold',
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return { alarmName, alarmArn: MetricAlarms[0]!.AlarmArn! };
}

async function createService(cluster: string, taskDefinition: string, serviceName: string, loadBalancers: LoadBalancer[] = []): Promise<void> {
  await ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition, desiredCount: 1, launchType: 'EC2', loadBalancers }));
}

beforeAll(async () => {
  ecs = newEcs();
  cloudwatch = newCloudWatch();
  await ecs.send(new CreateClusterCommand({ clusterName: clusterA }));
  await ecs.send(new CreateClusterCommand({ clusterName: clusterB }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: uniqueName('alarm-resolver'),
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 128, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  const arn = taskDefinition!.taskDefinitionArn!;
  const lb = (resource: string): LoadBalancer => ({ targetGroupArn: targetGroupArn(resource), containerName: 'web', containerPort: 80 });
  // Cluster A: web behind its own target group, worker behind none. Both clusters have a service behind the shared one.
  await createService(clusterA, arn, 'web', [lb(webTargetGroup)]);
  await createService(clusterA, arn, 'worker');
  await createService(clusterA, arn, 'api', [lb(sharedTargetGroup)]);
  await createService(clusterB, arn, 'api', [lb(sharedTargetGroup)]);
});

describe('alarm service resolver against the emulator', () => {
  it('takes ClusterName and ServiceName dimensions as they are, without any call', async () => {
    const ecsClient = newEcs();
    const cloudwatchClient = newCloudWatch();
    const ecsCalls = countCalls(ecsClient);
    const cloudwatchCalls = countCalls(cloudwatchClient);
    const resolver = createAlarmServiceResolver({ ecs: ecsClient, cloudwatch: cloudwatchClient }, { cacheSeconds: 300 });
    const resolved = await resolver.resolve(
      { alarmName: 'prod-web-cpu', alarmArn: `arn:aws:cloudwatch:us-east-1:${EMULATOR_ACCOUNT}:alarm:prod-web-cpu`, dimensions: { ClusterName: clusterA, ServiceName: 'web' } },
      now,
    );
    expect(resolved).toEqual({ cluster: clusterA, service: 'web', via: 'dimensions' });
    expect(ecsCalls.count).toBe(0);
    expect(cloudwatchCalls.count).toBe(0);
  });

  it("reads the alarm's ecs-autopilot:cluster and ecs-autopilot:service tags, once per alarm within cacheSeconds", async () => {
    const alarm = await createAlarm('queue-depth', [
      { Key: 'ecs-autopilot:cluster', Value: clusterA },
      { Key: 'ecs-autopilot:service', Value: 'worker' },
      { Key: 'team', Value: 'payments' },
    ]);
    const cloudwatchClient = newCloudWatch();
    const calls = countCalls(cloudwatchClient);
    const resolver = createAlarmServiceResolver({ ecs, cloudwatch: cloudwatchClient }, { cacheSeconds: 60 });

    expect(await resolver.resolve({ ...alarm, dimensions: { QueueName: 'jobs' } }, now)).toEqual({ cluster: clusterA, service: 'worker', via: 'alarm-tags' });
    expect(await resolver.resolve({ ...alarm, dimensions: { QueueName: 'jobs' } }, new Date(now.getTime() + 59_000))).toEqual({
      cluster: clusterA,
      service: 'worker',
      via: 'alarm-tags',
    });
    expect(calls.count).toBe(1);
    await resolver.resolve({ ...alarm, dimensions: {} }, new Date(now.getTime() + 61_000));
    expect(calls.count).toBe(2);
  });

  it('finds the service behind a TargetGroup dimension by scanning clusters and their services', async () => {
    const alarm = await createAlarm('web-5xx');
    const resolver = createAlarmServiceResolver({ ecs, cloudwatch }, { cacheSeconds: 300 });
    const resolved = await resolver.resolve({ ...alarm, dimensions: { TargetGroup: webTargetGroup, LoadBalancer: 'app/prod-alb/0123456789abcdef' } }, now);
    expect(resolved).toEqual({ cluster: clusterA, service: 'web', via: 'target-group' });
  });

  it('scans once for an alarm storm: later alarms on target groups are answered from the cached map until cacheSeconds pass', async () => {
    const first = await createAlarm('web-5xx');
    const second = await createAlarm('web-latency');
    const ecsClient = newEcs();
    const ecsCalls = countCalls(ecsClient);
    const resolver = createAlarmServiceResolver({ ecs: ecsClient, cloudwatch }, { cacheSeconds: 60 });

    // Concurrent alarms share the one scan in flight.
    const [a, b] = await Promise.all([
      resolver.resolve({ ...first, dimensions: { TargetGroup: webTargetGroup } }, now),
      resolver.resolve({ ...first, dimensions: { TargetGroup: webTargetGroup } }, now),
    ]);
    expect(a).toEqual({ cluster: clusterA, service: 'web', via: 'target-group' });
    expect(b).toEqual(a);
    const afterScan = ecsCalls.count;
    // ListClusters, a ListServices per cluster, DescribeServices per batch: at least our two clusters.
    expect(afterScan).toBeGreaterThanOrEqual(5);

    expect(await resolver.resolve({ ...second, dimensions: { TargetGroup: webTargetGroup } }, new Date(now.getTime() + 30_000))).toEqual({
      cluster: clusterA,
      service: 'web',
      via: 'target-group',
    });
    expect(ecsCalls.count).toBe(afterScan);

    await resolver.resolve({ ...second, dimensions: { TargetGroup: webTargetGroup } }, new Date(now.getTime() + 61_000));
    expect(ecsCalls.count).toBeGreaterThan(afterScan);
  });

  it('says what it tried when nothing names a service', async () => {
    const alarm = await createAlarm('queue-depth');
    const resolver = createAlarmServiceResolver({ ecs, cloudwatch }, { cacheSeconds: 300 });
    expect(await resolver.resolve({ ...alarm, dimensions: { QueueName: 'jobs' } }, now)).toEqual({
      unresolved: `alarm ${alarm.alarmName} has no ClusterName/ServiceName dimensions, no ecs-autopilot:cluster/service tags, and no TargetGroup dimension; tag the alarm with ecs-autopilot:cluster and ecs-autopilot:service to name its service`,
    });
  });

  it('does not take a LoadBalancer dimension alone for a service, and scans nothing for it', async () => {
    const alarm = await createAlarm('alb-5xx');
    const ecsClient = newEcs();
    const ecsCalls = countCalls(ecsClient);
    const resolver = createAlarmServiceResolver({ ecs: ecsClient, cloudwatch }, { cacheSeconds: 300 });
    const resolved = await resolver.resolve({ ...alarm, dimensions: { LoadBalancer: 'app/prod-alb/0123456789abcdef' } }, now);
    expect(resolved).toEqual({
      unresolved: `alarm ${alarm.alarmName} has no ClusterName/ServiceName dimensions, no ecs-autopilot:cluster/service tags, and a LoadBalancer dimension (app/prod-alb/0123456789abcdef) but no TargetGroup dimension; a load balancer alone does not identify a service, since it can route to several; tag the alarm with ecs-autopilot:cluster and ecs-autopilot:service to name its service`,
    });
    expect(ecsCalls.count).toBe(0);
  });

  it('names a target group no service uses, and the services when several share one', async () => {
    const alarm = await createAlarm('tg-health');
    const resolver = createAlarmServiceResolver({ ecs, cloudwatch }, { cacheSeconds: 300 });
    const unused = `targetgroup/${uniqueName('nobody')}/00000000deadbeef`;
    const none = await resolver.resolve({ ...alarm, dimensions: { TargetGroup: unused } }, now);
    expect(none).toEqual({ unresolved: expect.stringMatching(new RegExp(`a TargetGroup dimension \\(${unused}\\) that none of the \\d+ ECS services in \\d+ clusters uses; tag the alarm`)) });

    const shared = await resolver.resolve({ ...alarm, dimensions: { TargetGroup: sharedTargetGroup } }, now);
    expect('unresolved' in shared && shared.unresolved).toContain(`a TargetGroup dimension (${sharedTargetGroup}) that several ECS services use (`);
    expect('unresolved' in shared && shared.unresolved).toContain(`${clusterA}/api`);
    expect('unresolved' in shared && shared.unresolved).toContain(`${clusterB}/api`);
  });

  it('answers unresolved, without throwing, when ECS or CloudWatch cannot be reached', async () => {
    const alarm = await createAlarm('web-5xx');
    const closed = { ...clientOptions('http://127.0.0.1:9'), maxAttempts: 1 };
    const unreachableEcs = new ECSClient(closed);
    const resolver = createAlarmServiceResolver({ ecs: unreachableEcs, cloudwatch }, { cacheSeconds: 300 });
    const resolved = await resolver.resolve({ ...alarm, dimensions: { TargetGroup: webTargetGroup } }, now);
    expect(resolved).toEqual({
      unresolved: expect.stringContaining(`a TargetGroup dimension (${webTargetGroup}) that could not be matched to an ECS service because listing the services failed (`),
    });

    const unreachableBoth = createAlarmServiceResolver({ ecs: unreachableEcs, cloudwatch: new CloudWatchClient(closed) }, { cacheSeconds: 300 });
    const both = await unreachableBoth.resolve({ ...alarm, dimensions: { TargetGroup: webTargetGroup } }, now);
    expect('unresolved' in both && both.unresolved).toMatch(/^alarm \S+ has no ClusterName\/ServiceName dimensions, tags that could not be read \(.+\), and a TargetGroup dimension/);
  });
});
