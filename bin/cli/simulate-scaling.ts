// ecs-autopilot simulate-scaling: replays a recorded load (CSV, or the queue's own CloudWatch
// NumberOfMessagesSent) through the same decision function and queue model as
// `npm run simulate:scaling`, and prints the report, so a policy can be tried before turning it on.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createMetricReader } from '../../shared/adapters/cloudwatch-metric.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { loadConfigFile } from '../../shared/config/load-file.js';
import type { ScaledService } from '../../shared/config/schema-scale.js';
import { renderSimulationSvg } from '../../shared/simulate/chart.js';
import { reportLines, simulate } from '../../shared/simulate/report.js';
import { parseTraceCsv, type TracePoint } from '../../shared/simulate/trace.js';
import { parseArgs, UsageError } from './args.js';

function positiveNumber(value: string | true | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value === true || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} needs a number of at least 0, got '${String(value)}'`);
  return n;
}

function findService(services: ScaledService[], name: string, file: string): ScaledService {
  const matches = services.filter((s) => s.service === name || `${s.cluster}/${s.service}` === name);
  if (matches.length === 1) return matches[0]!;
  const known = services.map((s) => `${s.cluster}/${s.service}`).join(', ') || 'none';
  throw new UsageError(matches.length === 0 ? `${file} scales no service named '${name}' (scaled services: ${known})` : `'${name}' is ambiguous in ${file}: name it as CLUSTER/SERVICE (${known})`);
}

/** NumberOfMessagesSent of the queue per minute over the last `days`, gaps filled with 0. */
export async function traceFromCloudWatch(queue: string, days: number, now: Date): Promise<TracePoint[]> {
  const reader = createMetricReader(createAwsClient(CloudWatchClient, readEnvironment()));
  const queueName = queue.split('/').pop()!;
  const start = new Date(Math.floor((now.getTime() - days * 86_400_000) / 60_000) * 60_000);
  const points = await reader.perMinute({ namespace: 'AWS/SQS', name: 'NumberOfMessagesSent', dimensions: { QueueName: queueName }, stat: 'Sum', periodSeconds: 60 }, start, now);
  if (points.length === 0) throw new UsageError(`CloudWatch has no NumberOfMessagesSent for queue ${queueName} in the last ${days} days`);
  const byMinute = new Map(points.map((p) => [Math.floor(p.time.getTime() / 60_000), p.value]));
  const first = Math.floor(points[0]!.time.getTime() / 60_000);
  const last = Math.floor(points.at(-1)!.time.getTime() / 60_000);
  return Array.from({ length: last - first + 1 }, (_, i) => ({ time: new Date((first + i) * 60_000), arrivals: byMinute.get(first + i) ?? 0 }));
}

export async function runSimulateScaling(argv: string[], out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const args = parseArgs(argv, ['config', 'service', 'trace', 'per-task', 'startup-minutes', 'from-cloudwatch', 'days', 'chart']);
  const configFile = args.flags.get('config');
  const serviceName = args.flags.get('service');
  if (typeof configFile !== 'string' || typeof serviceName !== 'string') throw new UsageError('simulate-scaling needs --config FILE and --service NAME');
  const traceFile = args.flags.get('trace');
  const queue = args.flags.get('from-cloudwatch');
  if ((typeof traceFile === 'string') === (typeof queue === 'string')) throw new UsageError('simulate-scaling needs exactly one of --trace FILE or --from-cloudwatch QUEUE');

  const config = loadConfigFile(resolve(configFile));
  const service = findService(config.scale?.services ?? [], serviceName, configFile);
  const trace =
    typeof traceFile === 'string'
      ? parseTraceCsv(readFileSync(resolve(traceFile), 'utf8'), traceFile)
      : await traceFromCloudWatch(queue as string, positiveNumber(args.flags.get('days'), 'days', 7)!, new Date());
  const perTask = positiveNumber(args.flags.get('per-task'), 'per-task');
  if (perTask === undefined && trace.some((p) => p.perTask === undefined)) throw new UsageError('the trace has no per_task column: say what one task handles per minute with --per-task N');
  const startupMinutes = positiveNumber(args.flags.get('startup-minutes'), 'startup-minutes', 1)!;

  const result = simulate(service, trace, { perTask: perTask ?? 1, startupMinutes, rateSeconds: config.scale!.rate });
  for (const line of reportLines(result)) out(line);
  const chart = args.flags.get('chart');
  if (typeof chart === 'string') writeFileSync(resolve(chart), renderSimulationSvg(`${service.cluster}/${service.service}: ${trace.length} minutes`, result.samples.autopilot, result.samples.baseline));
  return 0;
}
