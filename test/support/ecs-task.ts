// A real ECS task in the emulator, for tests that need DescribeTasks to know it: moto runs tasks on
// the EC2 launch type once a container instance is registered from an EC2 instance it made. There
// is no EC2 client among the dependencies, so the instance comes from the EC2 Query API directly.
import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { clientOptions } from '../../scripts/lib/local-stack.js';

export interface EmulatedTask {
  taskArn: string;
  taskId: string;
  clusterArn: string;
  taskDefinitionArn: string;
}

async function runInstance(endpoint: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope's service and does not check the signature.
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=RunInstances&Version=2016-11-15&ImageId=ami-12c6146b&MinCount=1&MaxCount=1&InstanceType=t3.micro',
  });
  const instanceId = /<instanceId>([^<]+)<\/instanceId>/.exec(await response.text())?.[1];
  if (!instanceId) throw new Error(`emulator RunInstances answered ${response.status} without an instance`);
  return instanceId;
}

export async function runServiceTask(endpoint: string, options: { cluster: string; family: string; container: string; service: string }): Promise<EmulatedTask> {
  const ecs = new ECSClient(clientOptions(endpoint));
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: options.cluster }));
  const instanceId = await runInstance(endpoint);
  await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: options.cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: 'us-east-1', accountId: '123456789012', availabilityZone: 'us-east-1a' }),
      instanceIdentityDocumentSignature: 'unchecked',
    }),
  );
  await ecs.send(new RegisterTaskDefinitionCommand({ family: options.family, containerDefinitions: [{ name: options.container, image: 'nginx', memory: 128 }] }));
  const { tasks } = await ecs.send(new RunTaskCommand({ cluster: options.cluster, taskDefinition: options.family, launchType: 'EC2', group: `service:${options.service}`, count: 1 }));
  const task = tasks?.[0];
  if (!task?.taskArn || !task.taskDefinitionArn) throw new Error('emulator RunTask returned no task');
  return { taskArn: task.taskArn, taskId: task.taskArn.split('/').pop()!, clusterArn: cluster!.clusterArn!, taskDefinitionArn: task.taskDefinitionArn };
}
