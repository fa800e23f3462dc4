// Publishes a notify action to SNS: the structured JSON body, and message attributes that SNS
// subscription filter policies can match (severity, cause, cluster, service, kind).
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyAction } from '../decide/plan.js';
import type { IamGrant } from './iam.js';

/** Publish to the stack's topic, or to the topics the configuration names. */
export function snsNotifierGrants(topicArns: Array<string | undefined>): IamGrant[] {
  const grants: IamGrant[] = topicArns.map((arn) => ({ purpose: 'publish notifications', actions: ['sns:Publish'], resource: arn ? (`sns-topic:${arn}` as const) : 'notify-topic' }));
  // The stack's topic is encrypted with its own key (CloudWatch alarm actions cannot publish to a
  // topic under the AWS managed aws/sns key), so publishing to it needs that key too.
  if (topicArns.some((arn) => arn === undefined)) grants.push({ purpose: "encrypt notifications with the stack topic's key", actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: 'notify-topic-key' });
  return grants;
}

export interface Notifier {
  notify(action: NotifyAction): Promise<{ messageId?: string }>;
}

export function notificationAttributes(action: NotifyAction): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  const put = (name: string, value: string | undefined) => {
    // SNS rejects empty attribute values; an absent attribute is what filter policies expect.
    if (value) attributes[name] = { DataType: 'String', StringValue: value };
  };
  put('severity', action.severity);
  put('cause', action.cause);
  put('cluster', action.cluster);
  put('service', action.service);
  put('kind', action.kind);
  put('status', action.status);
  put('delivery', action.delivery);
  // Remediation announcements: subscribers can filter on what was done and how it ended.
  put('playbook', action.message.remediation?.playbook);
  put('outcome', action.message.remediation?.outcome);
  return attributes;
}

/** SNS accepts 256 KB per message; ECS text is short, but event fields are untrusted. */
const SNS_MAX_BYTES = 250_000;

/** The message as JSON, with long strings cut when it would not fit into one SNS message. */
export function fitForSns(message: unknown): string {
  const whole = JSON.stringify(message);
  if (Buffer.byteLength(whole) <= SNS_MAX_BYTES) return whole;
  for (const limit of [2000, 500, 100]) {
    const cut = JSON.stringify(message, (_key, value: unknown) => (typeof value === 'string' && value.length > limit ? `${value.slice(0, limit)}… [cut]` : value));
    if (Buffer.byteLength(cut) <= SNS_MAX_BYTES) return cut;
  }
  return JSON.stringify({ schema: 'ecs-autopilot/notification@1', truncated: true, title: String((message as { title?: unknown }).title ?? '').slice(0, 500) });
}

export function createSnsNotifier(client: SNSClient, topicArn: string): Notifier {
  return {
    async notify(action) {
      const result = await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: action.subject,
          Message: fitForSns(action.message),
          MessageAttributes: notificationAttributes(action),
        }),
      );
      return { messageId: result.MessageId };
    },
  };
}
