// A Slack receiver: reads the incoming-webhook URL from SSM Parameter Store or Secrets Manager
// (cached per container, never logged), renders the notification as Block Kit and posts it.
import type { NotifyAction } from '../decide/plan.js';
import { renderSlackMessage } from '../render/slack-blocks.js';
import type { SecretReader } from './secret-reader.js';
import type { Deadline, SlackWebhookSender } from './slack-webhook.js';
import type { Notifier } from './sns-notifier.js';

export interface SlackReceiverOptions {
  webhook: string;
  mention?: string;
}

export function createSlackNotifier(options: SlackReceiverOptions, secrets: SecretReader, sender: SlackWebhookSender, deadline: () => Deadline, now: () => Date): Notifier {
  return {
    async notify(action: NotifyAction) {
      const url = await secrets.read(options.webhook, now());
      const payload = renderSlackMessage(action.message, options.mention ? { mention: options.mention } : {});
      await sender.post(url, payload, deadline());
      // Incoming webhooks answer "ok" and no message id.
      return {};
    },
  };
}
