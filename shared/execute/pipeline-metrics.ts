// The facts the pipeline reports about itself, through a port so that decide/ and execute/ stay
// free of Powertools: the Lambda handler passes an EMF adapter (shared/lambda/pipeline-metrics.ts),
// replay and the tests pass nothing (NO_METRICS) or a recorder.

/** How an event ended, as EventOutcome says it, or `error` when it failed the invocation. */
export type HandledOutcome = 'acted' | 'ignored' | 'error';

/**
 * What became of one notification for one receiver: `delivered` (posted now), `failed` (the post
 * threw), `silenced` (a silence muted it), `grouped` (folded into a group's earlier message),
 * `dry-run` (planned only).
 */
export type NotificationOutcome = 'delivered' | 'failed' | 'silenced' | 'grouped' | 'dry-run';

export interface PipelineMetrics {
  /** An event arrived, by signal kind (`unrecognised` and `malformed` for what intake could not read). */
  eventIn(kind: string): void;
  eventHandled(kind: string, outcome: HandledOutcome): void;
  notification(receiver: string, outcome: NotificationOutcome): void;
  /** From the ECS event's `time` to the moment its notification was delivered, in milliseconds. */
  notificationDelay(milliseconds: number): void;
}

export const NO_METRICS: PipelineMetrics = {
  eventIn: () => undefined,
  eventHandled: () => undefined,
  notification: () => undefined,
  notificationDelay: () => undefined,
};
