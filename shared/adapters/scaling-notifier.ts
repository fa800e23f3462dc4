// The scaling notices (held at max, count frozen by missing data) go where the notify route sends
// notifications of kind `scaling`: Slack and SNS, rendered like every notification.
import type { AutopilotConfig } from '../config/schema.js';
import { type NoticeContext, type ScalingNotice, scalingMessage } from '../decide/scaling/notice.js';
import type { Receivers } from '../execute/execute.js';
import { announceToRoute } from './route-announcer.js';

export type ScalingNotifier = (notice: ScalingNotice, context: NoticeContext) => Promise<void>;

export function createScalingNotifier(config: AutopilotConfig, receivers: Receivers): ScalingNotifier {
  return async (notice, context) => announceToRoute(config, receivers, scalingMessage(notice, context));
}
