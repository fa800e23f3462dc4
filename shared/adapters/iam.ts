// IAM from declarations: each adapter states once which IAM actions its calls need, on which
// resource of the stack. A function's role is the union of the grants of the adapters it wires
// (see functions/*/permissions.ts), rendered into serverless.yml by build/serverless-vars.cjs.

/**
 * Resources of the stack (or the account) a grant applies to; build/serverless-vars.cjs maps each to an ARN.
 * `ssm-parameter:<name>` and `secret:<name>` name one SSM parameter or Secrets Manager secret (a name or
 * a full ARN), because secrets live outside the stack and a role should read only the ones configured.
 */
export type GrantResource = 'state-table' | 'notify-topic' | 'ecs-services' | `ssm-parameter:${string}` | `secret:${string}`;

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
