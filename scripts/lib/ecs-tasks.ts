// Real stopped tasks in the emulator: moto runs no containers, but on the EC2 launch type RunTask
// places a task on a registered container instance, and StopTask records the reason given, so
// DescribeTasks and ListTasks(desiredStatus STOPPED) answer as ECS would after a failure.
import { ECSClient, RegisterContainerInstanceCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { clientOptions } from './local-stack.js';

/**
 * An EC2 instance from the emulator's RunInstances (the EC2 Query API over plain HTTP: the project
 * has no EC2 client, and moto does not check signatures), registered in the cluster through the
 * identity document ECS's agent would send.
 */
export async function registerContainerInstance(endpoint: string, cluster: string): Promise<string> {
  const body = new URLSearchParams({ Action: 'RunInstances', Version: '2016-11-15', ImageId: 'ami-12c6146b', MinCount: '1', MaxCount: '1', InstanceType: 't3.medium' });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request' },
    body,
  });
  const xml = await response.text();
  const instanceId = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(xml)?.[1];
  if (!instanceId) throw new Error(`RunInstances in the emulator gave no instance id: ${xml.slice(0, 300)}`);
  const ecs = new ECSClient(clientOptions(endpoint));
  const { containerInstance } = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: 'us-east-1', accountId: '123456789012', instanceType: 't3.medium' }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 },
      ],
    }),
  );
  return containerInstance!.containerInstanceArn!;
}

/** Runs one task of a service's family on the EC2 launch type, then stops it with `reason`. */
export async function stoppedTask(endpoint: string, options: { cluster: string; taskDefinition: string; group?: string; reason: string }): Promise<string> {
  const ecs = new ECSClient(clientOptions(endpoint));
  const { tasks, failures } = await ecs.send(
    new RunTaskCommand({ cluster: options.cluster, taskDefinition: options.taskDefinition, launchType: 'EC2', count: 1, ...(options.group ? { group: options.group } : {}) }),
  );
  const taskArn = tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error(`RunTask in the emulator placed no task: ${JSON.stringify(failures)}`);
  await ecs.send(new StopTaskCommand({ cluster: options.cluster, task: taskArn, reason: options.reason }));
  return taskArn;
}
