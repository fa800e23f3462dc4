// What a log stream name cannot tell about its task: cluster, ECS service (from the task's group
// `service:NAME`), task definition family and revision. One ecs:DescribeTasks per task per Lambda
// container, not per batch: tasks do not change cluster or task definition. The cluster is not in
// the stream name, so the reader asks the cluster where it found the log group's last task first,
// then the account's other watched clusters. Best effort: a failure means a record without them.
import { DescribeTasksCommand, type ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import type { TaskMetadata } from '../decide/logs/types.js';
import type { IamGrant } from './iam.js';

export const taskMetadataGrants: IamGrant[] = [
  { purpose: 'find the clusters a logging task may run in', actions: ['ecs:ListClusters'], resource: 'any-resource' },
  { purpose: "enrich log records with the task's cluster, service and task definition", actions: ['ecs:DescribeTasks'], resource: 'ecs-tasks' },
];

export interface TaskMetadataReader {
  /** The task's metadata, or undefined when no watched cluster knows it (or ECS could not be asked). */
  lookup(taskId: string, logGroup: string, now: Date): Promise<TaskMetadata | undefined>;
}

export interface TaskMetadataOptions {
  /** Cluster names to look in (clusters.include / exclude of the configuration). */
  watches: (clusterName: string) => boolean;
  /** How long "not found" is remembered, so a stream of an unknown task does not call ECS per batch. */
  missSeconds?: number;
  clusterListSeconds?: number;
  maxEntries?: number;
}

export function taskMetadataFrom(task: { taskArn?: string; clusterArn?: string; taskDefinitionArn?: string; group?: string }): TaskMetadata | undefined {
  if (!task.taskArn || !task.clusterArn || !task.taskDefinitionArn) return undefined;
  const [family = '', revision = ''] = task.taskDefinitionArn.split('/').pop()!.split(':');
  const serviceName = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  return { taskArn: task.taskArn, clusterArn: task.clusterArn, family, revision, ...(serviceName ? { serviceName } : {}) };
}

export function createTaskMetadataReader(ecs: ECSClient, options: TaskMetadataOptions): TaskMetadataReader {
  const found = new Map<string, TaskMetadata>();
  const missedUntil = new Map<string, number>();
  const clusterOfGroup = new Map<string, string>();
  let clusters: { arns: string[]; until: number } | undefined;
  const maxEntries = options.maxEntries ?? 10_000;

  async function watchedClusters(now: number): Promise<string[]> {
    if (clusters && clusters.until > now) return clusters.arns;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListClustersCommand({ ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(page.clusterArns ?? []).filter((arn) => options.watches(arn.split('/').pop() ?? '')));
      nextToken = page.nextToken;
    } while (nextToken);
    clusters = { arns, until: now + (options.clusterListSeconds ?? 300) * 1000 };
    return arns;
  }

  async function describe(cluster: string, taskId: string): Promise<TaskMetadata | undefined> {
    const result = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskId] }));
    const task = result.tasks?.[0];
    return task ? taskMetadataFrom(task) : undefined;
  }

  return {
    async lookup(taskId, logGroup, now) {
      const known = found.get(taskId);
      if (known) return known;
      if ((missedUntil.get(taskId) ?? 0) > now.getTime()) return undefined;
      try {
        const preferred = clusterOfGroup.get(logGroup);
        const candidates = [...(preferred ? [preferred] : []), ...(await watchedClusters(now.getTime())).filter((arn) => arn !== preferred)];
        for (const cluster of candidates) {
          const metadata = await describe(cluster, taskId);
          if (!metadata) continue;
          if (found.size >= maxEntries) found.delete(found.keys().next().value!);
          found.set(taskId, metadata);
          clusterOfGroup.set(logGroup, metadata.clusterArn);
          return metadata;
        }
      } catch {
        // Enrichment is best effort: the records still ship, with what the stream name tells.
      }
      missedUntil.set(taskId, now.getTime() + (options.missSeconds ?? 60) * 1000);
      if (missedUntil.size > maxEntries) missedUntil.delete(missedUntil.keys().next().value!);
      return undefined;
    },
  };
}
