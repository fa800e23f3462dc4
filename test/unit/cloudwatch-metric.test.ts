// The metric policy's CloudWatch read. The emulator stores metrics but does not evaluate metric
// math, so the expression request is checked here, against a mocked client.
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createMetricReader } from '../../shared/adapters/cloudwatch-metric.js';

const now = new Date('2026-11-25T06:00:00Z');
const stat = (name: string) => ({ namespace: 'Shop', name, dimensions: { Service: 'checkout' }, stat: 'Sum', periodSeconds: 60 });

describe('metric reader', () => {
  it('sends a metric-math expression with its metrics as hidden inputs and reads the newest value', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'ecs_autopilot_value', Values: [42, 7], Timestamps: [now, now], StatusCode: 'Complete' }] });
    const value = await createMetricReader(new CloudWatchClient({ region: 'us-east-1' })).latest({ expression: 'orders / carts', metrics: { orders: stat('Orders'), carts: stat('Carts') }, lookbackSeconds: 300 }, now);
    expect(value).toBe(42);
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.ScanBy).toBe('TimestampDescending');
    expect(input.StartTime).toEqual(new Date('2026-11-25T05:55:00Z'));
    expect(input.MetricDataQueries).toEqual([
      { Id: 'orders', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [{ Name: 'Service', Value: 'checkout' }] }, Period: 60, Stat: 'Sum' } },
      { Id: 'carts', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Carts', Dimensions: [{ Name: 'Service', Value: 'checkout' }] }, Period: 60, Stat: 'Sum' } },
      { Id: 'ecs_autopilot_value', Expression: 'orders / carts', ReturnData: true },
    ]);
    cloudwatch.restore();
  });

  it('says why there is no value: no datapoint, or the expression failed', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'ecs_autopilot_value', Values: [], StatusCode: 'InternalError', Messages: [{ Code: 'ArithmeticError', Value: 'division by zero' }] }] });
    await expect(createMetricReader(new CloudWatchClient({ region: 'us-east-1' })).latest({ expression: 'a / b', metrics: { a: stat('A'), b: stat('B') }, lookbackSeconds: 120 }, now)).rejects.toThrow(
      'no datapoint in the last 120 s (InternalError; division by zero)',
    );
    cloudwatch.restore();
  });
});
