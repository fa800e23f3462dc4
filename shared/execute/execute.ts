// Carries planned notify actions out through receivers. Dry-run lives here and only here: a
// planned action is reported exactly as it would be delivered, without the call. Suppressed
// actions are reported and never sent.
import type { Notifier } from '../adapters/sns-notifier.js';
import type { NotifyAction } from '../decide/plan.js';
import { renderPlainText } from '../render/plain-text.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

/** Receivers by name, as the configuration names them. */
export type Receivers = Record<string, Notifier>;

export interface ActionReport {
  type: 'notify';
  receiver: string;
  group: string;
  delivery: NotifyAction['delivery'];
  reason?: string;
  kind: string;
  status: string;
  severity: string;
  cause: string;
  cluster: string;
  service?: string;
  subject: string;
  /** The message as plain text: what the receiver is sent, readable in a terminal. */
  text: string;
  /** `sent` when delivered, `planned` in dry-run / offline, `suppressed` when grouped. */
  result: 'sent' | 'planned' | 'suppressed';
  messageId?: string;
}

export interface ExecuteOptions {
  dryRun: boolean;
  /** Wraps each post so it happens once per action across retries ('already': posted before). */
  once?: (action: NotifyAction, post: () => Promise<void>) => Promise<'posted' | 'already'>;
  onDelivered?: (action: NotifyAction) => void;
  metrics?: PipelineMetrics;
  /** The ECS event's own time and the clock, for the end-to-end delay of each delivery. */
  delaySince?: { eventTime: string; now: () => Date };
}

function report(action: NotifyAction, result: ActionReport['result'], messageId?: string): ActionReport {
  const { message: _message, type, ...rest } = action;
  return { type, ...rest, text: renderPlainText(action.message), result, ...(messageId ? { messageId } : {}) };
}

function reportDelivered(action: NotifyAction, options: ExecuteOptions): void {
  options.metrics?.notification(action.receiver, 'delivered');
  const eventTime = options.delaySince ? Date.parse(options.delaySince.eventTime) : Number.NaN;
  if (options.delaySince && Number.isFinite(eventTime)) options.metrics?.notificationDelay(options.delaySince.now().getTime() - eventTime);
}

export async function deliver(actions: NotifyAction[], receivers: Receivers, options: ExecuteOptions): Promise<ActionReport[]> {
  const reports: ActionReport[] = [];
  for (const action of actions) {
    if (action.delivery === 'suppressed') {
      options.metrics?.notification(action.receiver, 'grouped');
      reports.push(report(action, 'suppressed'));
    } else if (options.dryRun) {
      options.metrics?.notification(action.receiver, 'dry-run');
      reports.push(report(action, 'planned'));
    } else {
      const receiver = receivers[action.receiver];
      if (!receiver) throw new Error(`receiver '${action.receiver}' has no adapter; check notify.receivers`);
      let messageId: string | undefined;
      const post = async () => {
        try {
          ({ messageId } = await receiver.notify(action));
        } catch (error) {
          options.metrics?.notification(action.receiver, 'failed');
          throw error;
        }
        // Said as soon as the receiver has it: if the bookkeeping after the post fails, the group
        // must keep the post, or the next event of the group would post it again.
        options.onDelivered?.(action);
      };
      const outcome = options.once ? await options.once(action, post) : (await post(), 'posted');
      // Counted once it is posted and recorded as posted, never inside the post: a retry must not post again.
      if (outcome === 'posted') reportDelivered(action, options);
      if (outcome === 'already') options.onDelivered?.(action);
      reports.push(report(action, 'sent', outcome === 'already' ? 'posted before' : messageId));
    }
  }
  return reports;
}
