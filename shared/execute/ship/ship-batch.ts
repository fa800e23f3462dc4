// One CloudWatch Logs subscription invocation, end to end: decode, build the records (pure), look
// up the task once, deliver to every destination at once, back up what is still undelivered.
// Nothing is lost: a record is delivered, or in the S3 backup with its reason, or this throws and
// Lambda's retries and then the dead-letter queue keep the whole batch.
import type { Destination } from '../../adapters/destinations/destination.js';
import type { LogBackup } from '../../adapters/log-backup.js';
import type { TaskMetadataReader } from '../../adapters/ecs-task-metadata.js';
import { type BuildResult, buildRecordSlicesFrom, emptyBuildStats } from '../../decide/logs/build-records.js';
import { detachRecord, type SlabStore } from '../../decide/logs/line-writer.js';
import type { ShipRules } from '../../decide/logs/ship-rules.js';
import { parseAwslogsStream } from '../../decide/logs/stream-name.js';
import type { RecordSource, ShipRecord, TaskMetadata } from '../../decide/logs/types.js';
import { isLogsSubscriptionEvent, type LogBatchHead, type LogBatchStream, openLogsSubscription, parseLogsSubscription } from '../../intake/cloudwatch-logs-subscription.js';
import { IntakeError } from '../../intake/errors.js';
import type { LogBatch } from '../../intake/signals.js';
import { DEFAULT_RETRY, type DestinationResult, deliverToDestination, type RetryClock, type RetryPolicy } from './deliver.js';

export interface ShipDependencies {
  rules: ShipRules;
  destinations: readonly Destination[];
  backup?: LogBackup;
  taskMetadata?: TaskMetadataReader;
  clock: RetryClock;
  retry?: RetryPolicy;
  now: () => Date;
  /** The container's reusable buffer for record lines (see SlabStore). */
  slabs?: SlabStore;
}

export interface ShipOutcome {
  id: string;
  outcome: 'shipped' | 'control-message' | 'nothing-to-ship';
  stats: BuildResult['stats'];
  destinations: Array<Omit<DestinationResult, 'failed'> & { failed: number }>;
  backups: Array<{ destination: string; records: number; key: string }>;
}

/** A Lambda event as a subscription delivers it, decoded; an IntakeError names what is wrong. */
export function decodeLogBatch(raw: unknown): LogBatch {
  return parseLogsSubscription(subscriptionEventOf(raw));
}

/** The same, opened for shipping: the head now, the events as they are inflated (see openLogsSubscription). */
export function openLogBatch(raw: unknown): Promise<LogBatchStream> {
  return openLogsSubscription(subscriptionEventOf(raw));
}

function subscriptionEventOf(raw: unknown): { awslogs: { data: unknown } } {
  if (!isLogsSubscriptionEvent(raw)) {
    throw new IntakeError('', 'CloudWatch Logs', ['expected a CloudWatch Logs subscription event {"awslogs":{"data":"..."}}']);
  }
  return raw;
}

export function sourceOf(batch: LogBatchHead, task?: TaskMetadata): RecordSource {
  const stream = parseAwslogsStream(batch.logStream);
  return {
    logGroup: batch.logGroup,
    logStream: batch.logStream,
    owner: batch.owner,
    ...(stream ? { container: stream.container, taskId: stream.taskId } : {}),
    ...(task ? { task } : {}),
  };
}

const EMPTY_STATS: BuildResult['stats'] = { events: 0, records: 0, dropped: 0, sampledOut: 0, redactions: 0 };

export async function shipLogEvent(raw: unknown, deps: ShipDependencies): Promise<ShipOutcome> {
  const { head: batch, pieces } = await openLogBatch(raw);
  if (batch.control) return { id: batch.eventId, outcome: 'control-message', stats: EMPTY_STATS, destinations: [], backups: [] };
  const taskId = parseAwslogsStream(batch.logStream)?.taskId;
  // Nowhere to ship: no reason to ask ECS about the task.
  const task = taskId && deps.taskMetadata && deps.destinations.length > 0 ? await deps.taskMetadata.lookup(taskId, batch.logGroup, deps.now()) : undefined;
  const stats = emptyBuildStats();
  const results: DestinationResult[] = deps.destinations.map((d) => ({ destination: d.name, delivered: 0, bytes: 0, attempts: 0, failed: [] }));
  let shipped = 0;
  const deliver = async (slice: ShipRecord[]) => {
    if (deps.destinations.length === 0) return;
    shipped += slice.length;
    const sliceResults = await Promise.all(deps.destinations.map((destination) => deliverToDestination(slice, destination, deps.clock, deps.retry ?? DEFAULT_RETRY)));
    sliceResults.forEach((r, i) => {
      const total = results[i]!;
      total.delivered += r.delivered;
      total.bytes += r.bytes;
      total.attempts += r.attempts;
      for (const failure of r.failed) total.failed.push({ record: detachRecord(failure.record), reason: failure.reason });
    });
  };
  // A piece of events at a time as the batch inflates, a slice of records at a time to every
  // destination at once: a several-MB batch never sits in memory whole, decoded or built. Each
  // slice is delivered before the next is built, and its failed records are detached (copied out)
  // for the backup: so the slices may share one buffer.
  // With no destination configured the records are still built (and counted): nothing is sent.
  for await (const slice of buildRecordSlicesFrom(pieces, sourceOf(batch, task), deps.rules, stats, deps.slabs ? { slabs: deps.slabs } : {})) await deliver(slice);
  if (shipped === 0) return { id: batch.eventId, outcome: 'nothing-to-ship', stats, destinations: [], backups: [] };
  const backups: ShipOutcome['backups'] = [];
  for (const result of results) {
    if (result.failed.length === 0) continue;
    if (!deps.backup) throw new Error(`${result.destination}: ${result.failed.length} records undelivered and no ship.backup is configured: ${result.failed[0]!.reason}`);
    const { key } = await deps.backup.write(result.destination, result.failed, deps.now());
    backups.push({ destination: result.destination, records: result.failed.length, key });
  }
  return {
    id: batch.eventId,
    outcome: 'shipped',
    stats,
    destinations: results.map(({ failed, ...rest }) => ({ ...rest, failed: failed.length })),
    backups,
  };
}
