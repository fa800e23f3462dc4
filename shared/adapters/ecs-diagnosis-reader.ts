// What `ecs-autopilot explain` and `status` read from ECS: a task as DescribeTasks has it, a task
// definition reduced to what a diagnosis compares, a service with its deployments and events, and
// the tasks it stopped recently (ListTasks desiredStatus STOPPED; ECS keeps them about an hour).
//
// A task definition's environment VALUES and secret references never leave this module: only the
// keys and secret names are kept, with a one-way fingerprint of each value so that a diff can say
// "changed" without saying from what.
import { createHash } from 'node:crypto';
import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { ServiceFacts, StoppedTaskFacts, TaskDefinitionFacts } from '../decide/diagnosis-facts.js';
import { clusterNameFromArn, lastArnSegment, taskDefinitionFromArn } from '../intake/arns.js';
import type { IamGrant } from './iam.js';

export const diagnosisReaderGrants: IamGrant[] = [
  { purpose: 'explain: read a task and the tasks a service stopped', actions: ['ecs:DescribeTasks', 'ecs:ListTasks'], resource: 'any-resource' },
  { purpose: 'explain: compare a task definition with its previous revision', actions: ['ecs:DescribeTaskDefinition'], resource: 'any-resource' },
  { purpose: 'explain, status: read services, their deployments and events', actions: ['ecs:DescribeServices'], resource: 'ecs-services' },
  { purpose: 'status: list the watched clusters and their services', actions: ['ecs:ListClusters', 'ecs:ListServices'], resource: 'any-resource' },
];

/** A task, cluster or service ECS does not know: the CLI says so in one line and exits 1. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

const fingerprint = (value: string | undefined) => createHash('sha256').update(value ?? '').digest('hex').slice(0, 16);

export function taskFacts(task: Task, region: string): StoppedTaskFacts {
  const taskArn = task.taskArn ?? '';
  const definition = taskDefinitionFromArn(task.taskDefinitionArn);
  const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  const date = (d: Date | undefined) => (d ? d.toISOString() : undefined);
  return {
    region,
    taskArn,
    taskId: lastArnSegment(taskArn),
    cluster: clusterNameFromArn(task.clusterArn) ?? '',
    ...(service ? { service } : {}),
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    ...(definition ? { family: definition.family, ...(definition.revision !== undefined ? { revision: definition.revision } : {}) } : {}),
    ...(task.launchType ? { launchType: task.launchType } : {}),
    ...(task.capacityProviderName ? { capacityProvider: task.capacityProviderName } : {}),
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(date(task.startedAt) ? { startedAt: date(task.startedAt) } : {}),
    ...(date(task.stoppedAt ?? task.stoppingAt) ? { stoppedAt: date(task.stoppedAt ?? task.stoppingAt) } : {}),
    ...(task.memory ? { memory: task.memory } : {}),
    containers: (task.containers ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.image ? { image: c.image } : {}),
      ...(c.exitCode !== undefined && c.exitCode !== null ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(c.memory ? { memory: c.memory } : {}),
    })),
  };
}

function containerFacts(c: ContainerDefinition): TaskDefinitionFacts['containers'][number] {
  return {
    name: c.name ?? '',
    ...(c.image ? { image: c.image } : {}),
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    environment: Object.fromEntries((c.environment ?? []).map((e) => [e.name ?? '', fingerprint(e.value)])),
    secrets: Object.fromEntries((c.secrets ?? []).map((s) => [s.name ?? '', fingerprint(s.valueFrom)])),
  };
}

export function createDiagnosisReader(ecs: ECSClient, region: string) {
  async function describeTasks(cluster: string, taskArns: string[]): Promise<StoppedTaskFacts[]> {
    const facts: StoppedTaskFacts[] = [];
    for (let i = 0; i < taskArns.length; i += 100) {
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(i, i + 100) }));
      facts.push(...tasks.map((t) => taskFacts(t, region)));
    }
    return facts;
  }

  return {
    async task(cluster: string, task: string): Promise<StoppedTaskFacts> {
      try {
        const { tasks = [], failures = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }));
        if (tasks[0]) return taskFacts(tasks[0], region);
        throw new NotFoundError(
          `task ${task} not found in cluster ${cluster}${failures[0]?.reason ? ` (${failures[0].reason})` : ''}: ECS keeps a stopped task for about an hour after it stops; for an older one, look up its notification or the service's failures (explain ${cluster}/SERVICE)`,
        );
      } catch (error) {
        if ((error as Error).name === 'ClusterNotFoundException') throw new NotFoundError(`cluster ${cluster} not found in ${region}`);
        throw error;
      }
    },

    /** A task definition by ARN or family:revision; undefined when ECS does not have it (deleted, or never registered). */
    async taskDefinition(reference: string): Promise<TaskDefinitionFacts | undefined> {
      try {
        const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }));
        if (!taskDefinition) return undefined;
        return {
          arn: taskDefinition.taskDefinitionArn ?? reference,
          family: taskDefinition.family ?? '',
          revision: taskDefinition.revision ?? 0,
          ...(taskDefinition.cpu ? { cpu: taskDefinition.cpu } : {}),
          ...(taskDefinition.memory ? { memory: taskDefinition.memory } : {}),
          containers: (taskDefinition.containerDefinitions ?? []).map(containerFacts),
        };
      } catch (error) {
        if ((error as Error).name === 'ClientException') return undefined;
        throw error;
      }
    },

    async service(cluster: string, service: string): Promise<ServiceFacts> {
      let described;
      try {
        described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }));
      } catch (error) {
        if ((error as Error).name === 'ClusterNotFoundException') throw new NotFoundError(`cluster ${cluster} not found in ${region}`);
        throw error;
      }
      const found = described.services?.[0];
      if (!found || found.status === 'INACTIVE') throw new NotFoundError(`service ${service} not found in cluster ${cluster}${found ? ' (it was deleted)' : ''}`);
      const date = (d: Date | undefined) => d?.toISOString();
      return {
        cluster,
        service,
        ...(found.status ? { status: found.status } : {}),
        desired: found.desiredCount ?? 0,
        running: found.runningCount ?? 0,
        pending: found.pendingCount ?? 0,
        ...(found.taskDefinition ? { taskDefinition: lastArnSegment(found.taskDefinition) } : {}),
        deployments: (found.deployments ?? []).map((d) => ({
          id: d.id ?? '',
          status: d.status ?? '',
          ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
          ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
          taskDefinition: lastArnSegment(d.taskDefinition ?? ''),
          desired: d.desiredCount ?? 0,
          running: d.runningCount ?? 0,
          failedTasks: d.failedTasks ?? 0,
          ...(date(d.createdAt) ? { createdAt: date(d.createdAt) } : {}),
          ...(date(d.updatedAt) ? { updatedAt: date(d.updatedAt) } : {}),
        })),
        events: (found.events ?? []).map((e) => ({ at: date(e.createdAt) ?? '', message: e.message ?? '' })),
        ...(found.tags?.length ? { tags: Object.fromEntries(found.tags.map((t) => [t.key ?? '', t.value ?? ''])) } : {}),
      };
    },

    /** The tasks of a service that ECS still lists as stopped, most recent first. */
    async stoppedTasks(cluster: string, service: string): Promise<StoppedTaskFacts[]> {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED', ...(nextToken ? { nextToken } : {}) }));
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken && arns.length < 500);
      // A service's tasks carry group service:NAME in its cluster; checked again because the emulator's
      // ListTasks filters stopped tasks by neither serviceName nor cluster.
      const facts = (await describeTasks(cluster, arns)).filter((t) => t.service === service && t.cluster === cluster);
      return facts.sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? ''));
    },

    /** Every service of the clusters `watched` accepts, as cluster/service pairs. */
    async services(watched: (cluster: string) => boolean): Promise<Array<{ cluster: string; service: string }>> {
      const clusters: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(new ListClustersCommand({ ...(nextToken ? { nextToken } : {}) }));
        clusters.push(...(page.clusterArns ?? []).map((arn) => clusterNameFromArn(arn) ?? lastArnSegment(arn)));
        nextToken = page.nextToken;
      } while (nextToken);
      const services: Array<{ cluster: string; service: string }> = [];
      for (const cluster of clusters.filter(watched).sort()) {
        let token: string | undefined;
        do {
          const page = await ecs.send(new ListServicesCommand({ cluster, ...(token ? { nextToken: token } : {}) }));
          services.push(...(page.serviceArns ?? []).map((arn) => ({ cluster, service: lastArnSegment(arn) })));
          token = page.nextToken;
        } while (token);
      }
      return services.sort((a, b) => `${a.cluster}/${a.service}`.localeCompare(`${b.cluster}/${b.service}`));
    },
  };
}

export type DiagnosisReader = ReturnType<typeof createDiagnosisReader>;
