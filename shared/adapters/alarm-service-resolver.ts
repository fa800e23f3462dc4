// Which ECS service does a CloudWatch alarm watch? An alarm names no service directly, so this tries,
// cheapest first:
//   1. ClusterName + ServiceName dimensions (AWS/ECS, ECS/ContainerInsights): no call at all;
//   2. the alarm's tags ecs-autopilot:cluster and ecs-autopilot:service: one call per alarm per cache period;
//   3. a TargetGroup dimension (AWS/ApplicationELB): the ECS service whose load balancer config names that
//      target group, from a scan of every cluster's services that is cached whole, so an alarm storm costs
//      one scan per Lambda container per cache period, not one per alarm.
// It never throws: enrichment must not block a notification. What it could not find comes back as a
// sentence naming what was tried, for the message and the logs.
import { type CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, type ECSClient, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import type { IamGrant } from './iam.js';

export const CLUSTER_TAG = 'ecs-autopilot:cluster';
export const SERVICE_TAG = 'ecs-autopilot:service';

export const alarmServiceResolverGrants: IamGrant[] = [
  { purpose: "find the ECS service an alarm watches from the alarm's tags", actions: ['cloudwatch:ListTagsForResource'], resource: 'cloudwatch-alarms' },
  // Neither action has a resource type in the Service Authorization Reference: both need "*".
  { purpose: "find the ECS service behind an alarm's target group: list clusters and their services", actions: ['ecs:ListClusters', 'ecs:ListServices'], resource: 'any-resource' },
  { purpose: "find the ECS service behind an alarm's target group: read the services' load balancers", actions: ['ecs:DescribeServices'], resource: 'ecs-services' },
];

export interface AlarmRef {
  alarmArn?: string;
  alarmName: string;
  /** The dimensions of the alarm's metrics, merged (AlarmStateChanged.dimensions). */
  dimensions: Record<string, string>;
}

export interface ResolvedService {
  cluster: string;
  service: string;
  via: 'dimensions' | 'alarm-tags' | 'target-group';
}

export type AlarmServiceResolution = ResolvedService | { unresolved: string };

export interface AlarmServiceResolver {
  resolve(alarm: AlarmRef, now: Date): Promise<AlarmServiceResolution>;
}

/** The service named by ClusterName and ServiceName dimensions, as AWS/ECS and ECS/ContainerInsights metrics carry them. */
export function serviceFromDimensions(dimensions: Record<string, string>): { cluster: string; service: string } | undefined {
  const cluster = dimensions.ClusterName?.trim();
  const service = dimensions.ServiceName?.trim();
  return cluster && service ? { cluster, service } : undefined;
}

/** DescribeServices takes at most 10 services a call. */
const DESCRIBE_BATCH = 10;
/** DescribeServices calls in flight at once: quick enough for a big account, gentle on ECS's rate limits. */
const DESCRIBE_CONCURRENCY = 4;
/**
 * A failed scan is remembered this long (at most cacheSeconds), so that an alarm storm while ECS is
 * throttling or denying the calls does not rescan for every alarm; a transient fault heals soon after.
 */
const FAILED_SCAN_SECONDS = 30;

interface ServiceRef {
  cluster: string;
  service: string;
}

type Scan = { byTargetGroup: Map<string, ServiceRef[]>; services: number; clusters: number } | { error: string };

const describeError = (error: unknown) => `${(error as Error).name || 'Error'}: ${(error as Error).message}`;

/** `targetgroup/name/id` from a target group ARN; the part the TargetGroup dimension carries. */
function targetGroupResource(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(':') + 1);
}

/** The cluster name from a cluster ARN (arn:aws:ecs:region:account:cluster/name). */
function clusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
}

function joinClauses(clauses: string[]): string {
  if (clauses.length <= 1) return clauses.join('');
  return `${clauses.slice(0, -1).join(', ')}, and ${clauses[clauses.length - 1]}`;
}

export function createAlarmServiceResolver(
  clients: { ecs: ECSClient; cloudwatch: CloudWatchClient },
  options: { cacheSeconds: number },
): AlarmServiceResolver {
  const cacheMs = options.cacheSeconds * 1000;
  // Per alarm ARN. Only successful reads are kept: a failed read is tried again with the next event.
  const tagCache = new Map<string, { tags: Record<string, string>; until: number }>();
  // `until` is unset while the scan is in flight: concurrent resolves share that one scan.
  let scanEntry: { scan: Promise<Scan>; until?: number } | undefined;

  async function alarmTags(alarmArn: string, now: Date): Promise<{ tags: Record<string, string> } | { error: string }> {
    const cached = tagCache.get(alarmArn);
    if (cached && cached.until > now.getTime()) return { tags: cached.tags };
    try {
      const result = await clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));
      const tags: Record<string, string> = {};
      for (const tag of result.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      tagCache.set(alarmArn, { tags, until: now.getTime() + cacheMs });
      return { tags };
    } catch (error) {
      return { error: describeError(error) };
    }
  }

  async function scanServices(): Promise<Scan> {
    try {
      const byTargetGroup = new Map<string, ServiceRef[]>();
      let services = 0;
      const clusterArns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await clients.ecs.send(new ListClustersCommand({ nextToken }));
        clusterArns.push(...(page.clusterArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);

      for (const clusterArn of clusterArns) {
        const serviceArns: string[] = [];
        let servicesToken: string | undefined;
        do {
          const page = await clients.ecs.send(new ListServicesCommand({ cluster: clusterArn, nextToken: servicesToken, maxResults: 100 }));
          serviceArns.push(...(page.serviceArns ?? []));
          servicesToken = page.nextToken;
        } while (servicesToken);
        services += serviceArns.length;

        const batches: string[][] = [];
        for (let i = 0; i < serviceArns.length; i += DESCRIBE_BATCH) batches.push(serviceArns.slice(i, i + DESCRIBE_BATCH));
        for (let i = 0; i < batches.length; i += DESCRIBE_CONCURRENCY) {
          const described = await Promise.all(
            batches.slice(i, i + DESCRIBE_CONCURRENCY).map((batch) => clients.ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: batch }))),
          );
          for (const service of described.flatMap((result) => result.services ?? [])) {
            if (!service.serviceName) continue;
            const ref = { cluster: service.clusterArn ? clusterName(service.clusterArn) : clusterName(clusterArn), service: service.serviceName };
            for (const loadBalancer of service.loadBalancers ?? []) {
              if (!loadBalancer.targetGroupArn) continue;
              const key = targetGroupResource(loadBalancer.targetGroupArn);
              const known = byTargetGroup.get(key) ?? [];
              // A service may list one target group twice (two container ports): count it once.
              if (!known.some((k) => k.cluster === ref.cluster && k.service === ref.service)) known.push(ref);
              byTargetGroup.set(key, known);
            }
          }
        }
      }
      return { byTargetGroup, services, clusters: clusterArns.length };
    } catch (error) {
      return { error: describeError(error) };
    }
  }

  function servicesByTargetGroup(now: Date): Promise<Scan> {
    if (!scanEntry || (scanEntry.until !== undefined && scanEntry.until <= now.getTime())) {
      const entry: { scan: Promise<Scan>; until?: number } = { scan: scanServices() };
      scanEntry = entry;
      void entry.scan.then((scan) => {
        entry.until = now.getTime() + ('error' in scan ? Math.min(cacheMs, FAILED_SCAN_SECONDS * 1000) : cacheMs);
      });
    }
    return scanEntry.scan;
  }

  return {
    async resolve(alarm, now) {
      try {
        // "alarm X has <clause>, <clause>, and <clause>; <note>; <what to do>"
        const clauses: string[] = [];
        const notes: string[] = [];

        const fromDimensions = serviceFromDimensions(alarm.dimensions);
        if (fromDimensions) return { ...fromDimensions, via: 'dimensions' };
        const { ClusterName, ServiceName } = alarm.dimensions;
        if (ClusterName) clauses.push(`a ClusterName dimension (${ClusterName}) but no ServiceName dimension`);
        else if (ServiceName) clauses.push(`a ServiceName dimension (${ServiceName}) but no ClusterName dimension`);
        else clauses.push('no ClusterName/ServiceName dimensions');

        if (!alarm.alarmArn) {
          clauses.push(`no alarm ARN in the event to read ${CLUSTER_TAG}/service tags with`);
        } else {
          const read = await alarmTags(alarm.alarmArn, now);
          if ('error' in read) {
            clauses.push(`tags that could not be read (${read.error})`);
          } else {
            const cluster = read.tags[CLUSTER_TAG]?.trim();
            const service = read.tags[SERVICE_TAG]?.trim();
            if (cluster && service) return { cluster, service, via: 'alarm-tags' };
            if (cluster) clauses.push(`a ${CLUSTER_TAG} tag but no ${SERVICE_TAG} tag`);
            else if (service) clauses.push(`a ${SERVICE_TAG} tag but no ${CLUSTER_TAG} tag`);
            else clauses.push(`no ${CLUSTER_TAG}/service tags`);
          }
        }

        const targetGroup = alarm.dimensions.TargetGroup?.trim();
        const loadBalancer = alarm.dimensions.LoadBalancer?.trim();
        if (!targetGroup) {
          if (loadBalancer) {
            clauses.push(`a LoadBalancer dimension (${loadBalancer}) but no TargetGroup dimension`);
            notes.push('a load balancer alone does not identify a service, since it can route to several');
          } else {
            clauses.push('no TargetGroup dimension');
          }
        } else {
          const scan = await servicesByTargetGroup(now);
          if ('error' in scan) {
            clauses.push(`a TargetGroup dimension (${targetGroup}) that could not be matched to an ECS service because listing the services failed (${scan.error})`);
          } else {
            const matches = scan.byTargetGroup.get(targetGroup) ?? [];
            const [only] = matches;
            if (only && matches.length === 1) return { ...only, via: 'target-group' };
            clauses.push(
              matches.length === 0
                ? `a TargetGroup dimension (${targetGroup}) that none of the ${scan.services} ECS services in ${scan.clusters} clusters uses`
                : `a TargetGroup dimension (${targetGroup}) that several ECS services use (${matches.map((m) => `${m.cluster}/${m.service}`).join(', ')})`,
            );
          }
        }

        return {
          unresolved: [
            `alarm ${alarm.alarmName} has ${joinClauses(clauses)}`,
            ...notes,
            `tag the alarm with ${CLUSTER_TAG} and ${SERVICE_TAG} to name its service`,
          ].join('; '),
        };
      } catch (error) {
        // Nothing above should throw; this keeps the promise of never blocking a notification if it does.
        return { unresolved: `alarm ${alarm.alarmName}: finding its ECS service failed (${describeError(error)})` };
      }
    },
  };
}
