// One contract, two stores: the DynamoDB store against the emulator and the in-memory store used
// offline must behave the same, or replay would not predict what the deployed function does.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import type { StateStore } from '../../shared/state/store.js';
import { uniqueName } from '../support/lambda.js';

const t0 = new Date('2026-11-20T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const stores: Array<[string, () => Promise<StateStore>]> = [
  ['memory', async () => new MemoryStateStore()],
  [
    'dynamodb (emulator)',
    async () => {
      const stack = await createLocalStack(inject('awsEndpoint'), uniqueName('store'));
      return new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), stack.tableName);
    },
  ],
];

describe.each(stores)('state store contract: %s', (_name, makeStore) => {
  let store: StateStore;
  beforeAll(async () => {
    store = await makeStore();
  });

  it('claims an event once; a completed event reads as done', async () => {
    expect(await store.claimEvent('e1', t0, 900, 3600)).toBe('claimed');
    expect(await store.claimEvent('e1', at(1), 900, 3600)).toBe('in-progress');
    await store.completeEvent('e1', at(2), 3600);
    expect(await store.claimEvent('e1', at(3), 900, 3600)).toBe('done');
  });

  it('lets a retry claim an event whose first attempt released it after failing', async () => {
    expect(await store.claimEvent('e2', t0, 900, 3600)).toBe('claimed');
    await store.releaseEvent('e2');
    expect(await store.claimEvent('e2', at(60), 900, 3600)).toBe('claimed');
  });

  it('lets a retry take over an event whose holder crashed (lease expired)', async () => {
    expect(await store.claimEvent('e3', t0, 10, 3600)).toBe('claimed');
    expect(await store.claimEvent('e3', at(5), 10, 3600)).toBe('in-progress');
    expect(await store.claimEvent('e3', at(11), 10, 3600)).toBe('claimed');
  });

  it('forgets a handled event after its TTL, even before DynamoDB deletes it', async () => {
    expect(await store.claimEvent('e4', t0, 10, 100)).toBe('claimed');
    await store.completeEvent('e4', t0, 100);
    expect(await store.claimEvent('e4', at(50), 10, 100)).toBe('done');
    expect(await store.claimEvent('e4', at(101), 10, 100)).toBe('claimed');
  });

  it('does not release an event that is already done', async () => {
    await store.claimEvent('e5', t0, 900, 3600);
    await store.completeEvent('e5', t0, 3600);
    await store.releaseEvent('e5');
    expect(await store.claimEvent('e5', at(1), 900, 3600)).toBe('done');
  });

  it('counts occurrences in a sliding window, once per occurrence id', async () => {
    expect(await store.countInWindow('svc', 'a', t0, 60)).toBe(1);
    expect(await store.countInWindow('svc', 'b', at(10), 60)).toBe(2);
    expect(await store.countInWindow('svc', 'b', at(11), 60)).toBe(2); // redelivered
    expect(await store.countInWindow('svc', 'c', at(65), 60)).toBe(2); // 'a' left the window
    expect(await store.countInWindow('other', 'a', at(65), 60)).toBe(1);
  });

  it('grants a cooldown to one caller until it expires', async () => {
    expect(await store.acquireCooldown('cd', t0, 300)).toBe(true);
    expect(await store.acquireCooldown('cd', at(299), 300)).toBe(false);
    expect(await store.acquireCooldown('cd', at(300), 300)).toBe(true);
  });

  it('lets the cooldown owner in again while the cooldown runs, and nobody else', async () => {
    expect(await store.acquireCooldown('cd-owned', t0, 300, 'event-1')).toBe(true);
    expect(await store.acquireCooldown('cd-owned', at(10), 300, 'event-1')).toBe(true);
    expect(await store.acquireCooldown('cd-owned', at(10), 300, 'event-2')).toBe(false);
    expect(await store.acquireCooldown('cd-owned', at(10), 300)).toBe(false);
  });

  it('hands out at most the budget of slots, idempotently per slot id, even under a race', async () => {
    expect(await store.reserveSlot('b1', 'a', 2, t0, 3600)).toBe(true);
    expect(await store.reserveSlot('b1', 'a', 2, t0, 3600)).toBe(true);
    expect(await store.reserveSlot('b1', 'b', 2, t0, 3600)).toBe(true);
    expect(await store.reserveSlot('b1', 'c', 2, t0, 3600)).toBe(false);
    expect(await store.reserveSlot('b1', 'a', 2, t0, 3600)).toBe(true);
    const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => store.reserveSlot('b2', `r${i}`, 3, t0, 3600)));
    expect(raced.filter(Boolean)).toHaveLength(3);
  });

  it('reads a running cooldown and the slots taken without taking any', async () => {
    expect(await store.cooldownUntil('cd-read', t0)).toBeUndefined();
    await store.acquireCooldown('cd-read', t0, 300);
    expect(await store.cooldownUntil('cd-read', at(10))).toEqual(at(300));
    expect(await store.cooldownUntil('cd-read', at(300))).toBeUndefined();
    expect(await store.slotsTaken('b-read', t0)).toBe(0);
    await store.reserveSlot('b-read', 'a', 3, t0, 3600);
    await store.reserveSlot('b-read', 'b', 3, t0, 3600);
    expect(await store.slotsTaken('b-read', at(10))).toBe(2);
    expect(await store.slotsTaken('b-read', at(3600))).toBe(0);
    // Reading took nothing: the third slot is still free.
    expect(await store.reserveSlot('b-read', 'c', 3, at(10), 3600)).toBe(true);
    expect(await store.reserveSlot('b-read', 'd', 3, at(10), 3600)).toBe(false);
  });

  it('keeps audit records newest first, without duplicates', async () => {
    const record = (id: string, seconds: number) => ({
      id,
      time: at(seconds).toISOString(),
      actor: 'notify',
      action: 'notify',
      target: 'prod/web',
      reason: 'test',
      eventIds: [id],
    });
    expect(await store.appendAudit(record('a1', 1), 3600)).toMatchObject({ id: 'a1' });
    expect(await store.appendAudit(record('a2', 2), 3600)).toMatchObject({ id: 'a2' });
    expect(await store.appendAudit(record('a2', 2), 3600)).toBeUndefined();
    // A retry records later than its first attempt: the id is what makes it the same record.
    expect(await store.appendAudit(record('a2', 30), 3600)).toBeUndefined();
    const listed = await store.listAudit(10);
    expect(listed.map((r) => r.id)).toEqual(['a2', 'a1']);
    expect(listed[0]!.time).toBe(at(2).toISOString());
    expect(await store.listAudit(1)).toHaveLength(1);
  });

  it('lets exactly one of many concurrent claimants act', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claimEvent('race', t0, 900, 3600)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  it('writes a versioned record only from the version it read', async () => {
    expect(await store.getRecord('group/a', t0)).toBeUndefined();
    expect(await store.putRecord('group/a', { count: 1 }, undefined, t0, 3600)).toBe(true);
    expect(await store.putRecord('group/a', { count: 9 }, undefined, t0, 3600)).toBe(false);
    const read = await store.getRecord<{ count: number }>('group/a', at(1));
    expect(read).toEqual({ value: { count: 1 }, version: 1 });
    expect(await store.putRecord('group/a', { count: 2 }, read!.version, at(2), 3600)).toBe(true);
    expect(await store.putRecord('group/a', { count: 3 }, read!.version, at(3), 3600)).toBe(false);
    expect(await store.getRecord('group/a', at(4))).toEqual({ value: { count: 2 }, version: 2 });
  });

  it('treats an expired record as absent', async () => {
    await store.putRecord('group/b', { n: 1 }, undefined, t0, 10);
    expect(await store.getRecord('group/b', at(11))).toBeUndefined();
    expect(await store.putRecord('group/b', { n: 2 }, undefined, at(11), 10)).toBe(true);
  });

  it('lets exactly one of concurrent writers from the same version win', async () => {
    await store.putRecord('group/c', { n: 0 }, undefined, t0, 3600);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.putRecord('group/c', { n: i }, 1, t0, 3600)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps collections of items, lists the unexpired ones and deletes', async () => {
    await store.putInCollection('silences', 's2', { service: 'web' }, t0, 100);
    await store.putInCollection('silences', 's1', { cause: 'oom' }, t0, 10);
    await store.putInCollection('other', 'x', {}, t0, 100);
    expect(await store.listCollection('silences', at(5))).toEqual([
      { id: 's1', value: { cause: 'oom' } },
      { id: 's2', value: { service: 'web' } },
    ]);
    expect((await store.listCollection('silences', at(11))).map((i) => i.id)).toEqual(['s2']);
    expect(await store.deleteFromCollection('silences', 's2')).toBe(true);
    expect(await store.deleteFromCollection('silences', 's2')).toBe(false);
    expect(await store.listCollection('silences', at(5))).toEqual([{ id: 's1', value: { cause: 'oom' } }]);
  });
});
