// The state store over one DynamoDB table (pk, sk, TTL on expiresAt). Every write that decides
// something is conditional, never read-then-write, so concurrent invocations cannot both win.
// TTL deletes lazily (up to days later), so every read also treats an expired item as absent.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { IamGrant } from '../adapters/iam.js';
import { type AuditRecord, type ClaimResult, type StateStore, type VersionedRecord, epochSeconds } from './store.js';

export const stateStoreGrants: IamGrant[] = [
  {
    purpose: 'idempotency, windows, cooldowns and audit in the state table',
    actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    resource: 'state-table',
  },
];

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const ONE_ITEM = '-';

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

/**
 * Conditional writes carry a token of their own, and a failed one returns the item in its way
 * (ReturnValuesOnConditionCheckFailure). Why: when DynamoDB applies a write but its answer is lost
 * (a timeout, a reset), the SDK sends the same request again, and that retry fails its condition
 * against the first attempt's item. Without the token the caller would take its own claim for
 * another invocation's (the event went to the dead-letter queue, never handled) and its own group
 * write for a lost race (it re-decided against itself: `suppressed`, and the message was never sent).
 */
const writeToken = () => randomUUID();

/** The item that failed a conditional write (undefined when DynamoDB did not return it). */
const itemInTheWay = (error: unknown) => (error as { Item?: Record<string, AttributeValue> }).Item;

export class DynamoDbStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claimEvent(eventId: string, now: Date, leaseSeconds: number, ttlSeconds: number): Promise<ClaimResult> {
    const t = epochSeconds(now);
    const owner = writeToken();
    let existing: Record<string, AttributeValue> | undefined;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`event#${eventId}`), sk: S(ONE_ITEM), status: S('in-progress'), leaseUntil: N(t + leaseSeconds), expiresAt: N(t + ttlSeconds), owner: S(owner) },
          // Free when never seen, expired, or held by an invocation whose lease ran out (it crashed).
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': N(t), ':inProgress': S('in-progress') },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) {
        await this.takeBack(`event#${eventId}`, 'owner', owner);
        throw error;
      }
      existing = itemInTheWay(error);
    }
    existing ??= (
      await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`event#${eventId}`), sk: S(ONE_ITEM) }, ConsistentRead: true }))
    ).Item;
    // Our own first attempt, whose answer was lost: the claim is ours.
    if (existing?.owner?.S === owner && existing.status?.S === 'in-progress') return 'claimed';
    return existing?.status?.S === 'done' ? 'done' : 'in-progress';
  }

  async completeEvent(eventId: string, now: Date, ttlSeconds: number): Promise<void> {
    const t = epochSeconds(now);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: S(`event#${eventId}`), sk: S(ONE_ITEM) },
        UpdateExpression: 'SET #status = :done, expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': S('done'), ':expiresAt': N(t + ttlSeconds) },
      }),
    );
  }

  /**
   * A claim (or cooldown) call that fails may still have been written by an earlier attempt whose
   * answer was lost. Best effort, take it back, only if it carries this call's token: left there,
   * it would hold the event 'in-progress' against every retry for the whole lease.
   */
  private async takeBack(pk: string, attribute: string, token: string): Promise<void> {
    await this.client
      .send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: S(pk), sk: S(ONE_ITEM) },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': attribute },
          ExpressionAttributeValues: { ':token': S(token) },
        }),
      )
      .catch(() => undefined);
  }

  async releaseEvent(eventId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${eventId}`), sk: S(ONE_ITEM) },
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': S('in-progress') },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async countInWindow(key: string, occurrenceId: string, now: Date, windowSeconds: number): Promise<number> {
    const t = epochSeconds(now);
    const pk = S(`window#${key}`);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk, sk: S(`occ#${occurrenceId}`), at: N(t), expiresAt: N(t + windowSeconds) },
          // A redelivered occurrence is not counted twice.
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    let count = 0;
    // Every page: a window can hold more occurrences than one Query returns.
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#at > :from AND #at <= :now',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':pk': pk, ':from': N(t - windowSeconds), ':now': N(t) },
        ConsistentRead: true,
        Select: 'COUNT',
      },
    )) {
      count += page.Count ?? 0;
    }
    return count;
  }

  async acquireCooldown(key: string, now: Date, cooldownSeconds: number, owner?: string): Promise<boolean> {
    const t = epochSeconds(now);
    const holder = writeToken();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`cooldown#${key}`), sk: S(ONE_ITEM), until: N(t + cooldownSeconds), expiresAt: N(t + cooldownSeconds), holder: S(holder), ...(owner ? { owner: S(owner) } : {}) },
          ConditionExpression: owner ? 'attribute_not_exists(pk) OR #until <= :now OR #owner = :owner' : 'attribute_not_exists(pk) OR #until <= :now',
          ExpressionAttributeNames: { '#until': 'until', ...(owner ? { '#owner': 'owner' } : {}) },
          ExpressionAttributeValues: { ':now': N(t), ...(owner ? { ':owner': S(owner) } : {}) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      // Our own first attempt, whose answer was lost, started the cooldown: we may act.
      if (isConditionFailure(error)) return itemInTheWay(error)?.holder?.S === holder;
      await this.takeBack(`cooldown#${key}`, 'holder', holder);
      throw error;
    }
  }

  async reserveSlot(key: string, slotId: string, limit: number, now: Date, ttlSeconds: number): Promise<boolean> {
    const t = epochSeconds(now);
    try {
      // One item per budget period holds the ids that took a slot: adding an id already there is a
      // no-op (so a retried call whose answer was lost succeeds too), and the condition lets no
      // more than `limit` distinct ids in, however many race.
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`budget#${key}`), sk: S(ONE_ITEM) },
          UpdateExpression: 'ADD #ids :id SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#ids) OR size(#ids) < :limit OR contains(#ids, :slot)',
          ExpressionAttributeNames: { '#ids': 'ids' },
          ExpressionAttributeValues: { ':id': { SS: [slotId] }, ':slot': S(slotId), ':limit': N(limit), ':expires': N(t + ttlSeconds) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async cooldownUntil(key: string, now: Date): Promise<Date | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`cooldown#${key}`), sk: S(ONE_ITEM) }, ConsistentRead: true }));
    const until = Number(Item?.until?.N ?? 0);
    return until > epochSeconds(now) ? new Date(until * 1000) : undefined;
  }

  async slotsTaken(key: string, now: Date): Promise<number> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`budget#${key}`), sk: S(ONE_ITEM) }, ConsistentRead: true }));
    // TTL deletes lazily: a period that has expired holds no slots, whatever is still stored.
    return Item && Number(Item.expiresAt?.N ?? 0) > epochSeconds(now) ? (Item.ids?.SS ?? []).length : 0;
  }

  async appendAudit(record: AuditRecord, ttlSeconds: number): Promise<AuditRecord | undefined> {
    // The trail is sorted by time (sk = time#id), so a retry at a later time would make a second
    // item. The id's first time is kept in an item of its own, written first: the trail item then
    // has the same key on every attempt, and its condition lets exactly one in. Both writes carry
    // this call's token, so a lost answer of our own write still counts as ours.
    const expiresAt = N(epochSeconds(new Date(record.time)) + ttlSeconds);
    const writer = writeToken();
    let time = record.time;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`auditid#${record.id}`), sk: S(ONE_ITEM), time: S(record.time), expiresAt, writer: S(writer) },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      time = itemInTheWay(error)?.time?.S ?? (await this.auditTimeOf(record.id)) ?? record.time;
    }
    const stored = { ...record, time };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S('audit'), sk: S(`${time}#${record.id}`), record: S(JSON.stringify(stored)), expiresAt, writer: S(writer) },
          ConditionExpression: 'attribute_not_exists(sk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return stored;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return itemInTheWay(error)?.writer?.S === writer ? stored : undefined;
    }
  }

  private async auditTimeOf(id: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`auditid#${id}`), sk: S(ONE_ITEM) }, ConsistentRead: true }));
    return Item?.time?.S;
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S('audit') },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => JSON.parse(item.record?.S ?? '{}') as AuditRecord);
  }

  async getRecord<T>(key: string, now: Date): Promise<VersionedRecord<T> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`rec#${key}`), sk: S(ONE_ITEM) }, ConsistentRead: true }),
    );
    if (!Item || Number(Item.expiresAt?.N ?? 0) < epochSeconds(now)) return undefined;
    return { value: JSON.parse(Item.value?.S ?? 'null') as T, version: Number(Item.version?.N ?? 0) };
  }

  async putRecord<T>(key: string, value: T, expectedVersion: number | undefined, now: Date, ttlSeconds: number): Promise<boolean> {
    const t = epochSeconds(now);
    const writer = writeToken();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`rec#${key}`), sk: S(ONE_ITEM), value: S(JSON.stringify(value)), version: N((expectedVersion ?? 0) + 1), expiresAt: N(t + ttlSeconds), writer: S(writer) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now', ExpressionAttributeValues: { ':now': N(t) } }
            : {
                ConditionExpression: 'version = :expected AND expiresAt >= :now',
                ExpressionAttributeValues: { ':expected': N(expectedVersion), ':now': N(t) },
              }),
        }),
      );
      return true;
    } catch (error) {
      // Our own first attempt, whose answer was lost, wrote the record: the write is ours.
      if (isConditionFailure(error)) return itemInTheWay(error)?.writer?.S === writer;
      throw error;
    }
  }

  async putInCollection<T>(collection: string, id: string, value: T, now: Date, ttlSeconds: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: S(`col#${collection}`), sk: S(id), value: S(JSON.stringify(value)), expiresAt: N(epochSeconds(now) + ttlSeconds) },
      }),
    );
  }

  async listCollection<T>(collection: string, now: Date): Promise<Array<{ id: string; value: T }>> {
    const items: Array<{ id: string; value: T }> = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'expiresAt >= :now',
        ExpressionAttributeValues: { ':pk': S(`col#${collection}`), ':now': N(epochSeconds(now)) },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) items.push({ id: item.sk?.S ?? '', value: JSON.parse(item.value?.S ?? 'null') as T });
    }
    return items;
  }

  async deleteFromCollection(collection: string, id: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: { pk: S(`col#${collection}`), sk: S(id) }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }
}
