// One soak run, in a process of its own (a fresh module graph, as a fresh Lambda container): plays
// the deliveries through the real notify handler with Lambda's asynchronous retry behaviour (a
// failed invocation is retried twice, then the event goes to the dead-letter queue with its reason).
import { readFileSync, writeFileSync } from 'node:fs';
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

/** Lambda's async invocation: the first attempt and two retries (their 1 and 2 minute waits, shortened). */
async function invokeAsync(event: unknown): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) {
      result.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
    result.invocations += 1;
    try {
      await handler(structuredClone(event), context(result.invocations));
      result.handled.push(idOf(event));
      return;
    } catch (error) {
      lastError = error;
    }
  }
  const e = lastError as Error;
  result.deadLetter.push({ id: idOf(event), reason: `${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 160)}` });
}

const pending = new Set(input.deliveries.map((d) => idOf(d.event)));
for (let i = 0; i < input.deliveries.length; i++) {
  const delivery = input.deliveries[i]!;
  if (delivery.concurrentWithNext && input.deliveries[i + 1]) {
    await Promise.all([invokeAsync(delivery.event), invokeAsync(input.deliveries[i + 1]!.event)]);
    i += 1;
  } else {
    await invokeAsync(delivery.event);
  }
  if (i % 500 === 0) process.stderr.write(`  ${i}/${input.deliveries.length}\r`);
}
for (const id of [...result.handled, ...result.deadLetter.map((d) => d.id)]) pending.delete(id);
result.unfinished = [...pending];
writeFileSync(input.output, JSON.stringify(result));
process.exit(0);
