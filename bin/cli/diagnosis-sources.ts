// The clients and state `explain` and `status` read, built once from the environment: ECS, CloudWatch,
// CloudWatch Logs, and the deployed stack's state table when STATE_TABLE names it (without it the
// commands still diagnose, and say that what ecs-autopilot did is not shown).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createDiagnosisReader, NotFoundError } from '../../shared/adapters/ecs-diagnosis-reader.js';
import { createKillSwitch, lazySsm } from '../../shared/adapters/kill-switch.js';
import { readEnvironment } from '../../shared/config/environment.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { healthKey, type ServiceHealth } from '../../shared/decide/notification.js';
import { type KillSwitchReading, limitsToRead, type RemediationLimits, remediationLimits } from '../../shared/decide/remediation-limits.js';
import type { Silence } from '../../shared/decide/silences.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import type { AuditRecord } from '../../shared/state/store.js';
import { UsageError } from './args.js';

/** Audit records read: the most recent ones, plenty for an hour of a busy account. */
const AUDIT_RECORDS_READ = 1000;

export function diagnosisSources() {
  const env = readEnvironment();
  const ecs = createAwsClient(ECSClient, env);
  const store = env.stateTable ? new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), env.stateTable) : undefined;
  let audit: Promise<AuditRecord[]> | undefined;
  let silences: Promise<Array<{ id: string; value: Silence }>> | undefined;
  return {
    hasState: store !== undefined,
    ecs,
    logs: createAwsClient(CloudWatchLogsClient, env),
    cloudwatch: createAwsClient(CloudWatchClient, env),
    reader: createDiagnosisReader(ecs, env.region),
    /** What the state table holds about one service; undefined without STATE_TABLE. Audit and silences are read once per command. */
    async stateOf(cluster: string, service: string, now: Date) {
      if (!store) return undefined;
      audit ??= store.listAudit(AUDIT_RECORDS_READ);
      silences ??= store.listCollection<Silence>('silences', now);
      const health = await store.getRecord<ServiceHealth | null>(healthKey(cluster, service), now);
      return { audit: await audit, silences: await silences, ...(health?.value ? { health: health.value } : {}) };
    },
    /** The remediation cooldowns and budgets left on one service, as the executor keeps them, and the kill switch; undefined without STATE_TABLE. */
    async limitsOf(config: AutopilotConfig, target: { cluster: string; service: string; tags?: Record<string, string> }, now: Date): Promise<RemediationLimits | undefined> {
      if (!store) return undefined;
      const { cooldownKeys, budgetKeys } = limitsToRead(config, target, now);
      // Read only when a playbook may act here; a switch nobody may read is said, not fatal.
      const killSwitch = async (): Promise<KillSwitchReading | undefined> => {
        if (budgetKeys.length === 0) return undefined;
        try {
          const engaged = await createKillSwitch(lazySsm(env), config.remediate.killSwitchParameter).engaged();
          return engaged ? { engaged } : { off: true };
        } catch (error) {
          return { unreadable: (error as Error).message };
        }
      };
      const [cooldowns, slots, switchState] = await Promise.all([
        Promise.all(cooldownKeys.map(async (key) => [key, (await store.cooldownUntil(key, now))?.toISOString()] as const)),
        Promise.all(budgetKeys.map(async (key) => [key, await store.slotsTaken(key, now)] as const)),
        killSwitch(),
      ]);
      const cooldownUntil = Object.fromEntries(cooldowns.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
      return remediationLimits(config, target, { cooldownUntil, slotsTaken: Object.fromEntries(slots), ...(switchState ? { killSwitch: switchState } : {}) }, now);
    },
  };
}

export type DiagnosisSources = ReturnType<typeof diagnosisSources>;

/**
 * Runs a diagnosis command: a usage mistake goes to main (usage text, exit 2); anything else, a
 * task or service that does not exist, missing credentials, an AWS error, is one line and exit 1,
 * never a stack trace.
 */
export async function reportFailures(command: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const e = error as Error;
    process.stderr.write(`ecs-autopilot: ${error instanceof NotFoundError ? e.message : `${command} failed: ${e.name}: ${e.message.split('\n')[0]}`}\n`);
    return 1;
  }
}
