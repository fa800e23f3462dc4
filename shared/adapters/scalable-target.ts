// Application Auto Scaling scalable targets of ECS services. When one exists, ecs-autopilot does
// not write desiredCount (Application Auto Scaling would undo it): it moves the target's
// MinCapacity (and MaxCapacity, when the count would exceed it) instead.
import { type ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { SCALE_OPT_IN_TAG } from './ecs-desired-count.js';
import type { IamGrant } from './iam.js';

export const scalableTargetGrants: IamGrant[] = [
  // DescribeScalableTargets has no resource type in the Service Authorization Reference.
  { purpose: 'find an Application Auto Scaling target on a scaled service', actions: ['application-autoscaling:DescribeScalableTargets'], resource: 'any-resource' },
  {
    purpose: 'move the min/max capacity of scalable targets tagged ecs-autopilot:scale=on',
    actions: ['application-autoscaling:RegisterScalableTarget'],
    resource: 'scalable-targets',
    condition: { StringEquals: { [`aws:ResourceTag/${SCALE_OPT_IN_TAG}`]: 'on' } },
  },
];

export interface ScalableTargetCapacity {
  min: number;
  max: number;
}

export interface ScalableTargets {
  find(cluster: string, service: string): Promise<ScalableTargetCapacity | undefined>;
  setCapacity(cluster: string, service: string, capacity: ScalableTargetCapacity): Promise<void>;
}

const resourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;
const dimension = 'ecs:service:DesiredCount';

export function createScalableTargets(client: ApplicationAutoScalingClient): ScalableTargets {
  return {
    async find(cluster, service) {
      const { ScalableTargets = [] } = await client.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId(cluster, service)], ScalableDimension: dimension }),
      );
      const target = ScalableTargets[0];
      return target ? { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 } : undefined;
    },
    async setCapacity(cluster, service, capacity) {
      await client.send(
        new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId(cluster, service), ScalableDimension: dimension, MinCapacity: capacity.min, MaxCapacity: capacity.max }),
      );
    },
  };
}
