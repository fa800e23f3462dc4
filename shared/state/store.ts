// The state store: what the pipeline remembers between invocations. One DynamoDB table in AWS
// (dynamodb-store.ts), a Map offline and in unit tests (memory-store.ts); both pass the same
// contract test (test/integration/state-store.contract.test.ts).

export type ClaimResult =
  /** This invocation owns the event: act, then complete (or release on failure). */
  | 'claimed'
  /** The event was handled before: EventBridge redelivered it. Do nothing. */
  | 'done'
  /** Another invocation is handling it right now. Fail, so Lambda retries after that one finished. */
  | 'in-progress';

export interface AuditRecord {
  id: string;
  time: string;
  /** What acted: `notify`, later the playbooks. */
  actor: string;
  action: string;
  target: string;
  reason: string;
  eventIds: string[];
  detail?: Record<string, unknown>;
}

export interface StateStore {
  /** Conditional claim of an event id; a lease that expires lets a crashed invocation's event be retried. */
  claimEvent(eventId: string, now: Date, leaseSeconds: number, ttlSeconds: number): Promise<ClaimResult>;
  completeEvent(eventId: string, now: Date, ttlSeconds: number): Promise<void>;
  /** Gives the claim up after a failure, so the retry can act. */
  releaseEvent(eventId: string): Promise<void>;
  /**
   * Records one occurrence (idempotent per occurrenceId) under `key` and returns how many
   * occurrences lie within the last `windowSeconds`: the sliding windows of crash-loop detection.
   */
  countInWindow(key: string, occurrenceId: string, now: Date, windowSeconds: number): Promise<number>;
  /**
   * Starts a cooldown unless one is running: true when the caller may act now. With an `owner`, the
   * same owner gets true again while its cooldown runs, so a retried invocation can finish its action.
   */
  acquireCooldown(key: string, now: Date, cooldownSeconds: number, owner?: string): Promise<boolean>;
  /**
   * Takes one of `limit` slots of a budget (`key` names the budget and its period): true when
   * `slotId` holds a slot (it may already have had it), false when all are taken. Conditional, so
   * concurrent callers never take more than `limit` between them.
   */
  reserveSlot(key: string, slotId: string, limit: number, now: Date, ttlSeconds: number): Promise<boolean>;
  /** When the cooldown under `key` ends, if one is running at `now` (reads only: `explain` shows it). */
  cooldownUntil(key: string, now: Date): Promise<Date | undefined>;
  /** How many slots of the budget `key` are taken (reads only: `explain` shows the budget left). */
  slotsTaken(key: string, now: Date): Promise<number>;
  /**
   * Records `record` once per id: a second call with the same id (a retry of the attempt that
   * recorded it, at a later time) records nothing and returns undefined. Otherwise the record as
   * stored, which keeps the time of the first call with its id (an attempt that died between its
   * two writes). A caller announces what it recorded only when this returns the record.
   */
  appendAudit(record: AuditRecord, ttlSeconds: number): Promise<AuditRecord | undefined>;
  /** Most recent first. */
  listAudit(limit: number): Promise<AuditRecord[]>;
  /** A JSON record with a version (notification groups, service health, disconnected agents). */
  getRecord<T>(key: string, now: Date): Promise<VersionedRecord<T> | undefined>;
  /**
   * Optimistic write: succeeds only if the record is still at `expectedVersion` (undefined: it
   * must not exist, or have expired). Returns false when another invocation got there first;
   * the caller reads again and re-decides.
   */
  putRecord<T>(key: string, value: T, expectedVersion: number | undefined, now: Date, ttlSeconds: number): Promise<boolean>;
  /** Small named sets of JSON items (silences): put, list (unexpired), delete. */
  putInCollection<T>(collection: string, id: string, value: T, now: Date, ttlSeconds: number): Promise<void>;
  listCollection<T>(collection: string, now: Date): Promise<Array<{ id: string; value: T }>>;
  deleteFromCollection(collection: string, id: string): Promise<boolean>;
}

export interface VersionedRecord<T> {
  value: T;
  version: number;
}

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
