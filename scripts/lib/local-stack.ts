// The stack's stateful resources, created in the emulator from the same definitions as
// serverless.yml (the table's keys come from its StateTable resource), plus an SQS queue
// subscribed to the topic so that tests and the demo can read what was published.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'yaml';
import { EMULATOR_ENV, projectRoot } from './emulator.js';

export interface LocalStack {
  endpoint: string;
  tableName: string;
  topicArn: string;
  /** An SQS queue subscribed to the topic: what a subscriber would receive. */
  subscriberQueueUrl: string;
  /** The pipeline's timer queue (group flushes, agent checks), as in serverless.yml. */
  timerQueueUrl: string;
  /** The environment the deployed functions get from serverless.yml, pointed at the emulator. */
  functionEnv: Record<string, string>;
}

interface TableDefinition {
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
}

export function stateTableDefinition(): TableDefinition {
  const template = parse(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    // The stack's own resources are the first item of the list (the second is ship.autoSubscribe's).
    resources: Array<{ Resources: { StateTable: { Properties: TableDefinition } } } | string>;
  };
  const own = template.resources[0];
  if (typeof own !== 'object') throw new Error('serverless.yml: resources[0] should be the stack\'s own Resources');
  return own.Resources.StateTable.Properties;
}

export const clientOptions = (endpoint: string) => ({
  endpoint,
  region: EMULATOR_ENV.AWS_REGION,
  credentials: { accessKeyId: EMULATOR_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_ENV.AWS_SECRET_ACCESS_KEY },
});

export async function createLocalStack(endpoint: string, name: string): Promise<LocalStack> {
  const dynamodb = new DynamoDBClient(clientOptions(endpoint));
  const sns = new SNSClient(clientOptions(endpoint));
  const sqs = new SQSClient(clientOptions(endpoint));
  const table = stateTableDefinition();
  const tableName = `${name}-state`;
  await dynamodb.send(
    new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: table.AttributeDefinitions, KeySchema: table.KeySchema }),
  );
  await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: table.TimeToLiveSpecification }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-notifications` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-subscriber` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
  const { QueueUrl: timerQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-timers` }));
  return {
    endpoint,
    tableName,
    topicArn: TopicArn!,
    subscriberQueueUrl: QueueUrl!,
    timerQueueUrl: timerQueueUrl!,
    functionEnv: { ...EMULATOR_ENV, AWS_ENDPOINT_URL: endpoint, STATE_TABLE: tableName, NOTIFY_TOPIC_ARN: TopicArn!, TIMER_QUEUE_URL: timerQueueUrl! },
  };
}

export interface ReceivedNotification {
  subject?: string;
  body: Record<string, unknown>;
  attributes: Record<string, string>;
}

/** Drains the subscriber queue: the SNS envelope unwrapped into body and message attributes. */
export async function receiveNotifications(stack: LocalStack, waitSeconds = 1): Promise<ReceivedNotification[]> {
  const sqs = new SQSClient(clientOptions(stack.endpoint));
  const received: ReceivedNotification[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.subscriberQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: received.length ? 0 : waitSeconds }));
    if (Messages.length === 0) return received;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message: string; MessageAttributes?: Record<string, { Value: string }> };
      received.push({
        subject: envelope.Subject,
        body: JSON.parse(envelope.Message) as Record<string, unknown>,
        attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
      });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.subscriberQueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}
