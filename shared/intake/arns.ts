// Names out of ECS ARNs. ECS has two ARN formats for tasks and services: the long one carries the
// cluster name (service/CLUSTER/NAME), the old one does not (service/NAME).

export interface ParsedArn {
  region: string;
  account: string;
  resourceType: string;
  /** The path after the resource type, split on '/'. */
  parts: string[];
}

export function parseArn(arn: string | undefined): ParsedArn | undefined {
  if (!arn) return undefined;
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return undefined;
  const resource = fields.slice(5).join(':');
  const [resourceType = '', ...parts] = resource.split('/');
  return { region: fields[3] ?? '', account: fields[4] ?? '', resourceType, parts };
}

export function clusterNameFromArn(clusterArn: string | undefined): string | undefined {
  const arn = parseArn(clusterArn);
  return arn?.resourceType === 'cluster' ? arn.parts.join('/') || undefined : undefined;
}

/** service/CLUSTER/NAME -> { cluster, service }; service/NAME -> { service }. */
export function serviceFromArn(serviceArn: string | undefined): { cluster?: string; service: string } | undefined {
  const arn = parseArn(serviceArn);
  if (arn?.resourceType !== 'service' || arn.parts.length === 0) return undefined;
  if (arn.parts.length >= 2) return { cluster: arn.parts[0], service: arn.parts.slice(1).join('/') };
  return { service: arn.parts[0]! };
}

export function lastArnSegment(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

/** family:revision of a task definition ARN. */
export function taskDefinitionFromArn(arn: string | undefined): { family: string; revision?: number } | undefined {
  const parsed = parseArn(arn);
  if (parsed?.resourceType !== 'task-definition') return undefined;
  const [family = '', revision] = parsed.parts.join('/').split(':');
  const rev = revision !== undefined && /^\d+$/.test(revision) ? Number(revision) : undefined;
  return rev === undefined ? { family } : { family, revision: rev };
}

/** The ARN of a service in the long format, which ListTagsForResource and the console expect. */
export function serviceArnFor(scope: { region: string; account: string; cluster: string; service: string }): string {
  return `arn:aws:ecs:${scope.region}:${scope.account}:service/${scope.cluster}/${scope.service}`;
}
