// Grouping, de-duplication and throttling with Alertmanager's semantics, for notifications that
// arrive as single events rather than as alerts with a lifetime:
//   - the first notification of a group posts a `new` message (after groupWait, when it is set:
//     the timer queue flushes it with the count gathered meanwhile);
//   - later ones within the group are `suppressed` (counted) until groupInterval has passed since
//     the last message, then one `update` posts the count; a timer flushes a pending count, so the
//     last update of a burst is never lost;
//   - after repeatInterval without any notification, or when a new incident starts (the service
//     recovered in between), the group starts over with a `new` message.
// Pure: the pipeline reads and writes the group record (optimistically, with its version).
import type { Delivery } from './plan.js';
import type { Grouping } from './route.js';

export interface GroupState {
  firstAt: string;
  lastAt: string;
  /** Notifications in the group so far. */
  count: number;
  /** When the last message (new or update) was posted; undefined while the first waits for groupWait. */
  sentAt?: string;
  /** The count the last message showed. */
  sentCount: number;
  /** The incident the group belongs to: a recovery in between starts a new group. */
  incident?: string;
  /** When a timer is due to post what is pending, if one was set. */
  flushAt?: string;
}

export interface DeliveryPlan {
  delivery: Delivery;
  next: GroupState;
  /** Set when a timer must post a pending count later (seconds from now). */
  flushInSeconds?: number;
  reason?: string;
}

const seconds = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / 1000;
const plus = (now: Date, s: number) => new Date(now.getTime() + s * 1000).toISOString();

export function planDelivery(group: GroupState | undefined, grouping: Grouping, now: Date, incident: string | undefined): DeliveryPlan {
  const t = now.toISOString();
  const startsOver = !group || seconds(group.lastAt, now) > grouping.repeatInterval || (incident !== undefined && group.incident !== undefined && incident !== group.incident);
  if (startsOver) {
    const fresh: GroupState = { firstAt: t, lastAt: t, count: 1, sentCount: 0, ...(incident ? { incident } : {}) };
    if (grouping.groupWait > 0) {
      return { delivery: 'suppressed', next: { ...fresh, flushAt: plus(now, grouping.groupWait) }, flushInSeconds: grouping.groupWait, reason: `first of its group: posted after groupWait ${grouping.groupWait} s with the count by then` };
    }
    return { delivery: 'new', next: { ...fresh, sentAt: t, sentCount: 1 } };
  }
  const next: GroupState = { ...group, lastAt: t, count: group.count + 1 };
  if (group.sentAt === undefined) return { delivery: 'suppressed', next, reason: `waiting for groupWait: ${next.count} in the group` };
  if (seconds(group.sentAt, now) >= grouping.groupInterval) {
    const { flushAt: _pending, ...rest } = next;
    return { delivery: 'update', next: { ...rest, sentAt: t, sentCount: next.count } };
  }
  const due = new Date(Date.parse(group.sentAt) + grouping.groupInterval * 1000);
  const reason = `grouped: ${next.count} in the group, ${next.count - group.sentCount} since the last message; next update at ${due.toISOString()}`;
  if (group.flushAt) return { delivery: 'suppressed', next, reason };
  return { delivery: 'suppressed', next: { ...next, flushAt: due.toISOString() }, flushInSeconds: Math.max(1, Math.ceil(seconds(t, due))), reason };
}

/** A timer fired for the group: post what is pending, if anything is. */
export function planFlush(group: GroupState | undefined, now: Date): DeliveryPlan | undefined {
  if (!group || group.count <= group.sentCount) return undefined;
  const t = now.toISOString();
  const { flushAt: _done, ...rest } = group;
  return { delivery: group.sentAt === undefined ? 'new' : 'update', next: { ...rest, sentAt: t, sentCount: group.count } };
}
