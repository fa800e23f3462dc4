// DynamoDB applied the write but its answer never came back (a timeout, a reset): the SDK sends the
// same request again, and that retry fails its condition against the first attempt's own item. The
// soak found what this did: an event claimed that way went to the dead-letter queue unhandled, and
// a group written that way re-decided against itself and never posted its message.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { processEvent } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { loadFixture } from '../support/fixtures.js';
import { uniqueName } from '../support/lambda.js';

/**
 * Forwards every request; for the first one `lose` picks, drops DynamoDB's answer after it acted.
 * With `thenFail`, that many of the following ones `lose` picks fail without reaching DynamoDB.
 */
class LosingHandler extends NodeHttpHandler {
  lost: string[] = [];
  constructor(
    private readonly lose: (operation: string, body: string) => boolean,
    private thenFail = 0,
  ) {
    super();
  }
  override async handle(...args: Parameters<NodeHttpHandler['handle']>) {
    const [request] = args;
    const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1];
    const operation = String(target ?? '').split('.').pop() ?? '';
    const body = String(request.body);
    if (this.lost.length > 0 && this.thenFail > 0 && this.lose(operation, body)) {
      this.thenFail -= 1;
      throw Object.assign(new Error('no answer, and DynamoDB never saw it'), { name: 'TimeoutError' });
    }
    const answer = await super.handle(...args);
    if (this.lost.length === 0 && this.lose(operation, body)) {
      this.lost.push(operation);
      // What the SDK sees when the answer does not arrive in time; it retries the same request.
      throw Object.assign(new Error('the answer was lost after DynamoDB acted'), { name: 'TimeoutError' });
    }
    return answer;
  }
}

let stack: LocalStack;
const t0 = new Date('2026-11-20T10:00:00Z');

function storeLosing(lose: (operation: string, body: string) => boolean, thenFail = 0) {
  const handler = new LosingHandler(lose, thenFail);
  return { handler, store: new DynamoDbStateStore(new DynamoDBClient({ ...clientOptions(stack.endpoint), requestHandler: handler }), stack.tableName) };
}

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), uniqueName('lost'));
});

describe('conditional writes whose answer is lost', () => {
  it('an event claim is still ours: claimed, not in progress elsewhere', async () => {
    const { store, handler } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('event#claim-1'));
    expect(await store.claimEvent('claim-1', t0, 900, 3600)).toBe('claimed');
    expect(handler.lost).toEqual(['PutItem']);
    // Another invocation still sees it held, then done.
    const { store: other } = storeLosing(() => false);
    expect(await other.claimEvent('claim-1', t0, 900, 3600)).toBe('in-progress');
    await store.completeEvent('claim-1', t0, 3600);
    expect(await other.claimEvent('claim-1', t0, 900, 3600)).toBe('done');
  });

  it('a claim whose call fails after an attempt was written is taken back, so the retry can claim', async () => {
    // The first attempt is written and its answer lost; the SDK's retries fail: the call throws.
    const { store } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('event#claim-2'), 10);
    await expect(store.claimEvent('claim-2', t0, 900, 3600)).rejects.toThrow('never saw it');
    const { store: retry } = storeLosing(() => false);
    expect(await retry.claimEvent('claim-2', t0, 900, 3600)).toBe('claimed');
  });

  it('a versioned record write is still ours: true, and the record holds the value', async () => {
    const { store, handler } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('rec#group-1'));
    expect(await store.putRecord('group-1', { count: 1 }, undefined, t0, 3600)).toBe(true);
    expect(handler.lost).toEqual(['PutItem']);
    expect(await store.getRecord('group-1', t0)).toEqual({ value: { count: 1 }, version: 1 });
    // A real lost race is still a lost race.
    expect(await store.putRecord('group-1', { count: 9 }, undefined, t0, 3600)).toBe(false);
  });

  it('a cooldown is still ours: the caller may act, once', async () => {
    const { store, handler } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('cooldown#svc-1'));
    expect(await store.acquireCooldown('svc-1', t0, 600)).toBe(true);
    expect(handler.lost).toEqual(['PutItem']);
    expect(await store.acquireCooldown('svc-1', t0, 600)).toBe(false);
  });

  it('the pipeline posts the new message when the group write\'s answer was lost', async () => {
    const { store, handler } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('rec#group#'));
    const posted: NotifyAction[] = [];
    const event = { ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('oom') };
    (event.detail as { clusterArn: string }).clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${uniqueName('c')}`;
    const outcome = await processEvent(event, {
      config: validateConfig({}, 'test'),
      store,
      receivers: { sns: { notify: async (action) => (posted.push(action), {}) } },
      dryRun: false,
      now: () => new Date(),
    });
    expect(handler.lost).toEqual(['PutItem']);
    expect(outcome.actions.map((a) => `${a.delivery}:${a.result}`)).toEqual(['new:sent']);
    expect(posted).toHaveLength(1);
  });
});
