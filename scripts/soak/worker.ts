// One soak run, in a process of its own (a fresh module graph, as a fresh Lambda container): plays
// the deliveries through the real notify handler with Lambda's asynchronous retry behaviour (a
// failed invocation is retried twice, then the event goes to the dead-letter queue with its reason).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { Delivery } from './events.js';

interface WorkerInput {
  deliveries: Delivery[];
  config: unknown;
  output: string;
}

export interface WorkerResult {
  invocations: number;
  retries: number;
  handled: string[];
  deadLetter: Array<{ id: string; reason: string }>;
  unfinished: string[];
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as WorkerInput;
(globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = input.config;
const { handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler };

const result: WorkerResult = { invocations: 0, retries: 0, handled: [], deadLetter: [], unfinished: [] };
const context = (n: number) => ({ awsRequestId: `soak-${n}`, functionName: 'ecs-autopilot-soak-notify', getRemainingTimeInMillis: () => 30_000 });
const idOf = (event: unknown) => String((event as { id?: unknown })?.id ?? '');

/** SOAK_TRACE=<file>: one line per invocation, what it did or why it failed (to investigate a soak). */
function trace(event: unknown, attempt: number, outcome: unknown): void {
  if (!process.env.SOAK_TRACE) return;
  const actions = (outcome as { actions?: Array<{ receiver: string; delivery: string; result: string; messageId?: string }> })?.actions;
  const error = outcome instanceof Error ? `${outcome.name}: ${outcome.message.slice(0, 200)}` : undefined;
  const did = actions?.map((a) => `${a.receiver}:${a.delivery}:${a.result}${a.messageId === 'posted before' ? ' (posted before)' : ''}`).join(' ');
  appendFileSync(process.env.SOAK_TRACE, `${idOf(event)} attempt ${attempt}: ${error ?? (did || 'nothing to do')}\n`);
}

/** Lambda's async invocation: the first attempt and two retries (their 1 and 2 minute waits, shortened). */
async function invokeAsync(event: unknown): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) {
      result.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
    result.invocations += 1;
    try {
      trace(event, attempt, await handler(structuredClone(event), context(result.invocations)));
      result.handled.push(idOf(event));
      return;
    } catch (error) {
      lastError = error;
      trace(event, attempt, error);
    }
  }
  const e = lastError as Error;
  result.deadLetter.push({ id: idOf(event), reason: `${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 160)}` });
}

const pending = new Set(input.deliveries.map((d) => idOf(d.event)));

/**
 * The service (or cluster) an event is about. Events of one lane run in order, lanes run side by
 * side: everything that shares state (a group, a service's health, an agent) shares a lane, so the
 * outcome does not depend on timing and the two runs compare event by event.
 */
function laneOf(event: unknown): string {
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

const lanes = new Map<string, Delivery[]>();
for (const delivery of input.deliveries) {
  const lane = laneOf(delivery.event);
  lanes.set(lane, [...(lanes.get(lane) ?? []), delivery]);
}

let done = 0;
async function runLane(deliveries: Delivery[]): Promise<void> {
  for (let i = 0; i < deliveries.length; i++) {
    const delivery = deliveries[i]!;
    if (delivery.concurrentWithNext && deliveries[i + 1]) {
      await Promise.all([invokeAsync(delivery.event), invokeAsync(deliveries[i + 1]!.event)]);
      i += 1;
      done += 2;
    } else {
      await invokeAsync(delivery.event);
      done += 1;
    }
    if (done % 500 < 2) process.stderr.write(`  ${done}/${input.deliveries.length}\r`);
  }
}

// A few lanes at a time: like several Lambda containers, each handling one event at a time.
const queue = [...lanes.values()];
await Promise.all(Array.from({ length: 6 }, async () => {
  for (let lane = queue.shift(); lane; lane = queue.shift()) await runLane(lane);
}));
for (const id of [...result.handled, ...result.deadLetter.map((d) => d.id)]) pending.delete(id);
result.unfinished = [...pending];
writeFileSync(input.output, JSON.stringify(result));
process.exit(0);
