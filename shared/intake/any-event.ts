// Every event the tool reads, CloudWatch Logs subscription batches decoded into a log-batch signal
// too: for the CLI and tests. The functions import parseEvent (./index.ts), which only recognises
// batches, so that their bundles leave the decoder out.
import { parseLogsSubscription } from './cloudwatch-logs-subscription.js';
import { parseEvent } from './index.js';
import { isLogsSubscriptionEvent } from './logs-subscription-shape.js';
import type { Intake } from './signals.js';

export function parseAnyEvent(raw: unknown): Intake {
  if (isLogsSubscriptionEvent(raw)) return { type: 'signal', signal: parseLogsSubscription(raw) };
  return parseEvent(raw);
}
