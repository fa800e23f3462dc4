// What decide() returns: the actions to take, and the reasons for taking none. Plain data, so the
// CLI can print it, tests can compare it, and the executor can carry it out or only announce it.
import type { Cause, Severity } from './causes.js';

/** The structured body of a notification, as SNS subscribers receive it (JSON). */
export interface NotificationMessage {
  schema: 'ecs-autopilot/notification@1';
  kind: string;
  severity: Severity;
  cause: Cause;
  /** One line: what failed and why. */
  title: string;
  /** What the cause means and what to do about it. */
  meaning: string;
  hint: string;
  evidence: string;
  region: string;
  account: string;
  cluster: string;
  service?: string;
  task?: {
    arn: string;
    id: string;
    taskDefinitionArn?: string;
    family?: string;
    revision?: number;
    launchType?: string;
    capacityProvider?: string;
    stopCode?: string;
    stoppedReason?: string;
    stoppedAt?: string;
    containers: Array<{ name: string; image?: string; exitCode?: number; reason?: string }>;
    /** The container the cause points at (an index into containers), when the classifier named one. */
    implicatedContainer?: number;
  };
  links: Record<string, string>;
  eventId: string;
  eventTime: string;
  /** When the decision was made; with eventTime, the delay from ECS to the notification. */
  decidedAt: string;
  warnings?: string[];
}

export interface NotifyAction {
  type: 'notify';
  severity: Severity;
  cause: Cause;
  kind: string;
  cluster: string;
  service?: string;
  /** An SNS Subject: ASCII, at most 100 characters. */
  subject: string;
  message: NotificationMessage;
}

export type Action = NotifyAction;

export interface Plan {
  eventId: string;
  signalKind: string;
  actions: Action[];
  /** Why no action was planned, or what was ignored on the way (bad service tags). */
  notes: string[];
}
