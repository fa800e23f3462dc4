// Announces every remediation (acted, dry-run, blocked, failed) to the receivers the notify route
// picks for it (kind `remediation`): Slack and SNS render it like any notification, naming what was
// done, why, the audit id, and how to undo it.
import { remediationMessage } from '../decide/remediation/announcement.js';
import type { AutopilotConfig } from '../config/schema.js';
import type { Receivers } from '../execute/execute.js';
import type { Announcement } from '../execute/remediate-event.js';
import { announceToRoute } from './route-announcer.js';

export function createRemediationAnnouncer(config: AutopilotConfig, receivers: Receivers) {
  return async ({ report, auditId, time, region, account, once }: Announcement): Promise<void> => {
    await announceToRoute(config, receivers, remediationMessage(report, auditId, time, { region, account }), once);
  };
}
