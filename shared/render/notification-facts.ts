// Facts both renderers (Slack and plain text) show, read from a NotificationMessage in one place so
// the two never disagree about which container is to blame.
import type { NotificationMessage } from '../decide/plan.js';

export type NotifiedContainer = NonNullable<NotificationMessage['task']>['containers'][number];

/** `cluster/service`, or the cluster alone for a standalone task. */
export function whereOf(message: NotificationMessage): string {
  return message.service ? `${message.cluster}/${message.service}` : message.cluster;
}

/** `family:revision`, `family`, or undefined when the event named no task definition. */
export function taskDefinitionOf(message: NotificationMessage): string | undefined {
  const family = message.task?.family;
  if (!family) return undefined;
  const revision = message.task?.revision;
  return revision !== undefined ? `${family}:${revision}` : family;
}

/** The container the cause points at, as decide recorded it. */
export function implicatedContainer(message: NotificationMessage): NotifiedContainer | undefined {
  const index = message.task?.implicatedContainer;
  return index === undefined ? undefined : message.task?.containers[index];
}
