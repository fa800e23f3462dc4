// The IAM grants of the remediate function: reads, the kill switch, the announcement topic, the
// state table and its timer queue, plus the writes of the playbooks this configuration enables
// (and nothing for the ones it does not).
import { alarmServiceResolverGrants } from '../../shared/adapters/alarm-service-resolver.js';
import { OPERATION_GRANTS, remediationReadGrants } from '../../shared/adapters/ecs-remediation.js';
import { serviceTagReaderGrants } from '../../shared/adapters/ecs-service-tags.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import { killSwitchGrants } from '../../shared/adapters/kill-switch.js';
import { timerGrantsFor } from '../../shared/adapters/sqs-timers.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { enabledPlaybooks } from '../../shared/decide/remediation/opt-in.js';
import { PLAYBOOKS } from '../../shared/decide/remediation/playbooks/index.js';
import { stateStoreGrants } from '../../shared/state/dynamodb-store.js';
import { receiverGrants } from '../notify/permissions.js';

export function remediateGrants(config: AutopilotConfig): IamGrant[] {
  const playbooks = enabledPlaybooks(config.remediate);
  const operations = new Set(playbooks.flatMap((name) => PLAYBOOKS[name].operations));
  // Without replace, a drain needs no Auto Scaling permission at all.
  if (!config.remediate.playbooks.disconnectedAgent.replace) operations.delete('replace-asg-instance');
  return [
    ...remediationReadGrants,
    ...serviceTagReaderGrants,
    ...(playbooks.includes('unhealthyTargets') ? alarmServiceResolverGrants : []),
    ...[...operations].flatMap((operation) => OPERATION_GRANTS[operation]),
    ...killSwitchGrants(config.remediate.killSwitchParameter),
    // Announcements go where the notify route sends them.
    ...receiverGrants(config),
    ...timerGrantsFor('remediate-timer-queue', 'agent re-checks, capacity restore checks'),
    ...stateStoreGrants,
  ];
}
