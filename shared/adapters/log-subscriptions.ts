// CloudWatch Logs subscription filters of the log groups the shipper subscribes to by itself:
// list the groups under a prefix, read a group's filters, put or delete this stack's filter.
import {
  type CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeSubscriptionFiltersCommand,
  paginateDescribeLogGroups,
  PutSubscriptionFilterCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ExistingFilter, OwnSubscription } from '../decide/logs/subscriptions.js';
import type { IamGrant } from './iam.js';

export interface LogSubscriptions {
  /** Names of the log groups whose names start with prefix, in name order. */
  logGroups(prefix: string): AsyncIterable<string>;
  /** The group's subscription filters (at most two); undefined when the group no longer exists. */
  filtersOf(logGroup: string): Promise<ExistingFilter[] | undefined>;
  put(logGroup: string, own: OwnSubscription): Promise<void>;
  /** Deletes the filter; a filter (or group) already gone counts as deleted. */
  remove(logGroup: string, filterName: string): Promise<void>;
}

export function createLogSubscriptions(logs: CloudWatchLogsClient): LogSubscriptions {
  return {
    async *logGroups(prefix) {
      for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: prefix })) {
        for (const group of page.logGroups ?? []) if (group.logGroupName) yield group.logGroupName;
      }
    },
    async filtersOf(logGroup) {
      try {
        const { subscriptionFilters = [] } = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: logGroup }));
        return subscriptionFilters.map((f) => ({
          filterName: f.filterName ?? '',
          ...(f.destinationArn ? { destinationArn: f.destinationArn } : {}),
          ...(f.filterPattern !== undefined ? { filterPattern: f.filterPattern } : {}),
        }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    async put(logGroup, own) {
      await logs.send(new PutSubscriptionFilterCommand({ logGroupName: logGroup, filterName: own.filterName, filterPattern: own.filterPattern, destinationArn: own.destinationArn }));
    },
    async remove(logGroup, filterName) {
      try {
        await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: logGroup, filterName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

/**
 * logs:DescribeLogGroups on every group of the region (it lists; which groups exist is the
 * question), and the subscription-filter calls only on the groups under the configured prefixes.
 */
export function logSubscriptionGrants(prefixes: readonly string[]): IamGrant[] {
  return [
    { purpose: 'list the log groups under the ship.autoSubscribe prefixes', actions: ['logs:DescribeLogGroups'], resource: 'log-groups' },
    ...prefixes.map(
      (prefix): IamGrant => ({
        purpose: `subscribe log groups under ${prefix} to the ship function, and remove that subscription on sls remove`,
        actions: ['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter'],
        resource: `log-groups-under:${prefix}`,
      }),
    ),
  ];
}
