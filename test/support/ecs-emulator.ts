// ECS resources in the emulator for remediation tests: clusters, services with tags and capacity
// strategies, task definition revisions, and a container instance registered from a real EC2
// instance (moto needs the instance identity document of one it launched).
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CapacityProviderStrategyItem,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import type { RemediationEcs, ServiceChange } from '../../shared/adapters/ecs-remediation.js';
import type { CapacityItem } from '../../shared/decide/remediation/types.js';

export class EcsWorld {
  readonly ecs: ECSClient;
  constructor(readonly endpoint: string, readonly cluster: string) {
    this.ecs = new ECSClient(clientOptions(endpoint));
  }

  async createCluster(): Promise<void> {
    await this.ecs.send(new CreateClusterCommand({ clusterName: this.cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
  }

  /**
   * Registers a revision of `family` (prefixed with the cluster: task definitions are account-wide,
   * and test files sharing the emulator must not bump each other's revisions) whose one container
   * has `memory` MiB; returns its ARN.
   */
  async registerRevision(family: string, memory = 256, image = 'nginx:1.27'): Promise<string> {
    const { taskDefinition } = await this.ecs.send(
      new RegisterTaskDefinitionCommand({ family: `${this.cluster}-${family}`, containerDefinitions: [{ name: 'app', image, memory, essential: true }] }),
    );
    return taskDefinition!.taskDefinitionArn!;
  }

  async createService(name: string, taskDefinition: string, options: { tags?: Record<string, string>; desiredCount?: number; capacityProviderStrategy?: CapacityProviderStrategyItem[] } = {}): Promise<void> {
    await this.ecs.send(
      new CreateServiceCommand({
        cluster: this.cluster,
        serviceName: name,
        taskDefinition,
        desiredCount: options.desiredCount ?? 2,
        ...(options.capacityProviderStrategy ? { capacityProviderStrategy: options.capacityProviderStrategy } : {}),
        tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
      }),
    );
  }

  async deploy(service: string, taskDefinition: string): Promise<void> {
    await this.ecs.send(new UpdateServiceCommand({ cluster: this.cluster, service, taskDefinition }));
  }

  async service(name: string) {
    const { services = [] } = await this.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: [name] }));
    return services[0]!;
  }

  /** A container instance backed by an emulated EC2 instance (a new one, or `existingInstanceId`); returns its ARN and instance id. */
  async registerContainerInstance(existingInstanceId?: string): Promise<{ arn: string; ec2InstanceId: string }> {
    const ec2 = new EC2Client(clientOptions(this.endpoint));
    const ec2InstanceId =
      existingInstanceId ?? (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 't3.small' }))).Instances![0]!.InstanceId!;
    const document = JSON.stringify({ instanceId: ec2InstanceId, region: 'us-east-1', accountId: '123456789012', instanceType: 't3.small' });
    const { containerInstance } = await this.ecs.send(
      new RegisterContainerInstanceCommand({ cluster: this.cluster, instanceIdentityDocument: document, instanceIdentityDocumentSignature: 'signature' }),
    );
    return { arn: containerInstance!.containerInstanceArn!, ec2InstanceId };
  }

  async instanceStatus(arn: string): Promise<string> {
    const { containerInstances = [] } = await this.ecs.send(new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: [arn] }));
    return containerInstances[0]!.status!;
  }
}

/**
 * moto 5.2 accepts capacityProviderStrategy on CreateService and UpdateService but does not return
 * it from DescribeServices: this keeps the service's strategy beside the emulator (every write still
 * goes to moto) and reads it back, and records what each UpdateService sent.
 */
export function rememberingCapacity(ecs: RemediationEcs, initial: CapacityItem[]) {
  const state = { strategy: initial, sent: [] as ServiceChange[] };
  const wrapped: RemediationEcs = {
    ...ecs,
    describeService: async (c, s) => {
      const view = await ecs.describeService(c, s);
      return view && { ...view, capacityProviderStrategy: state.strategy };
    },
    updateService: async (c, s, change) => {
      await ecs.updateService(c, s, change);
      state.sent.push(change);
      if (change.capacityProviderStrategy) state.strategy = change.capacityProviderStrategy;
    },
  };
  return { ecs: wrapped, state };
}

/** moto cannot disconnect an agent: the remediation's reads report it down; writes are real. */
export const agentDown = (ecs: RemediationEcs): RemediationEcs => ({
  ...ecs,
  describeInstance: async (c, a) => {
    const instance = await ecs.describeInstance(c, a);
    return instance && { ...instance, agentConnected: false };
  },
});
