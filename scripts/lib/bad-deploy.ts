// A bad deploy staged in the emulator with real ECS resources, for `explain` and `status` to read:
// two revisions of a task definition (the second changes the image, memory, environment and secrets),
// a service on the second, and tasks it really stopped: one out of memory (with its last log lines
// in CloudWatch Logs), one failing its health checks, one replaced by the deployment.
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../../shared/intake/arns.js';
import { registerContainerInstance, stoppedTask } from './ecs-tasks.js';
import { clientOptions } from './local-stack.js';

export interface BadDeploy {
  oomTaskArn: string;
  healthCheckTaskArn: string;
  replacedTaskArn: string;
  /** The bad revision the service runs, and the one before it. */
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  logGroup: string;
}

/** Values that must never appear in anything explain prints (it shows names only). */
export const SECRET_LOOKING_VALUES = ['info-value-7f3a', 'debug-value-9c1e', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api-key-AbCdEf'];

export const OOM_LOG_LINES = ['INFO  Started WebApplication in 4.2 seconds', 'WARN  cache size 1.9 GiB', 'java.lang.OutOfMemoryError: Java heap space'];

export async function stageBadDeploy(endpoint: string, names: { cluster: string; service: string }): Promise<BadDeploy> {
  const ecs = new ECSClient(clientOptions(endpoint));
  const logs = new CloudWatchLogsClient(clientOptions(endpoint));
  const { cluster, service } = names;
  const logGroup = `/ecs/${cluster}/${service}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await registerContainerInstance(endpoint, cluster);
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  const logConfiguration = { logDriver: 'awslogs' as const, options: { 'awslogs-group': logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } };
  const sidecar = { name: 'xray-daemon', image: 'public.ecr.aws/xray/aws-xray-daemon:3.3', memory: 128, essential: false };
  const { taskDefinition: previous } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: service,
      memory: '1024',
      cpu: '512',
      containerDefinitions: [
        {
          name: service,
          image: 'public.ecr.aws/acme/web:1.41',
          memory: 896,
          logConfiguration,
          environment: [{ name: 'LOG_LEVEL', value: SECRET_LOOKING_VALUES[0] }, { name: 'LEGACY_CACHE', value: 'on' }],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-password' }],
        },
        sidecar,
      ],
    }),
  );
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: service,
      memory: '1024',
      cpu: '512',
      containerDefinitions: [
        {
          name: service,
          image: 'public.ecr.aws/acme/web:1.42',
          memory: 512,
          logConfiguration,
          environment: [{ name: 'LOG_LEVEL', value: SECRET_LOOKING_VALUES[1] }, { name: 'FEATURE_SEARCH', value: 'on' }],
          secrets: [
            { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-password' },
            { name: 'API_KEY', valueFrom: SECRET_LOOKING_VALUES[2] },
          ],
        },
        sidecar,
      ],
    }),
  );
  const revision = `${service}:${taskDefinition!.revision}`;
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: revision, desiredCount: 2, launchType: 'EC2' }));
  const group = `service:${service}`;
  const replacedTaskArn = await stoppedTask(endpoint, { cluster, taskDefinition: `${service}:${taskDefinition!.revision! - 1}`, group, reason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)' });
  const healthCheckTaskArn = await stoppedTask(endpoint, { cluster, taskDefinition: revision, group, reason: 'Task failed container health checks' });
  const oomTaskArn = await stoppedTask(endpoint, { cluster, taskDefinition: revision, group, reason: 'OutOfMemoryError: Container killed due to memory usage' });
  const logStream = `ecs/${service}/${lastArnSegment(oomTaskArn)}`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
  const start = Date.now() - 60_000;
  await logs.send(new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: logStream, logEvents: OOM_LOG_LINES.map((message, i) => ({ timestamp: start + i * 1000, message })) }));
  return { oomTaskArn, healthCheckTaskArn, replacedTaskArn, taskDefinitionArn: taskDefinition!.taskDefinitionArn!, previousTaskDefinitionArn: previous!.taskDefinitionArn!, logGroup };
}
