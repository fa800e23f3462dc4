// "ECS Service Action" and "ECS Deployment State Change": both name the service in resources[0]
// and share their detail's shape (eventType, eventName, reason).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
import * as z from 'zod/mini';
import { clusterNameFromArn, serviceFromArn } from './arns.js';
import { type EventEnvelope, parseOrThrow } from './envelope.js';
import { IntakeError } from './errors.js';
import type { EventParser } from './parser.js';
import type { EcsScope } from './signals.js';

const serviceEventDetailSchema = z.object({
  eventType: z.string().check(z.minLength(1)),
  eventName: z.string().check(z.minLength(1)),
  clusterArn: z.optional(z.string()),
  deploymentId: z.optional(z.string()),
  reason: z.optional(z.string()),
});

function serviceScope(envelope: EventEnvelope, clusterArn: string | undefined): EcsScope {
  const serviceArn = envelope.resources.find((r) => r.includes(':service/'));
  const fromArn = serviceFromArn(serviceArn);
  if (!serviceArn || !fromArn) {
    throw new IntakeError(envelope.id, envelope['detail-type'], ['resources: expected the ECS service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME), found none']);
  }
  return {
    region: envelope.region,
    account: envelope.account,
    cluster: clusterNameFromArn(clusterArn) ?? fromArn.cluster ?? '',
    ...(clusterArn ? { clusterArn } : {}),
    service: fromArn.service,
    serviceArn,
  };
}

function parseServiceEvent(envelope: EventEnvelope) {
  const detail = parseOrThrow(serviceEventDetailSchema, envelope.detail, envelope.id, envelope['detail-type'], 'detail');
  const base = { eventId: envelope.id, detailType: envelope['detail-type'], time: envelope.time, ...serviceScope(envelope, detail.clusterArn) };
  return { base, detail };
}

export const ecsServiceActionParser: EventParser = {
  source: 'aws.ecs',
  detailType: 'ECS Service Action',
  parse(envelope) {
    const { base, detail } = parseServiceEvent(envelope);
    return { ...base, kind: 'service-action', eventType: detail.eventType, eventName: detail.eventName, reason: detail.reason };
  },
};

export const ecsDeploymentStateChangeParser: EventParser = {
  source: 'aws.ecs',
  detailType: 'ECS Deployment State Change',
  parse(envelope) {
    const { base, detail } = parseServiceEvent(envelope);
    return {
      ...base,
      kind: 'deployment-state-changed',
      eventType: detail.eventType,
      eventName: detail.eventName,
      deploymentId: detail.deploymentId,
      reason: detail.reason,
    };
  },
};
