// Races against the emulator's DynamoDB: conditional writes, not read-then-write, decide who acts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { EventInProgressError, type PipelineDependencies, processEvent } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { loadFixture } from '../support/fixtures.js';
import { uniqueName } from '../support/lambda.js';

let deps: PipelineDependencies;
const posted: NotifyAction[] = [];

beforeAll(async () => {
  const stack = await createLocalStack(inject('awsEndpoint'), uniqueName('race'));
  deps = {
    config: validateConfig({}, 'test'),
    store: new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), stack.tableName),
    // A receiver slow enough that the racers overlap.
    receivers: { sns: { notify: async (a) => (await new Promise((r) => setTimeout(r, 50)), posted.push(a), {}) } },
    dryRun: false,
    now: () => new Date(),
  };
});

/** Lambda's retry of a failed asynchronous invocation, without its minute of waiting. */
async function withRetries(event: unknown): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await processEvent(structuredClone(event), deps)).outcome;
    } catch (error) {
      if (!(error instanceof EventInProgressError) || attempt >= 2) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('concurrent invocations against the emulator', () => {
  it('acts once when the same event is delivered to two invocations at the same time', async () => {
    posted.length = 0;
    const event = { ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('same') };
    (event.detail as { clusterArn: string }).clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${uniqueName('c')}`;
    const outcomes = await Promise.all([withRetries(event), withRetries(event), withRetries(event)]);
    expect(outcomes.filter((o) => o === 'acted')).toHaveLength(1);
    expect(posted).toHaveLength(1);
  });

  it('posts one new message when different events of one group race', async () => {
    posted.length = 0;
    const cluster = uniqueName('c');
    const events = Array.from({ length: 6 }, (_, i) => {
      const e = { ...loadFixture('events/task-stopped-oom.json'), id: uniqueName(`race${i}`) };
      (e.detail as { clusterArn: string; taskArn: string }).clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`;
      (e.detail as { taskArn: string }).taskArn += i;
      return e;
    });
    const results = await Promise.all(events.map((e) => processEvent(e, deps)));
    const deliveries = results.flatMap((r) => r.actions.map((a) => a.delivery));
    expect(deliveries.filter((d) => d === 'new')).toHaveLength(1);
    expect(deliveries.filter((d) => d === 'suppressed')).toHaveLength(5);
    expect(posted).toHaveLength(1);
  });
});
