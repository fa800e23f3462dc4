// Announces every remediation (acted, dry-run, blocked, failed) to the receivers the notify route
// picks for it (kind `remediation`): Slack and SNS render it like any notification, naming what was
// done, why, the audit id, and how to undo it.
import { announcementActions, remediationMessage } from '../decide/remediation/announcement.js';
import type { AutopilotConfig } from '../config/schema.js';
import type { Receivers } from '../execute/execute.js';
import type { Announcement } from '../execute/remediate-event.js';

export function createRemediationAnnouncer(config: AutopilotConfig, receivers: Receivers) {
  return async ({ report, auditId, time, region, account }: Announcement): Promise<void> => {
    const message = remediationMessage(report, auditId, time, { region, account });
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
  };
}
