// What decide() returns, and what the pipeline turns it into. Plain data, so the CLI can print it,
// tests can compare it, and the executor can carry it out or only announce it.
//   decide(signal)      -> Plan { notifications, writes }      what should be said, what to remember
//   route + group       -> NotifyAction per receiver           who hears it, and new/update/suppressed
import type { TimerBody } from '../intake/signals.js';
import type { Severity } from './causes.js';

export type { TimerBody };

export const NOTIFICATION_KINDS = ['task-stopped', 'deployment', 'service-action', 'container-instance', 'alarm', 'remediation', 'scaling'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `firing`: something is wrong; `resolved`: what was wrong is healthy again. */
export type NotificationStatus = 'firing' | 'resolved';

/** The structured body of a notification, as SNS subscribers receive it (JSON). */
export interface NotificationMessage {
  schema: 'ecs-autopilot/notification@1';
  kind: NotificationKind;
  status: NotificationStatus;
  severity: Severity;
  /** For stopped tasks a cause of the vocabulary in causes.ts; otherwise what happened (`deployment-failed`, ...). */
  cause: string;
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
  deployment?: { id?: string; eventName: string; reason?: string; fromTaskDefinition?: string; toTaskDefinition?: string };
  serviceEvent?: { eventName: string; eventType: string; reason?: string };
  containerInstance?: { arn: string; ec2InstanceId?: string; status: string; agentConnected: boolean };
  alarm?: { name: string; arn?: string; state: string; previousState?: string; reason?: string; resolvedVia?: string };
  /** The last lines the failed container logged, when they could be read. */
  logTail?: { lines: string[]; logGroup: string; logStream: string } | { unavailable: string };
  /** What a remediation did (kind `remediation`): its audit id names it for `ecs-autopilot undo`. */
  remediation?: { playbook: string; type: string; outcome: string; from?: unknown; to?: unknown; auditId: string; undo: string; detail: string };
  /** Filled in when the message speaks for a group of notifications (an update). */
  group?: { key: string; count: number; firstAt: string };
  links: Record<string, string>;
  eventId: string;
  eventTime: string;
  /** When the decision was made; with eventTime, the delay from ECS to the notification. */
  decidedAt: string;
  warnings?: string[];
}

/** Something decide wants said, before it is routed to receivers and grouped. */
export interface Notification {
  kind: NotificationKind;
  status: NotificationStatus;
  severity: Severity;
  cause: string;
  cluster: string;
  service?: string;
  /** A receiver the service's `ecs-autopilot:receiver` tag names, instead of the route's. */
  receiver?: string;
  message: NotificationMessage;
}

/** A record decide wants remembered (service health, an agent's disconnect); `value: null` clears it. */
export interface RecordWrite {
  key: string;
  value: unknown;
  ttlSeconds: number;
}

/** Work for later, delivered back to the pipeline through the SQS timer queue (at most 15 min on). */
export interface TimerRequest {
  delaySeconds: number;
  body: TimerBody;
}

export interface Plan {
  eventId: string;
  signalKind: string;
  notifications: Notification[];
  writes: RecordWrite[];
  timers: TimerRequest[];
  /** Why nothing was planned, or what was ignored on the way (bad service tags). */
  notes: string[];
}

export type Delivery = 'new' | 'update' | 'suppressed';

/** One notification for one receiver, with what grouping made of it. */
export interface NotifyAction extends Omit<Notification, 'receiver'> {
  type: 'notify';
  /** The receiver it goes to (the tag's, or the route's). */
  receiver: string;
  /** The group key: receiver and the values of the route's groupBy labels. */
  group: string;
  /** `new`: posts a new message; `update`: posts the group's count; `suppressed`: folded into its group, or silenced. */
  delivery: Delivery;
  /** Why a notification was suppressed. */
  reason?: string;
  /** An SNS Subject: ASCII, at most 100 characters. */
  subject: string;
}

export type Action = NotifyAction;
