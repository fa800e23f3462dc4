// `simulate-scaling --from-cloudwatch QUEUE --days N` against the emulator: the trace is the
// queue's NumberOfMessagesSent per minute, read with GetMetricData.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { runSimulateScaling, traceFromCloudWatch } from '../../bin/cli/simulate-scaling.js';
import { EMULATOR_ENV, projectRoot } from '../../scripts/lib/emulator.js';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { uniqueName } from '../support/lambda.js';

const queue = uniqueName('orders');
const now = new Date();
const minuteStart = (m: number) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m * 60_000);

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  Object.assign(process.env, EMULATOR_ENV, { AWS_ENDPOINT_URL: endpoint });
  const cloudwatch = new CloudWatchClient(clientOptions(endpoint));
  // 30 minutes ago to 1 minute ago, every minute but the 10th; a burst 20 minutes ago.
  const data = Array.from({ length: 30 }, (_, i) => 30 - i)
    .filter((m) => m !== 10)
    .map((m) => ({ MetricName: 'NumberOfMessagesSent', Dimensions: [{ Name: 'QueueName', Value: queue }], Timestamp: minuteStart(m), Value: m === 20 ? 5000 : 150, Unit: 'Count' as const }));
  for (let i = 0; i < data.length; i += 20) await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/SQS', MetricData: data.slice(i, i + 20) }));
});

describe('simulate-scaling --from-cloudwatch', () => {
  it('builds a per-minute trace from NumberOfMessagesSent, gaps as zero', async () => {
    const trace = await traceFromCloudWatch(`https://sqs.us-east-1.amazonaws.com/123456789012/${queue}`, 1, now);
    expect(trace).toHaveLength(30);
    expect(trace[0]!.time).toEqual(minuteStart(30));
    expect(trace.map((p) => p.arrivals).filter((a) => a === 5000)).toHaveLength(1);
    expect(trace.find((p) => p.time.getTime() === minuteStart(10).getTime())!.arrivals).toBe(0);
  });

  it('prints the report for the queue', async () => {
    const lines: string[] = [];
    const config = join(projectRoot, 'test', 'fixtures', 'scaling', 'autopilot.yml');
    await runSimulateScaling(['--config', config, '--service', 'worker', '--from-cloudwatch', queue, '--days', '1', '--per-task', '100'], (line) => lines.push(line));
    expect(lines).toHaveLength(5);
    // 28 minutes of 150 and one of 5000 messages, 100 per task-minute.
    expect(lines[3]).toMatch(/^task-minutes: \d+ \(ideal 92\)$/);
  });
});
