// DynamoDB applied the write but its answer never came back (a timeout, a reset): the SDK sends the
// same request again, and that retry fails its condition against the first attempt's own item. The
// soak found what this did: an event claimed that way went to the dead-letter queue unhandled, and
// a group written that way re-decided against itself and never posted its message.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { processEvent } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { loadFixture } from '../support/fixtures.js';
import { uniqueName } from '../support/lambda.js';

/** The test's view of one DynamoDB call: the operation ('PutItem') and its input as JSON. */
type Pick = (operation: string, input: string) => boolean;

/**
 * A DynamoDB client that sends every call; for the first one `lose` picks, it throws away
 * DynamoDB's answer after DynamoDB acted, as a timeout does. With `thenFail`, that many of the
 * following ones `lose` picks fail without reaching DynamoDB. Both errors are ones the SDK retries.
 */
function losingClient(lose: Pick, thenFail: number) {
  const lost: string[] = [];
  const client = new DynamoDBClient(clientOptions(stack.endpoint));
  const timeout = (message: string) => Object.assign(new Error(message), { name: 'TimeoutError' });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const picked = lose(operation, JSON.stringify(args.input));
      if (picked && lost.length > 0 && thenFail > 0) {
        thenFail -= 1;
        throw timeout('no answer, and DynamoDB never saw the call');
      }
      const answer = await next(args);
      if (picked && lost.length === 0) {
        lost.push(operation);
        throw timeout('the answer was lost after DynamoDB acted');
      }
      return answer;
    },
    // Below the SDK's retries, above the wire: a retried call goes through here again.
    { step: 'deserialize', priority: 'high', name: 'loseAnAnswer' },
  );
  return { client, lost };
}

let stack: LocalStack;
const t0 = new Date('2026-11-20T10:00:00Z');

function storeLosing(lose: Pick, thenFail = 0) {
  const { client, lost } = losingClient(lose, thenFail);
  return { lost, store: new DynamoDbStateStore(client, stack.tableName) };
}

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), uniqueName('lost'));
});

describe('conditional writes whose answer is lost', () => {
  it('an event claim is still ours: claimed, not in progress elsewhere', async () => {
    const { store, lost } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('event#claim-1'));
    expect(await store.claimEvent('claim-1', t0, 900, 3600)).toBe('claimed');
    expect(lost).toEqual(['PutItem']);
    // Another invocation still sees it held, then done.
    const { store: other } = storeLosing(() => false);
    expect(await other.claimEvent('claim-1', t0, 900, 3600)).toBe('in-progress');
    await store.completeEvent('claim-1', t0, 3600);
    expect(await other.claimEvent('claim-1', t0, 900, 3600)).toBe('done');
  });

  it('a claim whose call fails after an attempt was written is taken back, so the retry can claim', async () => {
    // The first attempt is written and its answer lost; the SDK's retries fail: the call throws.
    const { store } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('event#claim-2'), 10);
    await expect(store.claimEvent('claim-2', t0, 900, 3600)).rejects.toThrow('DynamoDB never saw the call');
    const { store: retry } = storeLosing(() => false);
    expect(await retry.claimEvent('claim-2', t0, 900, 3600)).toBe('claimed');
  });

  it('a versioned record write is still ours: true, and the record holds the value', async () => {
    const { store, lost } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('rec#group-1'));
    expect(await store.putRecord('group-1', { count: 1 }, undefined, t0, 3600)).toBe(true);
    expect(lost).toEqual(['PutItem']);
    expect(await store.getRecord('group-1', t0)).toEqual({ value: { count: 1 }, version: 1 });
    // A real lost race is still a lost race.
    expect(await store.putRecord('group-1', { count: 9 }, undefined, t0, 3600)).toBe(false);
  });

  it('a cooldown is still ours: the caller may act, once', async () => {
    const { store, lost } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('cooldown#svc-1'));
    expect(await store.acquireCooldown('svc-1', t0, 600)).toBe(true);
    expect(lost).toEqual(['PutItem']);
    expect(await store.acquireCooldown('svc-1', t0, 600)).toBe(false);
  });

  it('an audit record is still ours: recorded once, and the caller announces it', async () => {
    const record = { id: 'audit-lost-1', time: t0.toISOString(), actor: 'remediate:crash-loop', action: 'pause', target: 'prod/lost', reason: 'test', eventIds: ['e1'] };
    for (const trail of ['auditid#audit-lost-1', '"pk":{"S":"audit"}']) {
      const { store, lost } = storeLosing((operation, body) => operation === 'PutItem' && body.includes(trail) && body.includes('audit-lost-1'));
      const id = `${record.id}-${trail.length}`;
      const stored = await store.appendAudit({ ...record, id }, 3600);
      expect(lost, trail).toEqual(['PutItem']);
      expect(stored, trail).toMatchObject({ id, time: record.time });
    }
    const { store } = storeLosing(() => false);
    expect((await store.listAudit(1000)).filter((r) => r.id.startsWith('audit-lost-1'))).toHaveLength(2);
  });

  it('an audit record whose attempt died between its two writes keeps that attempt\'s time', async () => {
    const record = { id: 'audit-died-1', time: t0.toISOString(), actor: 'remediate:crash-loop', action: 'pause', target: 'prod/died', reason: 'test', eventIds: ['e1'] };
    const dying = new DynamoDBClient({ ...clientOptions(stack.endpoint), maxAttempts: 1 });
    dying.middlewareStack.add(
      (next) => async (args) => {
        if (JSON.stringify(args.input).includes('"pk":{"S":"audit"}')) throw new Error('the invocation died here');
        return next(args);
      },
      { step: 'initialize', name: 'dieBeforeTheTrail' },
    );
    await expect(new DynamoDbStateStore(dying, stack.tableName).appendAudit(record, 3600)).rejects.toThrow('died here');
    const { store } = storeLosing(() => false);
    const later = new Date(t0.getTime() + 60_000).toISOString();
    expect(await store.appendAudit({ ...record, time: later }, 3600)).toMatchObject({ id: record.id, time: record.time });
    expect(await store.appendAudit({ ...record, time: later }, 3600)).toBeUndefined();
    expect((await store.listAudit(1000)).filter((r) => r.id === record.id).map((r) => r.time)).toEqual([record.time]);
  });

  it('the pipeline posts the new message when the group write\'s answer was lost', async () => {
    const { store, lost } = storeLosing((operation, body) => operation === 'PutItem' && body.includes('rec#group#'));
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
    expect(lost).toEqual(['PutItem']);
    expect(outcome.actions.map((a) => `${a.delivery}:${a.result}`)).toEqual(['new:sent']);
    expect(posted).toHaveLength(1);
  });
});
