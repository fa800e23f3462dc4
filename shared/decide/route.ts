// The routing tree, with Prometheus Alertmanager's semantics (what on-call engineers already know):
// the root matches every notification; a matching node hands the notification to the first child
// that matches, and goes on to later siblings only when that child says `continue`; a node whose
// children all miss is where the notification ends. Children inherit receiver and grouping.
// https://prometheus.io/docs/alerting/latest/configuration/#route
import { matchesGlob } from '../glob.js';

export const ROUTE_LABELS = ['cluster', 'service', 'cause', 'severity', 'kind'] as const;
export type RouteLabel = (typeof ROUTE_LABELS)[number];
export type Labels = Partial<Record<RouteLabel, string>>;

export interface Grouping {
  groupBy: RouteLabel[];
  /** Seconds to wait for more of a new group before the first message. */
  groupWait: number;
  /** Seconds between updates of a group that keeps growing. */
  groupInterval: number;
  /** Seconds before an unchanged group is sent again. */
  repeatInterval: number;
}

export interface RouteNode extends Partial<Grouping> {
  receiver?: string;
  /** Every listed label must match one of its globs; an absent label never matches. */
  match?: Partial<Record<RouteLabel, string[]>>;
  continue?: boolean;
  routes?: RouteNode[];
}

export interface RouteResult extends Grouping {
  receiver: string;
  /** Where in the tree it matched, e.g. `route.routes[1].routes[0]`, to explain a decision. */
  path: string;
  /** The receiver and the values of the groupBy labels: notifications with one key form one group. */
  groupKey: string;
}

// groupWait 0, unlike Alertmanager's 30 s: the first failure of a group pages at once; later ones are
// folded into updates. Set groupWait to batch the first message too.
export const DEFAULT_GROUPING: Grouping = { groupBy: ['cluster', 'service', 'cause'], groupWait: 0, groupInterval: 300, repeatInterval: 4 * 3600 };

function matches(node: RouteNode, labels: Labels): boolean {
  return Object.entries(node.match ?? {}).every(([label, globs]) => {
    const value = labels[label as RouteLabel];
    return value !== undefined && (globs ?? []).some((glob) => matchesGlob(glob, value));
  });
}

export function groupKey(receiver: string, groupBy: RouteLabel[], labels: Labels): string {
  return `${receiver}:{${groupBy.map((label) => `${label}=${JSON.stringify(labels[label] ?? '')}`).join(',')}}`;
}

function walk(node: RouteNode, labels: Labels, inherited: Grouping & { receiver?: string }, path: string): RouteResult[] {
  const settings = {
    receiver: node.receiver ?? inherited.receiver,
    groupBy: node.groupBy ?? inherited.groupBy,
    groupWait: node.groupWait ?? inherited.groupWait,
    groupInterval: node.groupInterval ?? inherited.groupInterval,
    repeatInterval: node.repeatInterval ?? inherited.repeatInterval,
  };
  const results: RouteResult[] = [];
  for (const [index, child] of (node.routes ?? []).entries()) {
    if (!matches(child, labels)) continue;
    results.push(...walk(child, labels, settings, `${path}.routes[${index}]`));
    if (!child.continue) break;
  }
  if (results.length > 0) return results;
  if (!settings.receiver) throw new Error(`${path} matched but names no receiver, and no parent does`);
  const { receiver, ...grouping } = settings;
  return [{ receiver, ...grouping, path, groupKey: groupKey(receiver, grouping.groupBy, labels) }];
}

/** The receivers a notification goes to, each with its grouping; never empty (the root catches all). */
export function route(root: RouteNode, labels: Labels): RouteResult[] {
  return walk(root, labels, DEFAULT_GROUPING, 'route');
}
