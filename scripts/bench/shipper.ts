// The log shipper's throughput against the floor, in one run, on the same batches:
//   floor    base64 decode + synchronous gunzip + JSON.parse of the envelope, nothing else;
//   shipper  decode (with validation) + multiline + JSON fields + level + enrichment + redaction
//            + filters, and the output built in Firehose-sized chunks (NDJSON bodies).
// Two batches of real-shaped ECS lines (test/fixtures/logs/ecs-lines.ts): ~1 MB decompressed, and
// the largest batch whose Lambda event fits in 1 MB (async invocation payload limit).
// Floor and shipper are timed on each batch, each kind in fresh processes of its own
// (scripts/bench/shipper-throughput.ts). Output compression (gzip of those chunks) is measured on
// its own line, and peak memory of a whole shipment, delivery included, in a fresh process
// (scripts/bench/shipper-memory.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FIREHOSE_LIMITS } from '../../shared/adapters/destinations/firehose.js';
import { ndjson } from '../../shared/adapters/destinations/destination.js';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecordSlicesFrom, emptyBuildStats } from '../../shared/decide/logs/build-records.js';
import { SlabStore } from '../../shared/decide/logs/line-writer.js';
import { compileShipRules, type ShipRules } from '../../shared/decide/logs/ship-rules.js';
import type { ShipRecord, TaskMetadata } from '../../shared/decide/logs/types.js';
import { chunkRecords } from '../../shared/execute/ship/chunk.js';
import { openLogBatch, sourceOf } from '../../shared/execute/ship/ship-batch.js';
import { ecsPayload } from '../../test/fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent, type SubscriptionEvent } from '../../test/fixtures/logs/make-subscription-event.js';

export const SHIPPER_TARGETS = { small: 0.45, largest: 0.3, memoryFactor: 3 };
/** Lambda's asynchronous invocation payload limit. */
const MAX_EVENT_BYTES = 1024 * 1024;

export interface BatchResult {
  label: string;
  decompressedBytes: number;
  eventBytes: number;
  events: number;
  floorMBps: number;
  floorEventsPerSecond: number;
  shipperMBps: number;
  shipperEventsPerSecond: number;
  ratio: number;
  target: number;
  pass: boolean;
}

export interface ShipperBench {
  batches: BatchResult[];
  compression: { inputBytes: number; outputBytes: number; MBps: number };
  memory:
    | { rssPeakBytes: number; heapPeakBytes: number; livePeakBytes: number; steadyRssPeakBytes: number; warmBatches: number; batchBytes: number; factor: number; pass: boolean }
    | { error: string };
  pass: boolean;
}

export function floor(event: SubscriptionEvent): number {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64'), { chunkSize: 1 << 20 }).toString('utf8')) as { logEvents: unknown[] };
  return payload.logEvents.length;
}

/** What a warm task-metadata cache holds for the batch's task (ecs:DescribeTasks once per task). */
const BENCH_TASK: TaskMetadata = {
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/c0ffee00d15ea5e0b16b00b5deadbeef',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
  family: 'orders-api',
  revision: '42',
  serviceName: 'orders-api',
};

/** As the ship function's container keeps it between invocations (functions/ship/wiring.ts). */
const slabs = new SlabStore();

/**
 * What the Lambda does before the network (shared/execute/ship/ship-batch.ts, the same calls): the
 * batch inflated and parsed a piece at a time, the enriched records slice by slice, each cut into
 * Firehose-sized chunks (what one PutRecordBatch sends) and each chunk's NDJSON body (what an S3
 * object or an HTTP request holds before gzip). `onChunk` stands for the delivery.
 */
export async function ship(event: unknown, rules: ShipRules, onChunk: (chunk: ShipRecord[], body: Buffer) => void = () => {}): Promise<number> {
  const { head, pieces } = await openLogBatch(event);
  let bytes = 0;
  const deliver = (slice: ShipRecord[]) => {
    for (const chunk of chunkRecords(slice, FIREHOSE_LIMITS).chunks) {
      const body = ndjson(chunk);
      bytes += body.length;
      onChunk(chunk, body);
    }
  };
  for await (const slice of buildRecordSlicesFrom(pieces, sourceOf(head, BENCH_TASK), rules, emptyBuildStats(), { slabs })) deliver(slice);
  return bytes;
}

export const benchRules = (): ShipRules => compileShipRules(validateConfig({ ship: { drop: ['ELB-HealthChecker'] } }, 'bench').ship);

function decompressedSize(event: SubscriptionEvent): number {
  return gunzipSync(Buffer.from(event.awslogs.data, 'base64')).length;
}

/** The largest batch of these lines whose event stays within the async payload limit. */
function largestEvent(): SubscriptionEvent {
  let low = 1_000_000;
  let high = 64_000_000;
  let best = makeSubscriptionEvent(ecsPayload(low));
  while (high - low > 100_000) {
    const mid = Math.floor((low + high) / 2);
    const event = makeSubscriptionEvent(ecsPayload(mid));
    if (JSON.stringify(event).length <= MAX_EVENT_BYTES) {
      best = event;
      low = mid;
    } else high = mid;
  }
  return best;
}

// CPU time of the process (user + system, collector threads included), not wall time: on a shared
// CI machine wall time measures the neighbours as much as the code.
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The CPU time of each of `runs` runs, one after another. */
export async function timeRuns(run: () => unknown, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = cpuMs();
    await run();
    times.push(cpuMs() - start);
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A bench script run in a fresh node process (tsx loaded), its stdout parsed as JSON. */
function runScript<T>(node: string, script: string, args: string[], flags: string[] = []): T {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawnSync(node, [...flags, '--import', 'tsx', path, ...args], { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (child.status !== 0) throw new Error(`${script} failed: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(child.stdout) as T;
}

/** The event written to a file for a child process, and the folder removed after. */
function withEventFile<T>(event: SubscriptionEvent, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-autopilot-shipper-'));
  try {
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(event));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Floor and shipper on one batch, each kind in fresh processes of its own, in turn
 * (scripts/bench/shipper-throughput.ts says why). A process's figure is its mean: throughput over
 * a stream of batches, the collections that stream brings on included (a median leaves out the
 * runs that pay for them, and the shipper makes more garbage than the floor). The figure reported
 * is the median of three processes, so that one process the machine slowed does not decide it.
 */
function measure(label: string, event: SubscriptionEvent, target: number, runs: number, node: string): BatchResult {
  const decompressedBytes = decompressedSize(event);
  const floorMeans: number[] = [];
  const shipMeans: number[] = [];
  let events = 0;
  withEventFile(event, (file) => {
    for (let round = 0; round < 3; round += 1) {
      for (const [kind, means] of [['floor', floorMeans], ['ship', shipMeans]] as const) {
        const result = runScript<{ events: number; times: number[] }>(node, './shipper-throughput.ts', [kind, file, String(runs)]);
        events = result.events;
        means.push(result.times.reduce((sum, t) => sum + t, 0) / result.times.length);
      }
    }
  });
  const floorMs = median(floorMeans);
  const shipMs = median(shipMeans);
  const ratio = floorMs / shipMs;
  return {
    label,
    decompressedBytes,
    eventBytes: JSON.stringify(event).length,
    events,
    floorMBps: decompressedBytes / 1e6 / (floorMs / 1000),
    floorEventsPerSecond: events / (floorMs / 1000),
    shipperMBps: decompressedBytes / 1e6 / (shipMs / 1000),
    shipperEventsPerSecond: events / (shipMs / 1000),
    ratio,
    target,
    pass: ratio >= target,
  };
}

function peakMemory(event: SubscriptionEvent, batchBytes: number, node: string): ShipperBench['memory'] {
  type Sample = { rssPeakBytes: number; heapPeakBytes: number; steadyRssPeakBytes: number; warmBatches: number };
  let plain: Sample;
  let live: Sample;
  try {
    [plain, live] = withEventFile(event, (file) => [runScript<Sample>(node, './shipper-memory.ts', [file]), runScript<Sample>(node, './shipper-memory.ts', [file], ['--expose-gc'])]);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const { rssPeakBytes, heapPeakBytes, steadyRssPeakBytes, warmBatches } = plain;
  // Judged on the resident set's high-water mark of one batch: what the Lambda's memory size must
  // hold. The warm container's figure is shown, not judged: it is mostly garbage V8 has not yet
  // needed to collect (it collects sooner when the function has less memory), see README.
  const factor = rssPeakBytes / batchBytes;
  return { rssPeakBytes, heapPeakBytes, livePeakBytes: live.heapPeakBytes, steadyRssPeakBytes, warmBatches, batchBytes, factor, pass: factor < SHIPPER_TARGETS.memoryFactor };
}

/** node: the binary the children run on (the bench picks Node 22, Lambda's runtime, when it can). */
export async function benchShipper(runs: number, node: string = process.execPath): Promise<ShipperBench> {
  const rules = benchRules();
  // ecsPayload counts message characters; ids, times and JSON quoting make the batch about 1.9x that.
  const small = makeSubscriptionEvent(ecsPayload(525_000));
  const largest = largestEvent();
  const batches = [
    measure('~1 MB batch', small, SHIPPER_TARGETS.small, Math.max(3 * runs, 45), node),
    measure('largest 1 MB event', largest, SHIPPER_TARGETS.largest, Math.max(runs, 16), node),
  ];
  const bodies: Buffer[] = [];
  await ship(largest, rules, (_chunk, body) => bodies.push(body));
  const inputBytes = bodies.reduce((sum, b) => sum + b.length, 0);
  let outputBytes = 0;
  const gzipMs = median(
    await timeRuns(() => {
      outputBytes = bodies.reduce((sum, b) => sum + gzipSync(b).length, 0);
    }, 3),
  );
  const memory = peakMemory(largest, batches[1]!.decompressedBytes, node);
  return {
    batches,
    compression: { inputBytes, outputBytes, MBps: inputBytes / 1e6 / (gzipMs / 1000) },
    memory,
    pass: batches.every((b) => b.pass) && 'pass' in memory && memory.pass,
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const rate = (n: number) => Math.round(n).toLocaleString('en-US');

export function shipperLines(result: ShipperBench): string[] {
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const lines = result.batches.map(
    (b) =>
      `shipper ${b.label} (${mb(b.decompressedBytes)} decompressed, ${rate(b.events)} events, event ${mb(b.eventBytes)}): ` +
      `${b.shipperMBps.toFixed(1)} MB/s ${rate(b.shipperEventsPerSecond)} events/s vs floor ${b.floorMBps.toFixed(1)} MB/s ${rate(b.floorEventsPerSecond)} events/s, ` +
      `target >= ${b.target.toFixed(2)} ${verdict(b.pass)}, ratio ${b.ratio.toFixed(2)}`,
  );
  const c = result.compression;
  lines.push(`shipper output compression: gzip ${mb(c.inputBytes)} -> ${mb(c.outputBytes)} (${(c.inputBytes / c.outputBytes).toFixed(1)}x smaller) at ${c.MBps.toFixed(1)} MB/s`);
  const m = result.memory;
  if ('error' in m) {
    lines.push(`shipper peak memory: not measured (${m.error})`);
    return lines;
  }
  lines.push(
    `shipper peak memory: RSS high-water +${mb(m.rssPeakBytes)} over the process before the batch (decode, records, delivery to stubbed Firehose, S3 and HTTP through the real clients, gzip) for a ${mb(m.batchBytes)} batch = ${m.factor.toFixed(2)}x (target < ${SHIPPER_TARGETS.memoryFactor}x) ${verdict(m.pass)}; heap + buffers high-water (sampled at each request, no forced GC) +${mb(m.heapPeakBytes)}; live set (full GC before each sample) +${mb(m.livePeakBytes)} = ${(m.livePeakBytes / m.batchBytes).toFixed(2)}x`,
    `shipper warm container memory: RSS high-water +${mb(m.steadyRssPeakBytes)} over the same start after ${m.warmBatches} more such batches back to back = ${(m.steadyRssPeakBytes / m.batchBytes).toFixed(2)}x the batch (garbage V8 has not collected yet; shown, not judged)`,
  );
  return lines;
}
