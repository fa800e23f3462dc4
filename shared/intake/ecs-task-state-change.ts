// "ECS Task State Change": https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
import * as z from 'zod/mini';
import { clusterNameFromArn, lastArnSegment, serviceArnFor, taskDefinitionFromArn } from './arns.js';
import { parseOrThrow } from './envelope.js';
import type { EventParser } from './parser.js';
import type { StoppedContainer } from './signals.js';

const containerSchema = z.object({
  name: z._default(z.string(), ''),
  image: z.optional(z.string()),
  exitCode: z.optional(z.int()),
  reason: z.optional(z.string()),
  lastStatus: z.optional(z.string()),
  memory: z.optional(z.union([z.string(), z.number()])),
});

const taskDetailSchema = z.object({
  taskArn: z.string().check(z.minLength(1)),
  clusterArn: z.string().check(z.minLength(1)),
  lastStatus: z.string().check(z.minLength(1)),
  desiredStatus: z.optional(z.string()),
  taskDefinitionArn: z.optional(z.string()),
  launchType: z.optional(z.string()),
  capacityProviderName: z.optional(z.string()),
  group: z.optional(z.string()),
  startedBy: z.optional(z.string()),
  stopCode: z.optional(z.string()),
  stoppedReason: z.optional(z.string()),
  stoppedAt: z.optional(z.string()),
  memory: z.optional(z.union([z.string(), z.number()])),
  containers: z._default(z.array(containerSchema), []),
});

export const ecsTaskStateChangeParser: EventParser = {
  source: 'aws.ecs',
  detailType: 'ECS Task State Change',
  parse(envelope) {
    const detail = parseOrThrow(taskDetailSchema, envelope.detail, envelope.id, envelope['detail-type'], 'detail');
    const cluster = clusterNameFromArn(detail.clusterArn) ?? '';
    // Tasks a service runs carry group "service:NAME"; standalone tasks carry "family:NAME" or a custom group.
    const service = detail.group?.startsWith('service:') ? detail.group.slice('service:'.length) : undefined;
    const scope = {
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      time: envelope.time,
      region: envelope.region,
      account: envelope.account,
      cluster,
      clusterArn: detail.clusterArn,
      ...(service ? { service, serviceArn: serviceArnFor({ region: envelope.region, account: envelope.account, cluster, service }) } : {}),
      taskArn: detail.taskArn,
    };
    if (detail.lastStatus !== 'STOPPED') {
      return { ...scope, kind: 'task-state-changed', lastStatus: detail.lastStatus, desiredStatus: detail.desiredStatus, taskDefinitionArn: detail.taskDefinitionArn };
    }
    const taskDefinition = taskDefinitionFromArn(detail.taskDefinitionArn);
    const containers: StoppedContainer[] = detail.containers.map((c) => ({
      name: c.name,
      image: c.image,
      exitCode: c.exitCode,
      reason: c.reason,
      lastStatus: c.lastStatus,
      ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
    }));
    return {
      ...scope,
      kind: 'task-stopped',
      taskId: lastArnSegment(detail.taskArn),
      taskDefinitionArn: detail.taskDefinitionArn,
      family: taskDefinition?.family,
      revision: taskDefinition?.revision,
      launchType: detail.launchType,
      capacityProvider: detail.capacityProviderName,
      group: detail.group,
      startedBy: detail.startedBy,
      stopCode: detail.stopCode,
      stoppedReason: detail.stoppedReason,
      stoppedAt: detail.stoppedAt,
      ...(detail.memory !== undefined ? { memory: String(detail.memory) } : {}),
      containers,
    };
  },
};
