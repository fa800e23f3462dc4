// Announces every remediation (acted, dry-run, blocked, failed) on SNS: what was done, why, the
// audit id, and how to undo it. Subscribers filter on the `kind` attribute (`remediation`),
// `playbook` and `outcome`, as they filter notifications.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toSubject } from '../decide/notification.js';
import { playbookLabel } from '../decide/remediation/opt-in.js';
import type { Announcement } from '../execute/remediate-event.js';
import { fitForSns } from './sns-notifier.js';

const VERB: Record<string, string> = {
  acted: 'done',
  'dry-run': 'dry-run, not done',
  failed: 'FAILED',
  'blocked-kill-switch': 'blocked by the kill switch',
  'blocked-stale': 'not done, the target changed',
  'blocked-cooldown': 'blocked by the cooldown',
  'blocked-budget': 'blocked by the hourly budget',
};

export function remediationMessage({ report, auditId, time }: Announcement) {
  return {
    schema: 'ecs-autopilot/remediation@1',
    kind: 'remediation',
    playbook: playbookLabel(report.playbook),
    type: report.type,
    outcome: report.outcome,
    title: `${report.type} ${report.service ?? report.containerInstance ?? report.cluster}: ${VERB[report.outcome] ?? report.outcome}`,
    reason: report.reason,
    detail: report.detail,
    cluster: report.cluster,
    ...(report.service ? { service: report.service } : {}),
    ...(report.containerInstance ? { containerInstance: report.containerInstance } : {}),
    ...(report.from !== undefined ? { from: report.from } : {}),
    ...(report.to !== undefined ? { to: report.to } : {}),
    undo: report.outcome === 'acted' ? report.undo.replace('ID', auditId) : 'nothing was changed',
    auditId,
    eventIds: report.eventIds,
    time,
  };
}

export function createRemediationAnnouncer(client: SNSClient, topicArn: string) {
  return async (announcement: Announcement) => {
    const message = remediationMessage(announcement);
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: toSubject(`[ecs-autopilot] ${message.title}`),
        Message: fitForSns(message),
        MessageAttributes: {
          kind: attribute('remediation'),
          playbook: attribute(message.playbook),
          outcome: attribute(message.outcome),
          cluster: attribute(message.cluster || '-'),
          ...(announcement.report.service ? { service: attribute(announcement.report.service.split('/')[1] ?? '-') } : {}),
        },
      }),
    );
  };
}
