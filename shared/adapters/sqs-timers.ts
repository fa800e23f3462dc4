// Timers: the pipeline's own delayed work (re-check a disconnected agent, flush a group's pending
// count), as SQS messages with a delay. The same function consumes the queue. Costs nothing when
// nothing is pending, unlike a schedule that would run every minute.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TimerRequest } from '../decide/plan.js';
import type { Timers } from '../execute/process-event.js';
import type { IamGrant } from './iam.js';

/** Each function that sets timers has its own queue, which it alone consumes. */
export const timerGrantsFor = (queue: 'timer-queue' | 'remediate-timer-queue', uses: string): IamGrant[] => [
  { purpose: `set timers (${uses})`, actions: ['sqs:SendMessage'], resource: queue },
  // The function consumes the same queue (Lambda's event source mapping polls with the function's role).
  { purpose: 'receive timers', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resource: queue },
];

export const timerGrants = timerGrantsFor('timer-queue', 'group flushes, agent checks');

export function createSqsTimers(client: SQSClient, queueUrl: string): Timers {
  return {
    async schedule(timer: TimerRequest, now: Date) {
      const delaySeconds = Math.max(0, Math.min(900, Math.round(timer.delaySeconds)));
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          DelaySeconds: delaySeconds,
          MessageBody: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(now.getTime() + delaySeconds * 1000).toISOString(), timer: timer.body }),
        }),
      );
    },
  };
}
