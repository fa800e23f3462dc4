// `ecs-autopilot audit` and `ecs-autopilot undo` as a user runs them, against the state table and
// ECS in the emulator, after the remediate pipeline acted there.
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { remediateDependencies } from '../../functions/remediate/wiring.js';
import { UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { containerInstance, deployment, steadyState, taskStopped } from '../../scripts/lib/ecs-events.js';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { type RemediationDependencies, remediateEvent } from '../../shared/execute/remediate-event.js';
import { undoRemediation } from '../../shared/execute/undo.js';
import { agentDown, EcsWorld, rememberingCapacity } from '../support/ecs-emulator.js';
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

const dependencies = (playbooks: Record<string, unknown>) =>
  remediateDependencies(readEnvironment(), validateConfig({ remediate: { optIn: [cluster], killSwitchParameter: `/${cluster}/kill`, playbooks } }, 'test'), () => new Date());

/** A failed deployment the circuit breaker does not roll back, rolled back to the steady revision; returns the ARNs and the audit id. */
async function rollbackByFailedDeployment(service: string) {
  const steady = await world.registerRevision(service);
  await world.createService(service, steady);
  const deps = dependencies({ failedDeployment: { enabled: true } });
  await remediateEvent(steadyState({ cluster, service, id: uniqueName('steady'), time: new Date().toISOString() }), deps);
  const failing = await world.registerRevision(service, 256, 'nginx:typo');
  await world.deploy(service, failing);
  const outcome = await remediateEvent(deployment('failed', { cluster, service, id: uniqueName('failed'), time: new Date().toISOString() }), deps);
  expect(outcome.actions).toMatchObject([{ type: 'rollback', outcome: 'acted', from: failing, to: steady }]);
  expect((await world.service(service)).taskDefinition).toBe(steady);
  return { steady, failing, auditId: outcome.actions[0]!.auditId! };
}

/** A container instance drained by the disconnected-agent playbook; returns its ARN and the audit id. */
async function drainDisconnected(): Promise<{ arn: string; auditId: string }> {
  const { arn, ec2InstanceId } = await world.registerContainerInstance();
  const deps: RemediationDependencies = dependencies({ disconnectedAgent: { enabled: true, after: 1 } });
  deps.ecs = agentDown(deps.ecs!);
  const event = () => containerInstance({ cluster, id: uniqueName('agent'), time: new Date().toISOString(), containerInstanceArn: arn, agentConnected: false, ec2InstanceId });
  await remediateEvent(event(), deps);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const outcome = await remediateEvent(event(), deps);
  expect(outcome.actions).toMatchObject([{ type: 'drain-instance', outcome: 'acted' }]);
  expect(await world.instanceStatus(arn)).toBe('DRAINING');
  return { arn, auditId: outcome.actions[0]!.auditId! };
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

  it('undoes a rollback: the service runs the rolled-back revision again', async () => {
    const { failing, auditId } = await rollbackByFailedDeployment('checkout');
    const json = (await cli('audit', '--json', '--limit', '10')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; detail: { undo: unknown } });
    // The expectation is the ARN the rollback set, which undo compares with the live service.
    expect(json.find((r) => r.id === auditId)!.detail.undo).toMatchObject({ kind: 'update-service', change: { taskDefinition: failing }, expect: { taskDefinition: (await world.service('checkout')).taskDefinition } });
    const undone = await cli('undo', auditId);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toContain(`recorded as undo-${auditId}`);
    expect((await world.service('checkout')).taskDefinition).toBe(failing);
  });

  it('refuses to undo a rollback after someone deployed another revision', async () => {
    const { auditId } = await rollbackByFailedDeployment('basket');
    const fixed = await world.registerRevision('basket', 256, 'nginx:fixed');
    await world.deploy('basket', fixed);
    const refused = await cli('undo', auditId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/now runs .* changed since, not undoing/);
    expect((await world.service('basket')).taskDefinition).toBe(fixed);
  });

  it('undoes a drain while the instance is still DRAINING', async () => {
    const { arn, auditId } = await drainDisconnected();
    const undone = await cli('undo', auditId);
    expect(undone.code, undone.stderr).toBe(0);
    expect(await world.instanceStatus(arn)).toBe('ACTIVE');
  });

  it('refuses to undo a drain after someone set the instance ACTIVE again, and leaves it alone', async () => {
    const { arn, auditId } = await drainDisconnected();
    await world.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [arn], status: 'ACTIVE' }));
    const deps = dependencies({});
    const writes: string[] = [];
    const ecs = { ...deps.ecs!, setInstanceStatus: async (_c: string, a: string, status: 'DRAINING' | 'ACTIVE') => void writes.push(`${a} ${status}`) };
    await expect(undoRemediation(auditId, { store: deps.store, ecs, now: new Date(), by: 'test' })).rejects.toThrow(/is now ACTIVE, not DRAINING .*changed since, not undoing/);
    expect(writes).toEqual([]);
    const refused = await cli('undo', auditId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is now ACTIVE, not DRAINING/);
    expect(await world.instanceStatus(arn)).toBe('ACTIVE');
  });

  it('undoes a capacity fallback only while the service still runs the fallback strategy', async () => {
    const td = await world.registerRevision('spot');
    const spot = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }];
    await world.createService('spot', td, { capacityProviderStrategy: spot });
    const deps = dependencies({ capacityFallback: { enabled: true, interruptions: 2 } });
    const { ecs, state } = rememberingCapacity(deps.ecs!, spot);
    deps.ecs = ecs;
    const interruption = () => taskStopped('spot', { cluster, service: 'spot', id: uniqueName('spot'), time: new Date().toISOString(), taskId: uniqueName('t'), taskDefinitionArn: td, capacityProvider: 'FARGATE_SPOT' });
    await remediateEvent(interruption(), deps);
    const fell = await remediateEvent(interruption(), deps);
    expect(fell.actions).toMatchObject([{ type: 'capacity-fallback', outcome: 'acted' }]);
    const auditId = fell.actions[0]!.auditId!;

    // Someone moved the service to another strategy since: undo refuses and writes nothing.
    state.strategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 2 }];
    state.sent.length = 0;
    await expect(undoRemediation(auditId, { store: deps.store, ecs, now: new Date(), by: 'test' })).rejects.toThrow(
      /now uses the capacity provider strategy FARGATE\(weight 1, base 2\), not FARGATE\(weight 1\) .*changed since, not undoing/,
    );
    expect(state.sent).toEqual([]);

    // Back on the fallback strategy as the action left it: undo moves it back to Spot.
    state.strategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }];
    await undoRemediation(auditId, { store: deps.store, ecs, now: new Date(), by: 'test' });
    expect(state.sent).toEqual([{ capacityProviderStrategy: spot, forceNewDeployment: true }]);
    expect(state.strategy).toEqual(spot);
  });

  it('names an unknown id and exits 1', async () => {
    const result = await cli('undo', 'feedfacecafe');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no audit record 'feedfacecafe'/);
  });
});
