// `ecs-autopilot replay [--config FILE] [--offline] [--execute] FILE...`
// Runs recorded events through the same pipeline as the deployed function and prints one JSON
// line per event. Each event's own time is the clock, so a replay is deterministic.
//   --offline   no AWS call at all: in-memory state carried from event to event, actions planned.
//   (default)   reads live AWS (service tags) with the ambient credentials; actions planned only.
//   --execute   carries the actions out against a deployed stack (STATE_TABLE, NOTIFY_TOPIC_ARN).
import { effectiveReceivers } from '../../shared/config/receivers.js';
import { readEnvironment } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { Receivers } from '../../shared/execute/execute.js';
import { type PipelineDependencies, processEvent } from '../../shared/execute/process-event.js';
import { IntakeError } from '../../shared/intake/index.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import { notifyDependencies, notifyEnrichers } from '../../functions/notify/wiring.js';
import { remediateDependencies } from '../../functions/remediate/wiring.js';
import { enabledPlaybooks } from '../../shared/decide/remediation/opt-in.js';
import { type RemediationDependencies, type RemediationReport, remediateEvent } from '../../shared/execute/remediate-event.js';
import { type EventEntry, readEventFile } from './read-events.js';

export interface ReplayOptions {
  config: AutopilotConfig;
  offline: boolean;
  execute: boolean;
}

export interface ReplayLine {
  id: string;
  detailType: string;
  outcome: 'acted' | 'ignored' | 'error';
  actions: unknown[];
  notes?: string[];
  error?: string;
  source: string;
}

/** Receivers that refuse: a planned action is never sent, and a bug that tried would say so. */
function planOnlyReceivers(config: AutopilotConfig): Receivers {
  const refuse = async () => {
    throw new Error('replay planned this action only; pass --execute to carry it out');
  };
  return Object.fromEntries(Object.keys(effectiveReceivers(config)).map((name) => [name, { notify: refuse }]));
}

function dependencies(options: ReplayOptions): PipelineDependencies {
  // Each event's own time is the clock, so grouping plays out as it did.
  const eventTime = (signal?: { time: string }) => {
    const parsed = signal ? new Date(signal.time) : new Date(NaN);
    return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
  };
  const planOnly = { config: options.config, store: new MemoryStateStore(), receivers: planOnlyReceivers(options.config), dryRun: true, now: eventTime };
  if (options.offline) return planOnly;
  const env = readEnvironment();
  if (!options.execute) return { ...planOnly, enrichers: notifyEnrichers(env, options.config) };
  return notifyDependencies(env, options.config, () => ({ remainingMs: () => 60_000 }), () => new Date());
}

/**
 * Remediation: planned from the run's own events (the history a service builds up in the state
 * table), with no AWS call; with --execute, carried out against the deployed stack, gates and all.
 */
function remediation(options: ReplayOptions, store: MemoryStateStore): RemediationDependencies {
  if (options.execute) return remediateDependencies(readEnvironment(), options.config, () => new Date());
  const eventTime = (signal?: { time: string }) => {
    const parsed = signal ? new Date(signal.time) : new Date(NaN);
    return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
  };
  return { config: options.config, store, now: eventTime, dryRun: true };
}

/** A planned remediation as replay prints it: what, on what, why, from and to, and what the gates said. */
function remediationLine(report: RemediationReport): Record<string, unknown> {
  const { type, playbook, service, containerInstance, reason, from, to, memory, outcome, detail } = report;
  return { type, ...(service ? { service } : {}), ...(containerInstance ? { containerInstance } : {}), reason, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(memory ? { memory } : {}), playbook, outcome, detail };
}

function errorLine(entry: EventEntry, error: unknown): ReplayLine {
  const intake = error instanceof IntakeError ? error : undefined;
  const raw = 'event' in entry && typeof entry.event === 'object' && entry.event !== null ? (entry.event as Record<string, unknown>) : {};
  return {
    id: intake?.eventId || (typeof raw.id === 'string' ? raw.id : ''),
    detailType: intake?.detailType || (typeof raw['detail-type'] === 'string' ? raw['detail-type'] : ''),
    outcome: 'error',
    actions: [],
    error: error instanceof Error ? error.message : String(error),
    source: entry.source,
  };
}

/** Replays every event of `files` in order; returns the lines (the caller prints them). */
export async function* replay(files: string[], options: ReplayOptions): AsyncGenerator<ReplayLine> {
  const deps = dependencies(options);
  const remediate = remediation(options, deps.store instanceof MemoryStateStore ? deps.store : new MemoryStateStore());
  const remediating = enabledPlaybooks(options.config.remediate).length > 0;
  for (const file of files) {
    for (const entry of readEventFile(file)) {
      if ('error' in entry) {
        yield { id: '', detailType: '', outcome: 'error', actions: [], error: entry.error, source: entry.source };
        continue;
      }
      try {
        const outcome = await processEvent(entry.event, deps);
        // Without an enabled playbook remediation has nothing to say: its notes would be noise.
        const remediated = remediating ? await remediateEvent(entry.event, remediate) : { outcome: 'ignored', actions: [], notes: [] as string[] };
        const notes = [...outcome.notes, ...remediated.notes.filter((note) => !outcome.notes.includes(note))];
        yield {
          id: outcome.id,
          detailType: outcome.detailType,
          outcome: outcome.outcome === 'acted' || remediated.outcome === 'acted' ? 'acted' : 'ignored',
          actions: [...outcome.actions.map(({ result: _result, ...action }) => action), ...remediated.actions.map(remediationLine)],
          ...(notes.length ? { notes } : {}),
          source: entry.source,
        };
      } catch (error) {
        yield errorLine(entry, error);
      }
    }
  }
}
