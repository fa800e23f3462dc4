// IAM from declarations: each adapter states once which IAM actions its calls need, on which
// resource of the stack. A function's role is the union of the grants of the adapters it wires
// (see functions/*/permissions.ts), rendered into serverless.yml by build/serverless-vars.cjs.

/**
 * Resources of the stack (or the account) a grant applies to; build/serverless-vars.cjs maps each to an ARN.
 * `sns-topic:<arn>` is a topic the configuration names as a receiver.
 * `ssm-parameter:<name>` and `secret:<name>` name one SSM parameter or Secrets Manager secret (a name or
 * a full ARN), because secrets live outside the stack and a role should read only the ones configured.
 * `any-resource` is "*", only for actions that the Service Authorization Reference lists with no
 * resource type (ecs:ListClusters, ecs:ListServices): AWS offers nothing narrower for them.
 * `log-streams` is every log stream of the account in the stack's region (logs:GetLogEvents is
 * authorised on the stream, not the group); which groups ECS writes to is known only at run time.
 * `ecs-tasks` is every task of the account in the stack's region (the shipper describes the task a log
 * stream names). `firehose-stream:<name>` and `s3-objects:<bucket>/<prefix>` are the log destinations
 * and the backup location the configuration names.
 */
export type GrantResource =
  | 'state-table'
  | 'notify-topic'
  | 'ecs-services'
  | 'ecs-container-instances'
  | 'cloudwatch-alarms'
  | 'any-resource'
  | 'log-streams'
  | 'timer-queue'
  | 'ecs-tasks'
  | `firehose-stream:${string}`
  | `s3-objects:${string}`
  | `sns-topic:${string}`
  | `ssm-parameter:${string}`
  | `secret:${string}`;

export interface IamGrant {
  /** What the grant is for, shown in the README's IAM table. */
  purpose: string;
  actions: string[];
  resource: GrantResource;
}

/** Merges grants on the same resource, so the role has one statement per resource. */
export function mergeGrants(grants: IamGrant[]): Array<{ resource: GrantResource; actions: string[] }> {
  const byResource = new Map<GrantResource, Set<string>>();
  for (const grant of grants) {
    const actions = byResource.get(grant.resource) ?? new Set<string>();
    for (const action of grant.actions) actions.add(action);
    byResource.set(grant.resource, actions);
  }
  return [...byResource].map(([resource, actions]) => ({ resource, actions: [...actions].sort() }));
}
