// A remediation's announcement as a notification: routed like every other notification (the
// route's receivers; kind `remediation`), posted at once (no grouping: cooldowns already keep it to
// one per target), rendered by the same Slack and SNS code, and naming how to undo it.
import type { AutopilotConfig } from '../../config/schema.js';
import { effectiveRoute } from '../../config/receivers.js';
import type { Severity } from '../causes.js';
import { serviceConsoleUrl } from '../console-links.js';
import { toSubject } from '../notification.js';
import type { NotificationMessage, NotifyAction } from '../plan.js';
import { route } from '../route.js';
import { playbookLabel } from './opt-in.js';
import type { PlannedRemediation } from './types.js';

export interface AnnouncedRemediation extends PlannedRemediation {
  outcome: string;
  detail: string;
}

const SAID: Record<string, { verb: string; severity: Severity }> = {
  acted: { verb: 'done', severity: 'warning' },
  failed: { verb: 'FAILED', severity: 'critical' },
  'dry-run': { verb: 'dry-run, not done', severity: 'info' },
  planned: { verb: 'planned', severity: 'info' },
  'blocked-kill-switch': { verb: 'blocked by the kill switch', severity: 'warning' },
  'blocked-stale': { verb: 'not done, the target changed', severity: 'info' },
  'blocked-cooldown': { verb: 'blocked by the cooldown', severity: 'info' },
  'blocked-budget': { verb: 'blocked by the hourly budget', severity: 'warning' },
};

export function remediationMessage(report: AnnouncedRemediation, auditId: string, time: string, where: { region: string; account: string }): NotificationMessage {
  const said = SAID[report.outcome] ?? { verb: report.outcome, severity: 'info' as Severity };
  const service = report.service?.split('/')[1];
  const target = report.service ?? report.containerInstance ?? report.cluster;
  const undo = report.outcome === 'acted' ? report.undo.replace('ID', auditId) : 'Nothing was changed, so there is nothing to undo.';
  return {
    schema: 'ecs-autopilot/notification@1',
    kind: 'remediation',
    status: 'firing',
    severity: said.severity,
    cause: `remediation-${report.type}`,
    title: `ecs-autopilot ${report.type} of ${target}: ${said.verb}`,
    meaning: report.reason,
    hint: `${report.detail}. To undo: ${undo}`,
    evidence: `playbook ${playbookLabel(report.playbook)}, audit ${auditId}`,
    region: where.region,
    account: where.account,
    cluster: report.cluster,
    ...(service ? { service } : {}),
    remediation: {
      playbook: playbookLabel(report.playbook),
      type: report.type,
      outcome: report.outcome,
      ...(report.from !== undefined ? { from: report.from } : {}),
      ...(report.to !== undefined ? { to: report.to } : {}),
      auditId,
      undo,
      detail: report.detail,
    },
    links: service ? { service: serviceConsoleUrl(where.region, report.cluster, service) } : {},
    eventId: report.eventIds[0] ?? auditId,
    eventTime: time,
    decidedAt: time,
  };
}

/** One notify action per receiver the route picks for this announcement. */
export function announcementActions(config: AutopilotConfig, message: NotificationMessage): NotifyAction[] {
  const labels = { cluster: message.cluster, ...(message.service ? { service: message.service } : {}), cause: message.cause, severity: message.severity, kind: message.kind };
  return route(effectiveRoute(config), labels).map((match) => ({
    type: 'notify',
    receiver: match.receiver,
    group: match.groupKey,
    delivery: 'new',
    kind: message.kind,
    status: message.status,
    severity: message.severity,
    cause: message.cause,
    cluster: message.cluster,
    ...(message.service ? { service: message.service } : {}),
    // As every notification's subject: [severity] cause: where.
    subject: toSubject(`[${message.severity}] ${message.cause}: ${message.service ? `${message.cluster}/${message.service}` : message.cluster}`),
    message,
  }));
}
