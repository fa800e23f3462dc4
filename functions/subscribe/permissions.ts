// The IAM grants of the subscribe function: list log groups, and manage subscription filters only
// on the groups under the ship.autoSubscribe prefixes.
import { logSubscriptionGrants } from '../../shared/adapters/log-subscriptions.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';

export function subscribeGrants(config: AutopilotConfig): IamGrant[] {
  return logSubscriptionGrants(config.ship.autoSubscribe.prefixes);
}
