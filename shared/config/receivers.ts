// The receivers and the routing tree in effect: what the configuration names, or the default of
// one receiver "sns" (the stack topic, or notify.topicArn) that gets everything.
import type { RouteNode } from '../decide/route.js';
import type { AutopilotConfig } from './schema.js';

export type ReceiverConfig = AutopilotConfig['notify']['receivers'][string];

export const DEFAULT_RECEIVER = 'sns';

export function effectiveReceivers(config: AutopilotConfig): Record<string, ReceiverConfig> {
  const named = config.notify.receivers;
  return Object.keys(named).length > 0 ? named : { [DEFAULT_RECEIVER]: { sns: config.notify.topicArn ? { topicArn: config.notify.topicArn } : {} } };
}

export function effectiveRoute(config: AutopilotConfig): RouteNode {
  return config.notify.route ?? { receiver: DEFAULT_RECEIVER };
}

/** Problems a schema cannot see: names that must refer to something defined elsewhere. */
export function receiverProblems(config: AutopilotConfig): string[] {
  const receivers = effectiveReceivers(config);
  const names = Object.keys(receivers);
  if (Object.keys(config.notify.receivers).length > 0 && !config.notify.route) {
    return [`notify.route: required when notify.receivers names receivers (${names.join(', ')}); e.g. route: { receiver: ${names[0]} }`];
  }
  const problems: string[] = [];
  const visit = (node: RouteNode, path: string, inherited: string | undefined) => {
    if (node.receiver !== undefined && !(node.receiver in receivers)) {
      problems.push(`${path}.receiver: '${node.receiver}' is not defined under notify.receivers (defined: ${names.join(', ')})`);
    }
    const receiver = node.receiver ?? inherited;
    if (receiver === undefined) problems.push(`${path}: names no receiver, and no parent does`);
    node.routes?.forEach((child, index) => visit(child, `${path}.routes[${index}]`, receiver));
  };
  visit(effectiveRoute(config), 'notify.route', undefined);
  return problems;
}
