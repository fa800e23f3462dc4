// The task definitions a deployment moves between, from DescribeServices: the PRIMARY deployment
// runs the new one, the ACTIVE one (still draining) the old one. Never throws.
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../intake/arns.js';
import type { IamGrant } from './iam.js';

export const deploymentReaderGrants: IamGrant[] = [{ purpose: 'name the task definitions a deployment moves between', actions: ['ecs:DescribeServices'], resource: 'ecs-services' }];

export function createDeploymentReader(client: ECSClient) {
  return async (cluster: string, service: string): Promise<{ fromTaskDefinition?: string; toTaskDefinition?: string }> => {
    try {
      const { services = [] } = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const deployments = services[0]?.deployments ?? [];
      const primary = deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition;
      const previous = deployments.find((d) => d.status === 'ACTIVE')?.taskDefinition;
      return { ...(previous ? { fromTaskDefinition: lastArnSegment(previous) } : {}), ...(primary ? { toTaskDefinition: lastArnSegment(primary) } : {}) };
    } catch {
      return {};
    }
  };
}
