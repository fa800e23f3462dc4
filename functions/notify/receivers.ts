// The receivers a configuration names, built once per container: SNS topics, and Slack webhooks
// whose adapter (with SSM and Secrets Manager) loads on the first Slack post only. The notify and
// remediate functions both post through these.
import { SNSClient } from '@aws-sdk/client-sns';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import type { Deadline } from '../../shared/adapters/slack-webhook.js';
import { createSnsNotifier, type Notifier } from '../../shared/adapters/sns-notifier.js';
import { type RuntimeEnvironment, requireSetting } from '../../shared/config/environment.js';
import { effectiveReceivers } from '../../shared/config/receivers.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import type { Receivers } from '../../shared/execute/execute.js';
import { once } from '../../shared/adapters/load-once.js';

/** Lambda's remaining time, so a Slack retry never outlives the invocation. */
export type DeadlineSource = () => Deadline;

export function createReceivers(env: RuntimeEnvironment, config: AutopilotConfig, deadline: DeadlineSource, now: () => Date): Receivers {
  const sns = createAwsClient(SNSClient, env);
  const slack = once(async () => (await import('./lazy-slack.js')).createSlackReceiverFactory(env, deadline, now));
  const slackReceiver = (options: { webhook: string; mention?: string }): Notifier => {
    let notifier: Notifier | undefined;
    return {
      async notify(action) {
        notifier ??= (await slack())(options);
        return notifier.notify(action);
      },
    };
  };

  const receivers: Receivers = {};
  for (const [name, receiver] of Object.entries(effectiveReceivers(config))) {
    receivers[name] = receiver.slack
      ? slackReceiver(receiver.slack)
      : createSnsNotifier(sns, receiver.sns?.topicArn ?? requireSetting(env, 'notifyTopicArn', 'NOTIFY_TOPIC_ARN'));
  }
  return receivers;
}
