// One soak run, in a process of its own (a fresh module graph, as fresh Lambda containers): plays
// the deliveries through the real handlers with Lambda's asynchronous retry behaviour (a failed
// invocation is retried twice, then the event goes to the dead-letter queue with its reason).
// Each event goes to the functions AWS would invoke for it: an ECS event to notify and, when a
// remediation rule matches it, to remediate (two EventBridge targets: two invocations, each with
// its own retries and dead-letter record); the schedule's events to scale; log batches to ship.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { notifyPatterns, remediatePatterns } from '../../shared/config/event-patterns.js';
import { validateConfig } from '../../shared/config/validate.js';
import { matchesPattern } from '../lib/event-pattern-match.js';
import { clientOptions } from '../lib/local-stack.js';
import { type Delivery, FUNCTIONS, type FunctionName, type WorldChange } from './events.js';

interface WorkerInput {
  deliveries: Delivery[];
  config: unknown;
  output: string;
  /** Lanes run side by side, like that many Lambda containers. */
  parallel: number;
}

/** `<function>|<event id>`: one function's invocations of one event. */
export type Invocation = string;

export interface WorkerResult {
  invocations: Record<FunctionName, number>;
  retries: Record<FunctionName, number>;
  handled: Invocation[];
  deadLetter: Array<{ invocation: Invocation; reason: string }>;
  unfinished: Invocation[];
  /** Scaled services a handled scale tick could not evaluate (an AWS call failed past the SDK's attempts): the next tick decides for them. */
  unevaluated: string[];
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as WorkerInput;
(globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = input.config;
const config = validateConfig(input.config, 'soak configuration');
const handlers = {} as Record<FunctionName, Handler>;
for (const name of FUNCTIONS) ({ handler: handlers[name] } = (await import(`../../functions/${name}/handler.js`)) as { handler: Handler });

const zero = () => Object.fromEntries(FUNCTIONS.map((f) => [f, 0])) as Record<FunctionName, number>;
const result: WorkerResult = { invocations: zero(), retries: zero(), handled: [], deadLetter: [], unfinished: [], unevaluated: [] };
let invocationCount = 0;
const context = (fn: FunctionName) => ({ awsRequestId: `soak-${++invocationCount}`, functionName: `ecs-autopilot-soak-${fn}`, getRemainingTimeInMillis: () => 30_000 });

/** SOAK_TRACE=<file>: one line per invocation, what it did or why it failed (to investigate a soak). */
function trace(invocation: Invocation, attempt: number, outcome: unknown): void {
  if (!process.env.SOAK_TRACE) return;
  const actions = (outcome as { actions?: Array<{ receiver?: string; delivery?: string; result?: string; outcome?: string; messageId?: string }> })?.actions;
  const error = outcome instanceof Error ? `${outcome.name}: ${outcome.message.slice(0, 200)}` : undefined;
  const did = actions?.map((a) => (a.receiver ? `${a.receiver}:${a.delivery}:${a.result}${a.messageId === 'posted before' ? ' (posted before)' : ''}` : String(a.outcome))).join(' ');
  const notes = (outcome as { notes?: string[] })?.notes?.join('; ');
  appendFileSync(process.env.SOAK_TRACE, `${invocation} attempt ${attempt}: ${error ?? (did || notes || 'nothing to do')}\n`);
}

/** Lambda's async invocation: the first attempt and two retries (their 1 and 2 minute waits, shortened). */
async function invokeAsync(fn: FunctionName, delivery: Delivery): Promise<void> {
  const invocation = `${fn}|${delivery.id}`;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) {
      result.retries[fn] += 1;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
    result.invocations[fn] += 1;
    try {
      const outcome = await handlers[fn](structuredClone(delivery.event), context(fn));
      trace(invocation, attempt, outcome);
      result.handled.push(invocation);
      for (const s of (outcome as { services?: Array<{ service: string; outcome: string }> }).services ?? []) if (s.outcome === 'error') result.unevaluated.push(s.service);
      return;
    } catch (error) {
      lastError = error;
      trace(invocation, attempt, error);
    }
  }
  const e = lastError as Error;
  result.deadLetter.push({ invocation, reason: `${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 160)}` });
}

/** The functions AWS would invoke for an event: the rules generated from the configuration, the schedule, the subscription. */
const notifyRules = notifyPatterns(config).map((r) => r.pattern);
const remediateRules = remediatePatterns(config).map((r) => r.pattern);
function functionsFor(event: unknown): FunctionName[] {
  if (typeof event === 'object' && event !== null && 'awslogs' in event) return ['ship'];
  const e = event as { source?: string; 'detail-type'?: string };
  if (e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') return ['scale'];
  return [
    ...(notifyRules.some((p) => matchesPattern(event, p)) ? (['notify'] as const) : []),
    ...(remediateRules.some((p) => matchesPattern(event, p)) ? (['remediate'] as const) : []),
  ];
}

/**
 * The lane of an event for a function. Events of one lane run in order, lanes run side by side:
 * everything that shares state shares a lane, so the outcome does not depend on timing and the
 * two runs compare event by event. Notify and remediate keep their state per service (groups,
 * health, the remediation history, cooldowns and budgets) or per cluster (container instances);
 * scaling evaluates every scaled service on each tick, so its events share one lane; a log batch
 * shares its lane with the other batches of its stream.
 */
function laneOf(fn: FunctionName, event: unknown): string {
  if (fn === 'scale') return 'scale';
  if (fn === 'ship') {
    try {
      return `logs ${(JSON.parse(gunzipSync(Buffer.from((event as { awslogs: { data: string } }).awslogs.data, 'base64')).toString()) as { logStream: string }).logStream}`;
    } catch {
      return 'logs';
    }
  }
  const e = event as { resources?: string[]; detail?: Record<string, unknown> };
  const d = e.detail ?? {};
  const cluster = String(d.clusterArn ?? '').split('/').pop() ?? '';
  if (typeof d.group === 'string') return `${cluster}/${d.group.replace('service:', '')}`;
  const service = (e.resources ?? []).find((r) => r.includes(':service/'));
  if (service) return service.split(':service/')[1]!;
  const dimensions = (d.configuration as { metrics?: Array<{ metricStat?: { metric?: { dimensions?: Record<string, string> } } }> } | undefined)?.metrics?.[0]?.metricStat?.metric?.dimensions;
  if (dimensions?.ClusterName) return `${dimensions.ClusterName}/${dimensions.ServiceName}`;
  // An instance's notifications have no service, so they group by cluster: every instance of a
  // cluster shares the cluster's groups, and so its lane.
  if (typeof d.containerInstanceArn === 'string') return `instances of ${cluster}`;
  return 'other';
}

const worldLane = (change: WorldChange) => (change.kind === 'deploy' ? `${change.cluster}/${change.service}` : 'scale');

// What a person or the load does, straight to the emulator (not through the fault proxy).
const emulator = clientOptions(process.env.SOAK_EMULATOR_URL!);
const ecs = new ECSClient(emulator);
const sqs = new SQSClient(emulator);
async function change(world: WorldChange): Promise<void> {
  if (world.kind === 'deploy') {
    await ecs.send(new UpdateServiceCommand({ cluster: world.cluster, service: world.service, taskDefinition: world.taskDefinition }));
    return;
  }
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: world.queue }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  let waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  while (waiting < world.messages) {
    const n = Math.min(10, world.messages - waiting);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: 'job' })) }));
    waiting += n;
  }
  // Taken by a consumer that keeps them for the rest of the soak: no longer waiting.
  while (waiting > world.messages) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: Math.min(10, waiting - world.messages), VisibilityTimeout: 43_200 }));
    if (Messages.length === 0) break;
    waiting -= Messages.length;
  }
}

interface LaneItem {
  delivery: Delivery;
  functions: FunctionName[];
}

const expected = new Set<Invocation>();
const lanes = new Map<string, LaneItem[]>();
const addToLane = (lane: string, item: LaneItem) => lanes.set(lane, [...(lanes.get(lane) ?? []), item]);
for (const delivery of input.deliveries) {
  if (delivery.world) {
    addToLane(worldLane(delivery.world), { delivery, functions: [] });
    continue;
  }
  const byLane = new Map<string, FunctionName[]>();
  for (const fn of functionsFor(delivery.event)) {
    expected.add(`${fn}|${delivery.id}`);
    const lane = laneOf(fn, delivery.event);
    byLane.set(lane, [...(byLane.get(lane) ?? []), fn]);
  }
  for (const [lane, functions] of byLane) addToLane(lane, { delivery, functions });
}

/** One delivery to each of its functions, one after the other (their targets are independent). */
async function deliver(item: LaneItem): Promise<void> {
  if (item.delivery.world) return change(item.delivery.world);
  for (const fn of item.functions) await invokeAsync(fn, item.delivery);
}

let done = 0;
async function runLane(items: LaneItem[]): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.delivery.concurrentWithNext && items[i + 1]) {
      await Promise.all([deliver(item), deliver(items[i + 1]!)]);
      i += 1;
      done += 2;
    } else {
      await deliver(item);
      done += 1;
    }
    if (done % 500 < 2) process.stderr.write(`  ${done}/${input.deliveries.length}\r`);
  }
}

// A few lanes at a time: like several Lambda containers, each handling one event at a time. The
// longest lanes start first, so that none is left running alone at the end.
const queue = [...lanes.values()].sort((a, b) => b.length - a.length);
await Promise.all(Array.from({ length: input.parallel }, async () => {
  for (let lane = queue.shift(); lane; lane = queue.shift()) await runLane(lane);
}));
for (const invocation of [...result.handled, ...result.deadLetter.map((d) => d.invocation)]) expected.delete(invocation);
result.unfinished = [...expected];
writeFileSync(input.output, JSON.stringify(result));
process.exit(0);
