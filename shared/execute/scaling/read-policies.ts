// Reads what each load policy of a service needs, through the adapters. A failed read becomes a
// reading with its error (the decision then keeps the count): it never fails the service.
import type { MetricReader } from '../../adapters/cloudwatch-metric.js';
import type { SqsBacklogReader } from '../../adapters/sqs-backlog.js';
import type { ScalingPolicy } from '../../config/schema-scale.js';
import type { PolicyReading } from '../../decide/scaling/types.js';

export interface PolicyReaders {
  backlog: SqsBacklogReader;
  metrics: MetricReader;
}

const describeError = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

export async function readPolicy(policy: ScalingPolicy, readers: PolicyReaders, now: Date): Promise<PolicyReading | undefined> {
  try {
    switch (policy.type) {
      case 'sqs-backlog':
        return { value: await readers.backlog.backlog(policy.queue, policy.includeInFlight) };
      case 'metric':
        return {
          value: await readers.metrics.latest(
            { ...(policy.metric ? { metric: policy.metric } : {}), ...(policy.expression ? { expression: policy.expression } : {}), metrics: policy.metrics, lookbackSeconds: policy.lookbackSeconds },
            now,
          ),
        };
      case 'schedule':
        return undefined;
    }
  } catch (error) {
    return { error: describeError(error) };
  }
}
