// Posts one announcement (a remediation, a scaling notice) to every receiver the notify route
// picks for it, at once and ungrouped. Every receiver is tried; the failures are reported together.
// With `once`, each receiver's post goes through it (a retry then skips the receivers that had it).
import type { AutopilotConfig } from '../config/schema.js';
import { announcementActions } from '../decide/remediation/announcement.js';
import type { NotificationMessage } from '../decide/plan.js';
import type { Receivers } from '../execute/execute.js';
import type { PostOnce } from '../execute/post-once.js';

export async function announceToRoute(config: AutopilotConfig, receivers: Receivers, message: NotificationMessage, once?: PostOnce): Promise<void> {
  const failures: string[] = [];
  for (const action of announcementActions(config, message)) {
    const receiver = receivers[action.receiver];
    if (!receiver) continue;
    try {
      const post = async () => {
        await receiver.notify(action);
      };
      await (once ? once(action.receiver, post) : post());
    } catch (error) {
      failures.push(`${action.receiver}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`the announcement did not reach ${failures.join('; ')}`);
}
