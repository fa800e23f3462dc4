// Whether a container instance's agent is connected now, for the timer that re-checks a
// disconnect: healthy instances' events never reach Lambda (the rule keeps only disconnects and
// draining), so the reconnection is read from ECS. Never throws; undefined when unknown.
import { DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { IamGrant } from './iam.js';

export const agentStatusGrants: IamGrant[] = [
  { purpose: 'check whether a disconnected agent is back', actions: ['ecs:DescribeContainerInstances'], resource: 'ecs-container-instances' },
];

export function createAgentStatusReader(client: ECSClient) {
  return async (cluster: string, containerInstanceArn: string): Promise<{ agentConnected: boolean; status: string } | undefined> => {
    try {
      const { containerInstances = [] } = await client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] }));
      const instance = containerInstances[0];
      return instance ? { agentConnected: instance.agentConnected ?? false, status: instance.status ?? 'UNKNOWN' } : undefined;
    } catch {
      return undefined;
    }
  };
}
