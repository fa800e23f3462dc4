// The whole pipeline for one raw event: intake -> gather state -> decide -> claim -> execute.
// The Lambda handler and `ecs-autopilot replay` both run this; only the dependencies differ.
import { parseServiceTags } from '../config/service-tags.js';
import type { AutopilotConfig } from '../config/schema.js';
import type { ServiceTagReader } from '../adapters/ecs-service-tags.js';
import { type DecisionState, decide } from '../decide/decide.js';
import { parseEvent, type Signal } from '../intake/index.js';
import type { StateStore } from '../state/store.js';
import { type ActionReport, type Adapters, execute } from './execute.js';

export interface PipelineDependencies {
  config: AutopilotConfig;
  store: StateStore;
  adapters: Adapters;
  /** Absent offline: no AWS call is made, so no per-service overrides. */
  serviceTags?: ServiceTagReader;
  dryRun: boolean;
  /** The clock. The handler passes the wall clock; replay passes each event's own time. */
  now: (signal?: Signal) => Date;
}

export interface EventOutcome {
  id: string;
  detailType: string;
  outcome: 'acted' | 'ignored';
  kind?: string;
  actions: ActionReport[];
  notes: string[];
}

/** How long one invocation may hold an event before another may take it over (Lambda's max is 900 s). */
const CLAIM_LEASE_SECONDS = 900;

export class EventInProgressError extends Error {
  override readonly name = 'EventInProgressError';
}

async function gatherState(signal: Signal, deps: PipelineDependencies, now: Date): Promise<DecisionState> {
  if (!deps.serviceTags || !deps.config.serviceTags.enabled || !('serviceArn' in signal) || !signal.serviceArn) return {};
  const { tags, error } = await deps.serviceTags.tagsOf(signal.serviceArn, now);
  const parsed = parseServiceTags(tags);
  if (error) parsed.warnings.push(error);
  return { serviceTags: parsed };
}

/** Throws IntakeError for a malformed event and EventInProgressError for a concurrent duplicate. */
export async function processEvent(raw: unknown, deps: PipelineDependencies): Promise<EventOutcome> {
  const intake = parseEvent(raw);
  if (intake.type === 'unrecognised') {
    return { id: intake.eventId, detailType: intake.detailType, outcome: 'ignored', actions: [], notes: [intake.why] };
  }
  const { signal } = intake;
  const now = deps.now(signal);
  // Service tags can only take actions away (mute, raise the floor), never add one: an event that
  // plans nothing without them is settled without the ListTagsForResource call.
  const untagged = decide(signal, {}, deps.config, now);
  const plan = untagged.actions.length === 0 ? untagged : decide(signal, await gatherState(signal, deps, now), deps.config, now);
  const base = { id: signal.eventId, detailType: signal.detailType, kind: signal.kind, notes: plan.notes };
  if (plan.actions.length === 0) return { ...base, outcome: 'ignored', actions: [] };

  // EventBridge delivers at least once: only the invocation that claims the event id acts.
  const ttlSeconds = deps.config.state.eventTtlHours * 3600;
  const claim = await deps.store.claimEvent(signal.eventId, now, CLAIM_LEASE_SECONDS, ttlSeconds);
  if (claim === 'done') return { ...base, outcome: 'ignored', actions: [], notes: [...plan.notes, `duplicate: event ${signal.eventId} was already handled`] };
  if (claim === 'in-progress') throw new EventInProgressError(`event ${signal.eventId} is being handled by another invocation; failing so Lambda retries it later`);
  try {
    const actions = await execute(plan.actions, deps.adapters, { dryRun: deps.dryRun });
    await deps.store.completeEvent(signal.eventId, now, ttlSeconds);
    return { ...base, outcome: 'acted', actions };
  } catch (error) {
    await deps.store.releaseEvent(signal.eventId);
    throw error;
  }
}
