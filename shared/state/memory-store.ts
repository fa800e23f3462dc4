// The state store in memory: for `replay --offline` (state carried from one event to the next)
// and unit tests. Same semantics as the DynamoDB store, expiry included.
import { type AuditRecord, type ClaimResult, type StateStore, type VersionedRecord, epochSeconds } from './store.js';

interface EventClaim {
  status: 'in-progress' | 'done';
  leaseUntil: number;
  expiresAt: number;
}

export class MemoryStateStore implements StateStore {
  private readonly events = new Map<string, EventClaim>();
  private readonly windows = new Map<string, Map<string, number>>();
  private readonly cooldowns = new Map<string, { until: number; owner: string | undefined }>();
  private readonly slots = new Map<string, { ids: Set<string>; expiresAt: number }>();
  private readonly audit: Array<{ record: AuditRecord; expiresAt: number }> = [];
  private readonly records = new Map<string, { json: string; version: number; expiresAt: number }>();
  private readonly collections = new Map<string, Map<string, { json: string; expiresAt: number }>>();

  async claimEvent(eventId: string, now: Date, leaseSeconds: number, ttlSeconds: number): Promise<ClaimResult> {
    const t = epochSeconds(now);
    const existing = this.events.get(eventId);
    if (existing && existing.expiresAt >= t) {
      if (existing.status === 'done') return 'done';
      if (existing.leaseUntil >= t) return 'in-progress';
    }
    this.events.set(eventId, { status: 'in-progress', leaseUntil: t + leaseSeconds, expiresAt: t + ttlSeconds });
    return 'claimed';
  }

  async completeEvent(eventId: string, now: Date, ttlSeconds: number): Promise<void> {
    const t = epochSeconds(now);
    this.events.set(eventId, { status: 'done', leaseUntil: t, expiresAt: t + ttlSeconds });
  }

  async releaseEvent(eventId: string): Promise<void> {
    if (this.events.get(eventId)?.status === 'in-progress') this.events.delete(eventId);
  }

  async countInWindow(key: string, occurrenceId: string, now: Date, windowSeconds: number): Promise<number> {
    const t = epochSeconds(now);
    const occurrences = this.windows.get(key) ?? new Map<string, number>();
    this.windows.set(key, occurrences);
    if (!occurrences.has(occurrenceId)) occurrences.set(occurrenceId, t);
    let count = 0;
    for (const at of occurrences.values()) if (at > t - windowSeconds && at <= t) count += 1;
    return count;
  }

  async acquireCooldown(key: string, now: Date, cooldownSeconds: number, owner?: string): Promise<boolean> {
    const t = epochSeconds(now);
    const held = this.cooldowns.get(key);
    if (held !== undefined && held.until > t) return owner !== undefined && held.owner === owner;
    this.cooldowns.set(key, { until: t + cooldownSeconds, owner });
    return true;
  }

  async reserveSlot(key: string, slotId: string, limit: number, now: Date, ttlSeconds: number): Promise<boolean> {
    const t = epochSeconds(now);
    const held = this.slots.get(key);
    const slots = held && held.expiresAt > t ? held.ids : new Set<string>();
    if (slots.has(slotId)) return true;
    if (slots.size >= limit) return false;
    slots.add(slotId);
    this.slots.set(key, { ids: slots, expiresAt: held && held.expiresAt > t ? held.expiresAt : t + ttlSeconds });
    return true;
  }

  async cooldownUntil(key: string, now: Date): Promise<Date | undefined> {
    const held = this.cooldowns.get(key);
    return held && held.until > epochSeconds(now) ? new Date(held.until * 1000) : undefined;
  }

  async slotsTaken(key: string, now: Date): Promise<number> {
    const held = this.slots.get(key);
    return held && held.expiresAt > epochSeconds(now) ? held.ids.size : 0;
  }

  async appendAudit(record: AuditRecord, ttlSeconds: number): Promise<AuditRecord | undefined> {
    if (this.audit.some((a) => a.record.id === record.id)) return undefined;
    this.audit.push({ record, expiresAt: epochSeconds(new Date(record.time)) + ttlSeconds });
    return record;
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    return this.audit
      .map((a) => a.record)
      .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
      .slice(0, limit);
  }

  async getRecord<T>(key: string, now: Date): Promise<VersionedRecord<T> | undefined> {
    const record = this.records.get(key);
    if (!record || record.expiresAt < epochSeconds(now)) return undefined;
    // Stored as JSON, as in DynamoDB, so callers never share objects with the store.
    return { value: JSON.parse(record.json) as T, version: record.version };
  }

  async putRecord<T>(key: string, value: T, expectedVersion: number | undefined, now: Date, ttlSeconds: number): Promise<boolean> {
    const t = epochSeconds(now);
    const current = this.records.get(key);
    const live = current && current.expiresAt >= t ? current : undefined;
    if (expectedVersion === undefined ? live !== undefined : live?.version !== expectedVersion) return false;
    this.records.set(key, { json: JSON.stringify(value), version: (live?.version ?? 0) + 1, expiresAt: t + ttlSeconds });
    return true;
  }

  async putInCollection<T>(collection: string, id: string, value: T, now: Date, ttlSeconds: number): Promise<void> {
    const items = this.collections.get(collection) ?? new Map<string, { json: string; expiresAt: number }>();
    this.collections.set(collection, items);
    items.set(id, { json: JSON.stringify(value), expiresAt: epochSeconds(now) + ttlSeconds });
  }

  async listCollection<T>(collection: string, now: Date): Promise<Array<{ id: string; value: T }>> {
    const t = epochSeconds(now);
    return [...(this.collections.get(collection) ?? new Map<string, { json: string; expiresAt: number }>())]
      .filter(([, item]) => item.expiresAt >= t)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, item]) => ({ id, value: JSON.parse(item.json) as T }));
  }

  async deleteFromCollection(collection: string, id: string): Promise<boolean> {
    return this.collections.get(collection)?.delete(id) ?? false;
  }
}
