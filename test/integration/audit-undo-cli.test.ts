// `ecs-autopilot audit` and `ecs-autopilot undo` as a user runs them, against the state table and
// ECS in the emulator, after the remediate pipeline acted there.
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { remediateDependencies } from '../../functions/remediate/wiring.js';
import { taskStopped } from '../../scripts/lib/ecs-events.js';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { remediateEvent } from '../../shared/execute/remediate-event.js';
import { EcsWorld } from '../support/ecs-emulator.js';
import { runCli } from '../support/cli.js';
import { uniqueName } from '../support/lambda.js';

let stack: LocalStack;
let world: EcsWorld;
const cluster = uniqueName('undo');

const cli = (...args: string[]) => runCli(args, { ...process.env, ...stack.functionEnv });

async function pauseByCrashLoop(service: string): Promise<string> {
  const td = await world.registerRevision(service);
  await world.createService(service, td, { desiredCount: 3 });
  const config = validateConfig({ remediate: { optIn: [cluster], killSwitchParameter: `/${cluster}/kill`, playbooks: { crashLoop: { enabled: true, pauseTo: 0 } } } }, 'test');
  const deps = remediateDependencies(readEnvironment(), config, () => new Date());
  let auditId = '';
  for (let i = 0; i < 3; i++) {
    const event = taskStopped('app-exit', { cluster, service, id: uniqueName('crash'), time: new Date().toISOString(), taskId: uniqueName('t'), taskDefinitionArn: td });
    const outcome = await remediateEvent(event, deps);
    auditId = outcome.actions[0]?.auditId ?? auditId;
  }
  expect((await world.service(service)).desiredCount).toBe(0);
  return auditId;
}

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), cluster);
  const { QueueUrl } = await new SQSClient(clientOptions(stack.endpoint)).send(new CreateQueueCommand({ QueueName: `${cluster}-remediate-timers` }));
  Object.assign(stack.functionEnv, { REMEDIATE_TIMER_QUEUE_URL: QueueUrl! });
  Object.assign(process.env, stack.functionEnv);
  world = new EcsWorld(stack.endpoint, cluster);
  await world.createCluster();
});

describe('ecs-autopilot audit and undo', () => {
  it('lists the action, undoes it once, and refuses a second undo', async () => {
    const id = await pauseByCrashLoop('orders');
    const listed = await cli('audit');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}  remediate:crash-loop  pause  ${cluster}/orders  acted  3 tasks failed`));
    const json = (await cli('audit', '--json', '--limit', '5')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; detail: { undo: unknown } });
    expect(json.find((r) => r.id === id)!.detail.undo).toEqual({ kind: 'update-service', cluster, service: 'orders', change: { desiredCount: 3 }, expect: { desiredCount: 0 } });

    const undone = await cli('undo', id);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toContain(`recorded as undo-${id}`);
    expect((await world.service('orders')).desiredCount).toBe(3);
    expect((await cli('audit')).stdout).toMatch(new RegExp(`undo-${id}  cli:\\S+  undo  ${cluster}/orders  acted`));

    const again = await cli('undo', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already undone/);
  });

  it('refuses to undo over a change someone made since', async () => {
    const id = await pauseByCrashLoop('payments');
    await world.ecs.send(new (await import('@aws-sdk/client-ecs')).UpdateServiceCommand({ cluster, service: 'payments', desiredCount: 1 }));
    const refused = await cli('undo', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/now wants 1 tasks, not 0 .*changed since, not undoing/);
    expect((await world.service('payments')).desiredCount).toBe(1);
  });

  it('points from the intent record to the action that followed it', async () => {
    const id = await pauseByCrashLoop('shipping');
    const records = (await cli('audit', '--json', '--limit', '20')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; target: string; detail: { outcome: string } });
    const intent = records.find((r) => r.target === `${cluster}/shipping` && r.detail.outcome === 'acting')!;
    const refused = await cli('undo', intent.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`which acted: undo ${id}`);
  });

  it('names an unknown id and exits 1', async () => {
    const result = await cli('undo', 'feedfacecafe');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no audit record 'feedfacecafe'/);
  });
});
