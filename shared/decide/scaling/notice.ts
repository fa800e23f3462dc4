// The scaling notices as notifications (kind `scaling`): a service held at max while demand stays
// above it, and a service whose count is frozen because a load policy cannot be read. Routed like
// every notification (the notify route's receivers: Slack, SNS), posted at once (each is sent once
// per episode, so there is nothing to group). Pure: the clock and the place are passed in.
import { serviceConsoleUrl } from '../console-links.js';
import type { NotificationMessage } from '../plan.js';
import type { ScaledService, ScalingDecision } from './types.js';

export type ScalingNotice =
  | { notice: 'at-max'; max: number; demand: number; minutes: number }
  | { notice: 'missing-data'; count: number; policies: string[]; errors: string[]; minutes: number };

/** The notices a decision asks for. */
export function noticesOf(decision: ScalingDecision): ScalingNotice[] {
  const notices: ScalingNotice[] = [];
  if (decision.notifyAtMax) notices.push({ notice: 'at-max', max: decision.ceiling, demand: decision.notifyAtMax.demand, minutes: Math.round(decision.notifyAtMax.sinceSeconds / 60) });
  if (decision.notifyMissingData) {
    const { policies, errors, sinceSeconds } = decision.notifyMissingData;
    notices.push({ notice: 'missing-data', count: decision.desired, policies, errors, minutes: Math.round(sinceSeconds / 60) });
  }
  return notices;
}

export interface NoticeContext {
  service: Pick<ScaledService, 'cluster' | 'service'>;
  /** The decision's one-line explanation. */
  reason: string;
  eventId: string;
  time: string;
  region: string;
  account: string;
}

export function scalingMessage(notice: ScalingNotice, context: NoticeContext): NotificationMessage {
  const { cluster, service } = context.service;
  const said =
    notice.notice === 'at-max'
      ? {
          cause: 'scaling-at-max',
          title: `${cluster}/${service} has been at its max of ${notice.max} tasks for ${notice.minutes} min while the policies ask for ${notice.demand}`,
          meaning: 'The scaler holds the count at its max (the service max or an open schedule window\'s) while the demand stays above it: the backlog or the load per task grows.',
          hint: 'Raise max in the scale section of autopilot.yml (or the quota that limits it), or find why the load grows.',
        }
      : {
          cause: 'scaling-missing-data',
          title: `${cluster}/${service}: ${notice.policies.join(', ')} unreadable for ${notice.minutes} min, count frozen at ${notice.count} (no scale-in)`,
          meaning: 'While a load policy cannot be read the scaler keeps the count (or raises it to missingData.fallbackCount): it never scales in, nor to zero, on missing data, so the count cannot follow the load down.',
          hint: `Check that the queue or metric exists, has datapoints, and that the scale role may read it: ${notice.errors.join('; ')}`,
        };
  return {
    schema: 'ecs-autopilot/notification@1',
    kind: 'scaling',
    status: 'firing',
    severity: 'warning',
    ...said,
    evidence: context.reason,
    region: context.region,
    account: context.account,
    cluster,
    service,
    links: { service: serviceConsoleUrl(context.region, cluster, service) },
    eventId: context.eventId,
    eventTime: context.time,
    decidedAt: context.time,
  };
}
