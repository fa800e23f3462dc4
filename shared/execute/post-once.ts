// A post (a notification, a remediation announcement) that happens once per receiver across an
// invocation's retries: each is claimed on its own id in the state table, so a retry after a
// partial failure posts only what did not go out; an event whose second receiver failed does not
// post to the first one again.
import type { StateStore } from '../state/store.js';

/** What a caller wraps each receiver's post in. */
export type PostOnce = (receiver: string, post: () => Promise<void>) => Promise<unknown>;

/** How long one invocation may hold a post before another may take it over. */
const POST_LEASE_SECONDS = 300;

export class EventInProgressError extends Error {
  override readonly name = 'EventInProgressError';
}

/** Posts unless the post of `id` went out before ('already'); a post in progress elsewhere throws EventInProgressError. */
export async function postOnce(store: StateStore, id: string, now: Date, ttlSeconds: number, post: () => Promise<void>): Promise<'posted' | 'already'> {
  const claim = await store.claimEvent(id, now, POST_LEASE_SECONDS, ttlSeconds);
  if (claim === 'done') return 'already';
  if (claim === 'in-progress') throw new EventInProgressError(`the post of ${id} is in progress elsewhere; failing so Lambda retries later`);
  try {
    await post();
  } catch (error) {
    await store.releaseEvent(id).catch(() => undefined);
    throw error;
  }
  await completeStubbornly(() => store.completeEvent(id, now, ttlSeconds));
  return 'posted';
}

/**
 * After a post, failing the invocation would post again on retry; so the bookkeeping that follows
 * is retried here a few times more (on top of the SDK's own attempts) before giving up on it.
 */
export async function completeStubbornly(complete: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await complete();
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
