// The pure part of the alarm → service resolver, and the scan's paging and batching, which the
// emulator cannot show (it neither pages ListClusters/ListServices nor limits DescribeServices to 10).
import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alarmServiceResolverGrants, createAlarmServiceResolver, serviceFromDimensions } from '../../shared/adapters/alarm-service-resolver.js';

describe('serviceFromDimensions', () => {
  it('names the service of AWS/ECS and ECS/ContainerInsights service metrics', () => {
    expect(serviceFromDimensions({ ClusterName: 'prod', ServiceName: 'web' })).toEqual({ cluster: 'prod', service: 'web' });
    // Container Insights adds TaskDefinitionFamily and others; they do not matter.
    expect(serviceFromDimensions({ ClusterName: 'prod', ServiceName: 'web', TaskDefinitionFamily: 'web' })).toEqual({ cluster: 'prod', service: 'web' });
  });

  it('needs both dimensions, non-empty', () => {
    expect(serviceFromDimensions({})).toBeUndefined();
    expect(serviceFromDimensions({ ClusterName: 'prod' })).toBeUndefined();
    expect(serviceFromDimensions({ ServiceName: 'web' })).toBeUndefined();
    expect(serviceFromDimensions({ ClusterName: 'prod', ServiceName: ' ' })).toBeUndefined();
    expect(serviceFromDimensions({ TargetGroup: 'targetgroup/web/1234567890abcdef', LoadBalancer: 'app/alb/0123456789abcdef' })).toBeUndefined();
  });

  it('is case-sensitive, as CloudWatch dimension names are', () => {
    expect(serviceFromDimensions({ clustername: 'prod', servicename: 'web' })).toBeUndefined();
  });
});

describe('alarm service resolver scan', () => {
  const ecs = mockClient(ECSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const now = new Date('2026-11-20T10:00:00Z');
  const alarm = { alarmName: 'web-5xx', alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx' };
  beforeEach(() => {
    ecs.reset();
    cloudwatch.reset();
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  });

  it('follows ListClusters and ListServices pages and describes services 10 at a time', async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/a'], nextToken: 'c2' });
    ecs.on(ListClustersCommand, { nextToken: 'c2' }).resolves({ clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/b'] });
    const arns = (cluster: string, from: number, count: number) =>
      Array.from({ length: count }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/svc-${from + i}`);
    ecs.on(ListServicesCommand).resolves({ serviceArns: [] });
    ecs.on(ListServicesCommand, { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/b' }).resolves({ serviceArns: arns('b', 0, 20), nextToken: 's2' });
    ecs.on(ListServicesCommand, { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/b', nextToken: 's2' }).resolves({ serviceArns: arns('b', 20, 3) });
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((arn) => {
        const name = arn.split('/').pop()!;
        return {
          serviceName: name,
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/b',
          loadBalancers: name === 'svc-22' ? [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1234567890abcdef' }] : [],
        };
      }),
    }));

    const resolver = createAlarmServiceResolver({ ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) }, { cacheSeconds: 300 });
    expect(await resolver.resolve({ ...alarm, dimensions: { TargetGroup: 'targetgroup/web/1234567890abcdef' } }, now)).toEqual({
      cluster: 'b',
      service: 'svc-22',
      via: 'target-group',
    });
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(2);
    expect(ecs.commandCalls(ListServicesCommand)).toHaveLength(3);
    const batches = ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services!.length);
    expect(batches.sort((x, y) => y - x)).toEqual([10, 10, 3]);
  });

  it('matches the whole target group resource, not a name that merely ends the same', async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/prod'] });
    ecs.on(ListServicesCommand).resolves({ serviceArns: ['arn:aws:ecs:us-east-1:123456789012:service/prod/admin'] });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'admin',
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
          loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin-web/1234567890abcdef' }],
        },
      ],
    });
    const resolver = createAlarmServiceResolver({ ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) }, { cacheSeconds: 300 });
    const resolved = await resolver.resolve({ ...alarm, dimensions: { TargetGroup: 'targetgroup/web/1234567890abcdef' } }, now);
    expect(resolved).toEqual({ unresolved: expect.stringContaining('that none of the 1 ECS services in 1 clusters uses') });
  });

  it('remembers a failed scan briefly, so an alarm storm during an ECS outage does not rescan for every alarm', async () => {
    ecs.on(ListClustersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const resolver = createAlarmServiceResolver({ ecs: new ECSClient({ maxAttempts: 1 }), cloudwatch: new CloudWatchClient({}) }, { cacheSeconds: 300 });
    const dimensions = { TargetGroup: 'targetgroup/web/1234567890abcdef' };
    const first = await resolver.resolve({ ...alarm, dimensions }, now);
    expect(first).toEqual({ unresolved: expect.stringContaining('listing the services failed (ThrottlingException: Rate exceeded)') });
    await resolver.resolve({ ...alarm, dimensions }, new Date(now.getTime() + 29_000));
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(1);
    await resolver.resolve({ ...alarm, dimensions }, new Date(now.getTime() + 31_000));
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(2);
  });

  it('declares its IAM grants on alarms, on "*" only for the two list actions that have no resource type, and on services', () => {
    expect(alarmServiceResolverGrants.map(({ actions, resource }) => ({ actions, resource }))).toEqual([
      { actions: ['cloudwatch:ListTagsForResource'], resource: 'cloudwatch-alarms' },
      { actions: ['ecs:ListClusters', 'ecs:ListServices'], resource: 'any-resource' },
      { actions: ['ecs:DescribeServices'], resource: 'ecs-services' },
    ]);
  });
});
