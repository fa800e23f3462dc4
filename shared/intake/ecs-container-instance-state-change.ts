// "ECS Container Instance State Change":
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html
import * as z from 'zod/mini';
import { clusterNameFromArn } from './arns.js';
import { parseOrThrow } from './envelope.js';
import type { EventParser } from './parser.js';

const containerInstanceDetailSchema = z.object({
  clusterArn: z.string().check(z.minLength(1)),
  containerInstanceArn: z.string().check(z.minLength(1)),
  ec2InstanceId: z.optional(z.string()),
  status: z.string().check(z.minLength(1)),
  agentConnected: z.boolean(),
});

export const ecsContainerInstanceStateChangeParser: EventParser = {
  source: 'aws.ecs',
  detailType: 'ECS Container Instance State Change',
  parse(envelope) {
    const detail = parseOrThrow(containerInstanceDetailSchema, envelope.detail, envelope.id, envelope['detail-type'], 'detail');
    return {
      kind: 'container-instance-state-changed',
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      time: envelope.time,
      region: envelope.region,
      account: envelope.account,
      cluster: clusterNameFromArn(detail.clusterArn) ?? '',
      clusterArn: detail.clusterArn,
      containerInstanceArn: detail.containerInstanceArn,
      ec2InstanceId: detail.ec2InstanceId,
      status: detail.status,
      agentConnected: detail.agentConnected,
    };
  },
};
