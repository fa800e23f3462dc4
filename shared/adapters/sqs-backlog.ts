// The backlog of an SQS queue for the sqs-backlog scaling policy: visible messages, plus in-flight
// ones when the policy counts them. A queue named (not given by URL) is looked up once.
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IamGrant } from './iam.js';

export function sqsBacklogGrants(queues: string[]): IamGrant[] {
  return queues.map((queue) => ({
    purpose: 'read the backlog of a queue a scaling policy names',
    actions: ['sqs:GetQueueAttributes', ...(queue.includes('/') ? [] : ['sqs:GetQueueUrl'])],
    resource: `sqs-queue:${queue}` as const,
  }));
}

export interface SqsBacklogReader {
  /** Messages waiting (and in flight, if asked); throws when the queue cannot be read. */
  backlog(queue: string, includeInFlight: boolean): Promise<number>;
}

export function createSqsBacklogReader(client: SQSClient): SqsBacklogReader {
  const urls = new Map<string, string>();
  const urlOf = async (queue: string) => {
    if (queue.includes('/')) return queue;
    const known = urls.get(queue);
    if (known) return known;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queue }));
    if (!QueueUrl) throw new Error(`queue ${queue} has no URL`);
    urls.set(queue, QueueUrl);
    return QueueUrl;
  };
  return {
    async backlog(queue, includeInFlight) {
      const names = ['ApproximateNumberOfMessages', ...(includeInFlight ? ['ApproximateNumberOfMessagesNotVisible' as const] : [])] as const;
      const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: await urlOf(queue), AttributeNames: [...names] }));
      const total = names.reduce((sum, name) => sum + Number(Attributes[name] ?? Number.NaN), 0);
      if (!Number.isFinite(total)) throw new Error(`queue ${queue} returned no ${names.join('/')}`);
      return total;
    },
  };
}
