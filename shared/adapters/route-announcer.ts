// Posts one announcement (a remediation, a scaling notice) to every receiver the notify route
// picks for it, at once and ungrouped. Every receiver is tried; the failures are reported together.
import type { AutopilotConfig } from '../config/schema.js';
import { announcementActions } from '../decide/remediation/announcement.js';
import type { NotificationMessage } from '../decide/plan.js';
import type { Receivers } from '../execute/execute.js';

export async function announceToRoute(config: AutopilotConfig, receivers: Receivers, message: NotificationMessage): Promise<void> {
  const failures: string[] = [];
  for (const action of announcementActions(config, message)) {
    const receiver = receivers[action.receiver];
    if (!receiver) continue;
    try {
      await receiver.notify(action);
    } catch (error) {
      failures.push(`${action.receiver}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`the announcement did not reach ${failures.join('; ')}`);
}
