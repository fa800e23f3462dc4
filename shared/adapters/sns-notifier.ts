// Publishes a notify action to SNS: the structured JSON body, and message attributes that SNS
// subscription filter policies can match (severity, cause, cluster, service, kind).
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyAction } from '../decide/plan.js';
import type { IamGrant } from './iam.js';

/** Publish to the stack's topic, or to the topics the configuration names. */
export function snsNotifierGrants(topicArns: Array<string | undefined>): IamGrant[] {
  return topicArns.map((arn) => ({ purpose: 'publish notifications', actions: ['sns:Publish'], resource: arn ? (`sns-topic:${arn}` as const) : 'notify-topic' }));
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
  return attributes;
}

export function createSnsNotifier(client: SNSClient, topicArn: string): Notifier {
  return {
    async notify(action) {
      const result = await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: action.subject,
          Message: JSON.stringify(action.message),
          MessageAttributes: notificationAttributes(action),
        }),
      );
      return { messageId: result.MessageId };
    },
  };
}
