// The one scaling notification: a service held at max while demand stays above it. Published to
// the stack topic with the attributes subscribers already filter on (kind=scaling).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { fitForSns } from './sns-notifier.js';

export interface AtMaxNotice {
  cluster: string;
  service: string;
  max: number;
  demand: number;
  minutes: number;
  reason: string;
}

export type ScalingNotifier = (notice: AtMaxNotice) => Promise<void>;

export function createScalingNotifier(client: SNSClient, topicArn: string): ScalingNotifier {
  return async (notice) => {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: `[warning] scaling at max: ${notice.cluster}/${notice.service}`.slice(0, 100),
        Message: fitForSns({
          schema: 'ecs-autopilot/scaling@1',
          title: `${notice.cluster}/${notice.service} has been at its max of ${notice.max} tasks for ${notice.minutes} min while the policies ask for ${notice.demand}`,
          hint: 'Raise max in the scale section of autopilot.yml (or the quota that limits it), or find why the load grows.',
          ...notice,
        }),
        MessageAttributes: { kind: attribute('scaling'), severity: attribute('warning'), cluster: attribute(notice.cluster), service: attribute(notice.service), status: attribute('firing') },
      }),
    );
  };
}
