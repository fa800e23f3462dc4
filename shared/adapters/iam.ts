// IAM from declarations: each adapter states once which IAM actions its calls need, on which
// resource of the stack. A function's role is the union of the grants of the adapters it wires
// (see functions/*/permissions.ts), rendered into serverless.yml by build/serverless-vars.cjs.

/**
 * Resources of the stack (or the account) a grant applies to; build/serverless-vars.cjs maps each to an ARN.
 * `sns-topic:<arn>` is a topic the configuration names as a receiver.
 * `notify-topic-key` is the customer managed KMS key of the stack's topic (publishing encrypts with it).
 * `ssm-parameter:<name>` and `secret:<name>` name one SSM parameter or Secrets Manager secret (a name or
 * a full ARN), because secrets live outside the stack and a role should read only the ones configured.
 * `any-resource` is "*", only for actions that the Service Authorization Reference lists with no
 * resource type (ecs:ListClusters, ecs:ListServices): AWS offers nothing narrower for them.
 * `log-streams` is every log stream of the account in the stack's region (logs:GetLogEvents is
 * authorised on the stream, not the group); which groups ECS writes to is known only at run time.
 * `remediation-*` are what playbooks write to: only resources carrying the opt-in tag
 * (ecs-autopilot:remediate), or the clusters and services `remediate.optIn` names.
 * `pass-role-to-ecs-tasks` is iam:PassRole conditioned on iam:PassedToService ecs-tasks.amazonaws.com.
 * `sqs-queue:<url or name>` is one queue a scaling policy reads; `scalable-targets` the account's
 * Application Auto Scaling scalable targets (always with a tag condition).
 * `ecs-tasks` is every task of the account in the stack's region (the shipper describes the task a log
 * stream names). `firehose-stream:<name>` and `s3-objects:<bucket>/<prefix>` are the log destinations
 * and the backup location the configuration names.
 * `log-groups` is every log group of the account in the stack's region; `log-groups-under:<prefix>`
 * the groups whose names start with a ship.autoSubscribe prefix.
 */
export type GrantResource =
  | 'state-table'
  | 'notify-topic'
  | 'notify-topic-key'
  | 'ecs-services'
  | 'ecs-container-instances'
  | 'cloudwatch-alarms'
  | 'any-resource'
  | 'log-streams'
  | 'timer-queue'
  | 'remediate-timer-queue'
  | 'remediation-services'
  | 'remediation-container-instances'
  | 'remediation-autoscaling-groups'
  | 'remediation-task-definitions'
  | 'pass-role-to-ecs-tasks'
  | 'scalable-targets'
  | `sqs-queue:${string}`
  | 'ecs-tasks'
  | `firehose-stream:${string}`
  | 'log-groups'
  | `log-groups-under:${string}`
  | `s3-objects:${string}`
  | `sns-topic:${string}`
  | `ssm-parameter:${string}`
  | `secret:${string}`;

export interface IamGrant {
  /** What the grant is for, shown in the README's IAM table. */
  purpose: string;
  actions: string[];
  resource: GrantResource;
  /** An IAM condition block, e.g. the opt-in tag a write requires: { StringEquals: { 'aws:ResourceTag/ecs-autopilot:scale': 'on' } }. */
  condition?: Record<string, Record<string, string>>;
}

/** Merges grants on the same resource (and condition), so the role has one statement per resource and condition. */
export function mergeGrants(grants: IamGrant[]): Array<{ resource: GrantResource; actions: string[]; condition?: IamGrant['condition'] }> {
  const merged = new Map<string, { resource: GrantResource; actions: Set<string>; condition?: IamGrant['condition'] }>();
  for (const grant of grants) {
    const key = `${grant.resource}\u0000${JSON.stringify(grant.condition ?? null)}`;
    const entry = merged.get(key) ?? { resource: grant.resource, actions: new Set<string>(), ...(grant.condition ? { condition: grant.condition } : {}) };
    for (const action of grant.actions) entry.actions.add(action);
    merged.set(key, entry);
  }
  return [...merged.values()].map(({ resource, actions, condition }) => ({ resource, actions: [...actions].sort(), ...(condition ? { condition } : {}) }));
}
