// The ECS side of scaling: a service's desired and running count and its tags, and UpdateService
// on desiredCount. The role may update only services tagged ecs-autopilot:scale=on (an IAM
// condition), so a service nobody opted in cannot be scaled even by a wrong configuration.
import { DescribeServicesCommand, type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { IamGrant } from './iam.js';

export const SCALE_OPT_IN_TAG = 'ecs-autopilot:scale';
export const scaleOptInCondition = { StringEquals: { [`aws:ResourceTag/${SCALE_OPT_IN_TAG}`]: 'on' } };

export const ecsDesiredCountGrants: IamGrant[] = [
  // DescribeServices with include=TAGS also needs ListTagsForResource.
  { purpose: 'read desired and running counts and tags of scaled services', actions: ['ecs:DescribeServices', 'ecs:ListTagsForResource'], resource: 'ecs-services' },
  { purpose: 'set the desired count of services opted in with ecs-autopilot:scale=on', actions: ['ecs:UpdateService'], resource: 'ecs-services', condition: scaleOptInCondition },
];

export interface ScaledServiceState {
  arn: string;
  desired: number;
  running: number;
  tags: Record<string, string>;
}

export interface EcsDesiredCount {
  /** undefined when the service does not exist (or is INACTIVE). */
  describe(cluster: string, service: string): Promise<ScaledServiceState | undefined>;
  setDesiredCount(cluster: string, service: string, count: number): Promise<void>;
}

export function createEcsDesiredCount(client: ECSClient): EcsDesiredCount {
  return {
    async describe(cluster, service) {
      const { services = [] } = await client.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }));
      const found = services.find((s) => s.status !== 'INACTIVE');
      if (!found?.serviceArn) return undefined;
      const tags: Record<string, string> = {};
      for (const tag of found.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? '';
      return { arn: found.serviceArn, desired: found.desiredCount ?? 0, running: found.runningCount ?? 0, tags };
    },
    async setDesiredCount(cluster, service, count) {
      await client.send(new UpdateServiceCommand({ cluster, service, desiredCount: count }));
    },
  };
}
