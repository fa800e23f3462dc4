// Loaded on the first Slack notification only (a chunk of its own): SSM, Secrets Manager, Block Kit.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createSecretReader } from '../../shared/adapters/secret-reader.js';
import { createSlackNotifier } from '../../shared/adapters/slack-notifier.js';
import { createSlackWebhookSender, type Deadline } from '../../shared/adapters/slack-webhook.js';
import type { Notifier } from '../../shared/adapters/sns-notifier.js';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';

export function createSlackReceiverFactory(env: RuntimeEnvironment, deadline: () => Deadline, now: () => Date) {
  const secrets = createSecretReader({ ssm: createAwsClient(SSMClient, env), secretsManager: createAwsClient(SecretsManagerClient, env) }, { cacheSeconds: 300 });
  const sender = createSlackWebhookSender();
  return (options: { webhook: string; mention?: string }): Notifier => createSlackNotifier(options, secrets, sender, deadline, now);
}
