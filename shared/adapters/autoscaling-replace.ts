// Replaces an EC2 instance in its Auto Scaling group: terminate it without lowering the desired
// capacity, so the group starts a fresh one. Used after a container instance is drained.
import { type AutoScalingClient, DescribeAutoScalingInstancesCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';

export interface InstanceReplacer {
  /** The group's name, or undefined when the instance is in no Auto Scaling group (nothing done). */
  replace(ec2InstanceId: string): Promise<string | undefined>;
}

export function createInstanceReplacer(client: AutoScalingClient): InstanceReplacer {
  return {
    async replace(ec2InstanceId) {
      const { AutoScalingInstances = [] } = await client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [ec2InstanceId] }));
      const group = AutoScalingInstances[0]?.AutoScalingGroupName;
      if (!group) return undefined;
      await client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: ec2InstanceId, ShouldDecrementDesiredCapacity: false }));
      return group;
    },
  };
}
