// Which log groups the shipper subscribes to by itself (ship.autoSubscribe.prefixes), and what to
// do with each: pure, so the sweep, the CreateLogGroup trigger and stack removal share it.
//
// Rules, in order:
//   - the stack's own function logs are never subscribed: shipping the shipper's logs would make
//     more logs to ship, forever;
//   - a group under ship.logGroups belongs to the stack's own subscription (CloudFormation's);
//   - a group that already sends to the ship function under another filter is shipped already
//     (a second filter would ship every line twice);
//   - CloudWatch Logs allows two subscription filters per group: with two others in place the
//     group is skipped and reported, never one of them replaced;
//   - our filter with another pattern or destination is updated; the same one is kept.

export interface OwnSubscription {
  /** One name per stack, so removal finds exactly the filters this stack made. */
  filterName: string;
  /** The ship function's ARN. */
  destinationArn: string;
  filterPattern: string;
}

export interface SubscriptionPolicy {
  prefixes: readonly string[];
  /** ship.logGroups: subscribed by the stack itself. */
  listed: readonly string[];
  /** Log groups of the stack's own functions start with this (/aws/lambda/<stack>-). */
  ownLogGroupPrefix: string;
}

export interface ExistingFilter {
  filterName: string;
  destinationArn?: string;
  filterPattern?: string;
}

export type SubscriptionStep =
  | { logGroup: string; action: 'subscribe' | 'update' }
  /** needsAction: left alone until someone acts (the group's two filters), not by design. */
  | { logGroup: string; action: 'keep' | 'skip'; reason: string; needsAction?: boolean };

/** Why a group is not for auto-subscription, or undefined when it is. */
export function notAutoSubscribed(logGroup: string, policy: SubscriptionPolicy): string | undefined {
  if (logGroup.startsWith(policy.ownLogGroupPrefix)) return "the stack's own function logs (shipping them would ship the shipper's logs forever)";
  if (policy.listed.includes(logGroup)) return 'listed in ship.logGroups: the stack subscribes it itself';
  if (!policy.prefixes.some((prefix) => logGroup.startsWith(prefix))) return 'matches no ship.autoSubscribe prefix';
  return undefined;
}

/** What to do with one matching log group, given the subscription filters it has now. */
export function planSubscription(logGroup: string, existing: readonly ExistingFilter[], own: OwnSubscription): SubscriptionStep {
  const ours = existing.find((f) => f.filterName === own.filterName);
  if (ours) {
    const same = ours.destinationArn === own.destinationArn && (ours.filterPattern ?? '') === own.filterPattern;
    return same ? { logGroup, action: 'keep', reason: 'already subscribed' } : { logGroup, action: 'update' };
  }
  const shipping = existing.find((f) => f.destinationArn === own.destinationArn);
  if (shipping) return { logGroup, action: 'keep', reason: `already shipped by subscription filter ${shipping.filterName}` };
  if (existing.length >= 2) {
    return {
      logGroup,
      action: 'skip',
      needsAction: true,
      reason: `has two subscription filters already (${existing.map((f) => f.filterName).join(', ')}), the most CloudWatch Logs allows; remove one, or add the group to ship.logGroups in its place`,
    };
  }
  return { logGroup, action: 'subscribe' };
}

/** Whether this stack's filter is on the group (the one to delete on removal). */
export const isOwnFilter = (filter: ExistingFilter, own: OwnSubscription): boolean => filter.filterName === own.filterName && filter.destinationArn === own.destinationArn;
