// The first end-to-end slice, against the emulator: a stopped task with a failure becomes a
// structured SNS notification (read back through an SQS subscription), exactly once.
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack, receiveNotifications } from '../../scripts/lib/local-stack.js';
import { loadFixture, retargetTaskEvent } from '../support/fixtures.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ outcome: string; notes: string[] }>;

let stack: LocalStack;
let handler: Handler;
const cluster = uniqueName('slice');

async function createService(name: string, tags: Record<string, string>): Promise<void> {
  const ecs = new ECSClient(clientOptions(stack.endpoint));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: [{ name, image: 'nginx', memory: 128 }] }));
  await ecs.send(
    new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: name, desiredCount: 0, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }),
  );
}

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), cluster);
  await new ECSClient(clientOptions(stack.endpoint)).send(new CreateClusterCommand({ clusterName: cluster }));
  await createService('web', {});
  await createService('quiet', { 'ecs-autopilot:notify': 'off' });
  await createService('picky', { 'ecs-autopilot:mute-causes': 'health-check', 'ecs-autopilot:colour': 'blue' });
  // The handler reads its environment at cold start, as in Lambda: set it, then load the module.
  Object.assign(process.env, stack.functionEnv);
  ({ handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler });
});

describe('notify handler against the emulator', () => {
  it('publishes a stopped OOM task once, with body and filterable attributes, and ignores its redelivery', async () => {
    const event = retargetTaskEvent(loadFixture('events/task-stopped-oom.json'), { cluster, service: 'web', id: uniqueName('evt') });

    const first = await handler(event, lambdaContext());
    expect(first.outcome).toBe('acted');
    const notifications = await receiveNotifications(stack);
    expect(notifications).toHaveLength(1);
    const [notification] = notifications;
    expect(notification!.attributes).toEqual({ severity: 'critical', cause: 'oom', cluster, service: 'web', kind: 'task-stopped', status: 'firing', delivery: 'new' });
    expect(notification!.subject).toBe(`[critical] oom: ${cluster}/web`);
    const detail = event.detail as { taskArn: string; taskDefinitionArn: string; stopCode: string };
    expect(notification!.body).toMatchObject({
      schema: 'ecs-autopilot/notification@1',
      severity: 'critical',
      cause: 'oom',
      cluster,
      service: 'web',
      eventId: event.id,
      task: { arn: detail.taskArn, taskDefinitionArn: detail.taskDefinitionArn, stopCode: detail.stopCode },
    });
    expect(String(notification!.body.hint)).toMatch(/memory/i);
    expect((notification!.body.links as Record<string, string>).task).toContain(`/clusters/${cluster}/tasks/`);

    // EventBridge delivers at least once: the same event again must not notify again.
    const second = await handler(event, lambdaContext());
    expect(second.outcome).toBe('ignored');
    expect(second.notes.join(' ')).toMatch(/duplicate/);
    expect(await receiveNotifications(stack)).toHaveLength(0);
  });

  it('says nothing for a normal replacement during a deployment', async () => {
    const event = retargetTaskEvent(loadFixture('events/task-stopped-deployment.json'), { cluster, service: 'web', id: uniqueName('evt') });
    expect((await handler(event, lambdaContext())).outcome).toBe('ignored');
    expect(await receiveNotifications(stack)).toHaveLength(0);
  });

  it('honours a service tag that mutes the service, read from ECS', async () => {
    const event = retargetTaskEvent(loadFixture('events/task-stopped-oom.json'), { cluster, service: 'quiet', id: uniqueName('evt') });
    const outcome = await handler(event, lambdaContext());
    expect(outcome.outcome).toBe('ignored');
    expect(outcome.notes.join(' ')).toMatch(/muted by its ecs-autopilot:notify tag/);
    expect(await receiveNotifications(stack)).toHaveLength(0);
  });

  it('mutes only the causes a service tag names, and reports a tag it does not know', async () => {
    const healthCheck = retargetTaskEvent(loadFixture('events/task-stopped-health-check-elb.json'), { cluster, service: 'picky', id: uniqueName('evt') });
    expect((await handler(healthCheck, lambdaContext())).outcome).toBe('ignored');
    const oom = retargetTaskEvent(loadFixture('events/task-stopped-oom.json'), { cluster, service: 'picky', id: uniqueName('evt') });
    expect((await handler(oom, lambdaContext())).outcome).toBe('acted');
    const [notification, ...more] = await receiveNotifications(stack);
    expect(more).toHaveLength(0);
    expect(notification!.attributes.cause).toBe('oom');
    expect(notification!.body.warnings).toEqual([expect.stringContaining('ecs-autopilot:colour')]);
  });

  it('fails the invocation on a malformed event, naming the field, so it lands in the dead-letter queue', async () => {
    const event = loadFixture('malformed/task-missing-cluster-arn.json');
    await expect(handler(event, lambdaContext())).rejects.toThrow(/detail\.clusterArn/);
    expect(await receiveNotifications(stack)).toHaveLength(0);
  });

  it('logs and ignores an event kind it does not know', async () => {
    const outcome = await handler({ ...loadFixture('events/task-stopped-oom.json'), 'detail-type': 'ECS Something New' }, lambdaContext());
    expect(outcome.outcome).toBe('ignored');
  });
});
