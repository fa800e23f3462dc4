// The log tail reader against the emulator's ECS and CloudWatch Logs: a real task definition, a real
// log stream named the way ECS names it, real error names.
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { createLogTailReader, logStreamConsoleUrl, logTailGrants, MAX_LINE_CHARACTERS } from '../../shared/adapters/log-tail.js';
import { uniqueName } from '../support/lambda.js';
import { countCalls } from '../support/count-calls.js';

const family = uniqueName('log-tail');
const logGroup = `/ecs/${family}`;
const taskId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const quietTaskId = 'quiet0000000000000000000000000000';
const longLine = `Error: ${'x'.repeat(700)}`;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let taskDefinitionArn: string;


const awslogs = (options: Record<string, string>) => ({ logDriver: 'awslogs' as const, options: { 'awslogs-group': logGroup, ...options } });

beforeAll(async () => {
  ecs = new ECSClient(clientOptions(inject('awsEndpoint')));
  logs = new CloudWatchLogsClient(clientOptions(inject('awsEndpoint')));
  const container = (name: string) => ({ name, image: 'public.ecr.aws/docker/library/busybox:latest', memory: 128, essential: name === 'web' });
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        { ...container('web'), logConfiguration: awslogs({ 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'us-east-1' }) },
        { ...container('router'), logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'cloudwatch' } } },
        { ...container('legacy'), logConfiguration: awslogs({ 'awslogs-region': 'us-east-1' }) },
        { ...container('replica'), logConfiguration: awslogs({ 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'eu-west-1' }) },
        container('silent'),
      ],
    }),
  );
  taskDefinitionArn = taskDefinition!.taskDefinitionArn!;

  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: `ecs/web/${taskId}` }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: `ecs/web/${quietTaskId}` }));
  // Current timestamps: CloudWatch Logs rejects events older than 14 days.
  const start = Date.now() - 60_000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: logGroup,
      logStreamName: `ecs/web/${taskId}`,
      logEvents: Array.from({ length: 30 }, (_, i) => ({
        timestamp: start + i * 1000,
        message: i + 1 === 25 ? `${longLine}\n` : `line ${i + 1}${i % 2 ? '\r\n' : '\n'}`,
      })),
    }),
  );
});

describe('log tail reader against the emulator', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it('returns the last N lines oldest first, without trailing newlines, in the stream ECS names', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 5, now);
    expect(tail).toEqual({
      lines: ['line 26', 'line 27', 'line 28', 'line 29', 'line 30'],
      logGroup,
      logStream: `ecs/web/${taskId}`,
      region: 'us-east-1',
      truncated: false,
    });
  });

  it('cuts long lines and says so', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 10, now);
    if (!('lines' in tail)) throw new Error(tail.unavailable);
    expect(tail.lines).toHaveLength(10);
    expect(tail.lines[0]).toBe('line 21');
    expect(tail.lines[4]).toBe(longLine.slice(0, MAX_LINE_CHARACTERS));
    expect(tail.lines[9]).toBe('line 30');
    expect(tail.truncated).toBe(true);
  });

  it('accepts a task ARN as the task id, and returns every line when fewer than N were logged', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/prod/${taskId}`;
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId: taskArn }, 100, now);
    if (!('lines' in tail)) throw new Error(tail.unavailable);
    expect(tail.lines).toHaveLength(30);
    expect(tail.lines[0]).toBe('line 1');

    const quiet = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId: quietTaskId }, 10, now);
    expect(quiet).toMatchObject({ lines: [], logStream: `ecs/web/${quietTaskId}`, truncated: false });
  });

  it('reads each task definition once within cacheSeconds, shares concurrent reads, and reads it again after', async () => {
    const counted = new ECSClient(clientOptions(inject('awsEndpoint')));
    const calls = countCalls(counted);
    const reader = createLogTailReader({ ecs: counted, logs }, { cacheSeconds: 60 });

    const concurrent = await Promise.all([
      reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 3, now),
      reader.lastLines({ taskDefinitionArn, containerName: 'router', taskId }, 3, now),
    ]);
    expect(concurrent[0]).toMatchObject({ lines: ['line 28', 'line 29', 'line 30'] });
    expect(calls.count).toBe(1);

    expect(await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 1, new Date(now.getTime() + 59_000))).toMatchObject({ lines: ['line 30'] });
    expect(calls.count).toBe(1);
    await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 1, new Date(now.getTime() + 61_000));
    expect(calls.count).toBe(2);
  });

  it('names the stream and the group when the stream does not exist', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId: 'never-started' }, 10, now);
    expect(tail).toEqual({ unavailable: expect.stringContaining(`log stream ecs/web/never-started not found in ${logGroup} (was the task started?`) });
  });

  it('names the log driver of a container that does not use awslogs, and explains a missing prefix or logConfiguration', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const scope = { taskDefinitionArn, taskId };
    expect(await reader.lastLines({ ...scope, containerName: 'router' }, 10, now)).toEqual({
      unavailable: expect.stringContaining("container 'router' does not use the awslogs log driver (it uses awsfirelens)"),
    });
    expect(await reader.lastLines({ ...scope, containerName: 'legacy' }, 10, now)).toEqual({
      unavailable: expect.stringMatching(new RegExp(`container 'legacy' logs to ${logGroup} without awslogs-stream-prefix.*set awslogs-stream-prefix`)),
    });
    expect(await reader.lastLines({ ...scope, containerName: 'silent' }, 10, now)).toEqual({ unavailable: expect.stringContaining("container 'silent' has no logConfiguration") });
    expect(await reader.lastLines({ ...scope, containerName: 'nginx' }, 10, now)).toEqual({
      unavailable: `task definition ${taskDefinitionArn} has no container 'nginx' (its containers: 'web', 'router', 'legacy', 'replica', 'silent')`,
    });
  });

  it('does not read logs in another region than its client, and says where they are', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'replica', taskId }, 10, now);
    expect(tail).toEqual({
      unavailable: `logs are in eu-west-1 (awslogs-region of container 'replica'), and this function reads CloudWatch Logs in us-east-1 only; open ${logStreamConsoleUrl('eu-west-1', logGroup, `ecs/replica/${taskId}`)}`,
    });
  });

  it('answers unavailable, without throwing, for a task definition that does not exist', async () => {
    const reader = createLogTailReader({ ecs, logs }, { cacheSeconds: 3600 });
    const missing = `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}-gone:7`;
    const tail = await reader.lastLines({ taskDefinitionArn: missing, containerName: 'web', taskId }, 10, now);
    expect(tail).toEqual({ unavailable: expect.stringContaining(`could not read task definition ${missing} (ClientException: Unable to describe task definition.)`) });
  });

  it('answers unavailable, without throwing, when CloudWatch Logs cannot be reached', async () => {
    const unreachable = new CloudWatchLogsClient({ ...clientOptions('http://127.0.0.1:1'), maxAttempts: 1 });
    const reader = createLogTailReader({ ecs, logs: unreachable }, { cacheSeconds: 3600 });
    const tail = await reader.lastLines({ taskDefinitionArn, containerName: 'web', taskId }, 10, now);
    expect(tail).toEqual({ unavailable: expect.stringMatching(new RegExp(`^could not read ${logGroup} \\(\\w+: [^\\n]+\\)$`)) });
  });

  it('declares its IAM grants: DescribeTaskDefinition on "*" (no resource type), GetLogEvents on log streams', () => {
    expect(logTailGrants.map(({ actions, resource }) => ({ actions, resource }))).toEqual([
      { actions: ['ecs:DescribeTaskDefinition'], resource: 'any-resource' },
      { actions: ['logs:GetLogEvents'], resource: 'log-streams' },
    ]);
  });
});

describe('logStreamConsoleUrl', () => {
  it("links to the stream's page in the CloudWatch console, names encoded twice with '%' as '$'", () => {
    expect(logStreamConsoleUrl('us-east-1', '/ecs/web', 'ecs/web/0123abcd')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb/log-events/ecs$252Fweb$252F0123abcd',
    );
    // The console's own form for a Lambda stream: brackets as $255B and $255D.
    expect(logStreamConsoleUrl('ap-northeast-1', '/aws/lambda/fn', '2024/06/30/[39]3ca88f3a')).toBe(
      'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Ffn/log-events/2024$252F06$252F30$252F$255B39$255D3ca88f3a',
    );
  });
});
