// The ECS calls remediation makes: read a service, a container instance and a task definition as
// they are now, and the writes the playbooks declare (shared/decide/remediation/types.ts
// REMEDIATION_OPERATIONS). Every write names exactly what it changes; nothing else is sent.
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { CapacityItem, ContainerMemory, InstanceView, RemediationOperation, ServiceView } from '../decide/remediation/types.js';
import type { IamGrant } from './iam.js';

/** Reads, granted whenever remediation runs. */
export const remediationReadGrants: IamGrant[] = [
  { purpose: 'read a service as it is now (task definition, deployments, capacity, tags) before acting', actions: ['ecs:DescribeServices'], resource: 'ecs-services' },
  { purpose: 'read a container instance before draining it', actions: ['ecs:DescribeContainerInstances'], resource: 'ecs-container-instances' },
];

/**
 * Writes per operation. `remediation-*` resources carry the opt-in condition (the service or
 * instance must have the ecs-autopilot:remediate tag) or are narrowed to the clusters opted in by
 * configuration; see build/serverless-vars.cjs.
 */
export const OPERATION_GRANTS: Record<RemediationOperation, IamGrant[]> = {
  'update-service': [{ purpose: 'roll back, pause, restart or move a service to other capacity', actions: ['ecs:UpdateService'], resource: 'remediation-services' }],
  'set-instance-draining': [{ purpose: 'drain a container instance whose agent stays disconnected', actions: ['ecs:UpdateContainerInstancesState'], resource: 'remediation-container-instances' }],
  'replace-asg-instance': [
    { purpose: 'find the Auto Scaling group of a disconnected instance', actions: ['autoscaling:DescribeAutoScalingInstances'], resource: 'any-resource' },
    { purpose: 'replace a disconnected instance in its Auto Scaling group', actions: ['autoscaling:TerminateInstanceInAutoScalingGroup'], resource: 'remediation-autoscaling-groups' },
  ],
  'register-task-definition': [
    { purpose: 'read the task definition of an OOM-killed container', actions: ['ecs:DescribeTaskDefinition'], resource: 'any-resource' },
    { purpose: 'register a revision with more memory (tagged ecs-autopilot:resized-from)', actions: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'], resource: 'remediation-task-definitions' },
    { purpose: 'pass the task and execution roles of the resized revision on to ECS tasks only', actions: ['iam:PassRole'], resource: 'pass-role-to-ecs-tasks' },
  ],
};

export interface ServiceChange {
  taskDefinition?: string;
  desiredCount?: number;
  capacityProviderStrategy?: CapacityItem[];
  forceNewDeployment?: boolean;
}

export interface RemediationEcs {
  describeService(cluster: string, service: string): Promise<ServiceView | undefined>;
  describeInstance(cluster: string, containerInstanceArn: string): Promise<InstanceView | undefined>;
  containerMemory(taskDefinition: string, container?: string): Promise<ContainerMemory | undefined>;
  updateService(cluster: string, service: string, change: ServiceChange): Promise<void>;
  setInstanceStatus(cluster: string, containerInstanceArn: string, status: 'DRAINING' | 'ACTIVE'): Promise<void>;
  /** Registers a copy of `taskDefinition` with `container`'s hard memory limit at `memoryMiB`; returns the new ARN. */
  registerWithMemory(taskDefinition: string, container: string, memoryMiB: number): Promise<string>;
}

const iso = (date: Date | undefined) => date?.toISOString();

export function createRemediationEcs(client: ECSClient): RemediationEcs {
  return {
    async describeService(cluster, service) {
      const { services = [] } = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const found = services[0];
      if (!found || found.status === 'INACTIVE') return undefined;
      return {
        cluster,
        service,
        ...(found.taskDefinition ? { taskDefinition: found.taskDefinition } : {}),
        ...(found.desiredCount !== undefined ? { desiredCount: found.desiredCount } : {}),
        deployments: (found.deployments ?? []).map((d) => ({
          id: d.id ?? '',
          status: d.status ?? '',
          taskDefinition: d.taskDefinition ?? '',
          ...(d.createdAt ? { createdAt: iso(d.createdAt)! } : {}),
          ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
        })),
        capacityProviderStrategy: (found.capacityProviderStrategy ?? []).map((s) => ({ capacityProvider: s.capacityProvider ?? '', weight: s.weight ?? 0, base: s.base ?? 0 })),
        ...(found.deploymentConfiguration?.deploymentCircuitBreaker ? { circuitBreakerRollback: !!(found.deploymentConfiguration.deploymentCircuitBreaker.enable && found.deploymentConfiguration.deploymentCircuitBreaker.rollback) } : { circuitBreakerRollback: false }),
        source: 'live',
      };
    },

    async describeInstance(cluster, containerInstanceArn) {
      const { containerInstances = [] } = await client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] }));
      const found = containerInstances[0];
      if (!found) return undefined;
      return {
        containerInstanceArn,
        cluster,
        status: found.status ?? 'UNKNOWN',
        agentConnected: found.agentConnected ?? false,
        ...(found.ec2InstanceId ? { ec2InstanceId: found.ec2InstanceId } : {}),
      };
    },

    async containerMemory(taskDefinition, container) {
      const { taskDefinition: found } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      const definitions = found?.containerDefinitions ?? [];
      const chosen = definitions.find((c) => c.name === container) ?? (definitions.length === 1 ? definitions[0] : undefined);
      if (!chosen?.name) return undefined;
      return {
        taskDefinition,
        container: chosen.name,
        ...(chosen.memory !== undefined ? { memoryMiB: chosen.memory } : {}),
        ...(found?.memory ? { taskMemoryMiB: Number(found.memory) } : {}),
      };
    },

    async updateService(cluster, service, change) {
      await client.send(
        new UpdateServiceCommand({
          cluster,
          service,
          ...(change.taskDefinition ? { taskDefinition: change.taskDefinition } : {}),
          ...(change.desiredCount !== undefined ? { desiredCount: change.desiredCount } : {}),
          ...(change.capacityProviderStrategy ? { capacityProviderStrategy: change.capacityProviderStrategy } : {}),
          ...(change.forceNewDeployment ? { forceNewDeployment: true } : {}),
        }),
      );
    },

    async setInstanceStatus(cluster, containerInstanceArn, status) {
      const result = await client.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [containerInstanceArn], status }));
      const failure = result.failures?.[0];
      if (failure) throw new Error(`ECS refused to set ${containerInstanceArn} to ${status}: ${failure.reason ?? 'no reason'}${failure.detail ? ` (${failure.detail})` : ''}`);
    },

    async registerWithMemory(taskDefinition, container, memoryMiB) {
      const { taskDefinition: found } = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      if (!found) throw new Error(`task definition ${taskDefinition} not found`);
      const taskMemory = found.memory ? Number(found.memory) : undefined;
      const input: RegisterTaskDefinitionCommandInput = {
        family: found.family,
        containerDefinitions: (found.containerDefinitions ?? []).map((c) => (c.name === container ? { ...c, memory: memoryMiB } : c)),
        ...(found.taskRoleArn ? { taskRoleArn: found.taskRoleArn } : {}),
        ...(found.executionRoleArn ? { executionRoleArn: found.executionRoleArn } : {}),
        ...(found.networkMode ? { networkMode: found.networkMode } : {}),
        ...(found.volumes?.length ? { volumes: found.volumes } : {}),
        ...(found.placementConstraints?.length ? { placementConstraints: found.placementConstraints } : {}),
        ...(found.requiresCompatibilities?.length ? { requiresCompatibilities: found.requiresCompatibilities } : {}),
        ...(found.cpu ? { cpu: found.cpu } : {}),
        // The task's memory must hold the container's new limit.
        ...(taskMemory !== undefined ? { memory: String(Math.max(taskMemory, Math.ceil(memoryMiB / 1024) * 1024)) } : {}),
        ...(found.runtimePlatform ? { runtimePlatform: found.runtimePlatform } : {}),
        ...(found.ephemeralStorage ? { ephemeralStorage: found.ephemeralStorage } : {}),
        ...(found.pidMode ? { pidMode: found.pidMode } : {}),
        ...(found.ipcMode ? { ipcMode: found.ipcMode } : {}),
        ...(found.proxyConfiguration ? { proxyConfiguration: found.proxyConfiguration } : {}),
        tags: [{ key: 'ecs-autopilot:resized-from', value: taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1) }],
      };
      const { taskDefinition: registered } = await client.send(new RegisterTaskDefinitionCommand(input));
      if (!registered?.taskDefinitionArn) throw new Error(`RegisterTaskDefinition returned no ARN for ${found.family}`);
      return registered.taskDefinitionArn;
    },
  };
}
