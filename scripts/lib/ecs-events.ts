// Real-shaped ECS and CloudWatch events for scripted scenarios (tests, demo, replay fixtures): a
// fixture from test/fixtures/events, moved to a cluster, service, time and revision.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './emulator.js';

type Json = Record<string, unknown>;
type Event = Json & { id: string; time: string; detail: Json; resources: string[] };

export interface Placement {
  id: string;
  time: string;
  cluster: string;
  service?: string;
  account?: string;
  region?: string;
}

const fixture = (name: string) => JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'events', `${name}.json`), 'utf8')) as Event;

function placed(name: string, at: Placement): Event {
  const e = fixture(name);
  const account = at.account ?? '123456789012';
  const region = at.region ?? 'us-east-1';
  Object.assign(e, { id: at.id, time: at.time, account, region });
  const arn = (kind: string, rest: string) => `arn:aws:ecs:${region}:${account}:${kind}/${rest}`;
  if (typeof e.detail.clusterArn === 'string') e.detail.clusterArn = arn('cluster', at.cluster);
  if (at.service && String(e.resources[0] ?? '').includes(':service/')) e.resources = [arn('service', `${at.cluster}/${at.service}`)];
  if (at.service && typeof e.detail.group === 'string') e.detail.group = `service:${at.service}`;
  return e;
}

export interface TaskOptions extends Placement {
  taskId: string;
  taskDefinitionArn: string;
  capacityProvider?: string;
}

function task(name: string, options: TaskOptions): Event {
  const e = placed(name, options);
  const taskArn = `arn:aws:ecs:${e.region}:${e.account}:task/${options.cluster}/${options.taskId}`;
  e.resources = [taskArn];
  Object.assign(e.detail, { taskArn, taskDefinitionArn: options.taskDefinitionArn, stoppedAt: options.time, ...(options.capacityProvider ? { capacityProviderName: options.capacityProvider } : {}) });
  for (const container of (e.detail.containers as Json[] | undefined) ?? []) container.taskArn = taskArn;
  return e;
}

export const taskRunning = (o: TaskOptions) => task('task-running', o);
/** Kinds: app-exit (exit code 1), oom (OutOfMemoryError), spot (Spot interruption). */
export const taskStopped = (kind: 'app-exit' | 'oom' | 'spot', o: TaskOptions) => task({ 'app-exit': 'task-stopped-app-exit', oom: 'task-stopped-oom', spot: 'task-stopped-spot' }[kind], o);
export const steadyState = (o: Placement) => placed('service-action-steady-state', o);
export const placementFailure = (o: Placement & { reason?: string }) => {
  const e = placed('service-action-placement-failure', o);
  if (o.reason) e.detail.reason = o.reason;
  return e;
};
export const deployment = (state: 'in-progress' | 'completed' | 'failed', o: Placement) => placed(`deployment-${state}`, o);

export function containerInstance(o: Placement & { containerInstanceArn: string; agentConnected: boolean; ec2InstanceId?: string }): Event {
  const e = placed('container-instance-disconnected', o);
  e.resources = [o.containerInstanceArn];
  Object.assign(e.detail, { containerInstanceArn: o.containerInstanceArn, agentConnected: o.agentConnected, ...(o.ec2InstanceId ? { ec2InstanceId: o.ec2InstanceId } : {}) });
  return e;
}

/** An alarm going to ALARM on a target group metric (TargetGroup and LoadBalancer dimensions, as ALB metrics carry). */
export function targetGroupAlarm(o: Placement & { alarmName: string; metricName?: string }): Event {
  const e = placed('alarm-ecs-service-alarm', o);
  e.resources = [`arn:aws:cloudwatch:${e.region}:${e.account}:alarm:${o.alarmName}`];
  e.detail.alarmName = o.alarmName;
  e.detail.configuration = {
    metrics: [
      {
        id: 'm1',
        metricStat: {
          metric: { namespace: 'AWS/ApplicationELB', name: o.metricName ?? 'UnHealthyHostCount', dimensions: { TargetGroup: 'targetgroup/web/0123456789abcdef', LoadBalancer: 'app/web/fedcba9876543210' } },
          period: 60,
          stat: 'Maximum',
        },
        returnData: true,
      },
    ],
  };
  return e;
}
