// `ecs-autopilot audit [--limit N] [--json]` and `ecs-autopilot undo ID`: what remediation did, from
// the deployed stack's state table (STATE_TABLE and AWS credentials, like `silence`).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { userInfo } from 'node:os';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createRemediationEcs } from '../../shared/adapters/ecs-remediation.js';
import { readEnvironment, requireSetting } from '../../shared/config/environment.js';
import { UndoRefused, undoRemediation } from '../../shared/execute/undo.js';
import type { AuditRecord } from '../../shared/state/store.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { parseArgs, UsageError } from './args.js';

function store() {
  const env = readEnvironment();
  return new DynamoDbStateStore(createAwsClient(DynamoDBClient, env), requireSetting(env, 'stateTable', 'STATE_TABLE'));
}

/** One line per record: time, id, who, what, on what, outcome, why. */
export function formatAuditLine(record: AuditRecord): string {
  const outcome = String((record.detail as { outcome?: unknown } | undefined)?.outcome ?? '-');
  return [record.time, record.id, record.actor, record.action, record.target, outcome, record.reason].join('  ');
}

export async function runAudit(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['limit']);
  const limit = Number(args.flags.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit takes a number from 1 to 1000, got '${String(args.flags.get('limit'))}'`);
  const records = await store().listAudit(limit);
  if (args.flags.has('json')) {
    for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  if (records.length === 0) process.stdout.write('no actions recorded\n');
  for (const record of records) process.stdout.write(`${formatAuditLine(record)}\n`);
  return 0;
}

export async function runUndo(argv: string[], now = new Date()): Promise<number> {
  const args = parseArgs(argv, []);
  const [id] = args.positional;
  if (!id || args.positional.length > 1) throw new UsageError('undo takes one audit id (ecs-autopilot audit lists them)');
  try {
    const receipt = await undoRemediation(id, { store: store(), ecs: createRemediationEcs(createAwsClient(ECSClient, readEnvironment())), now, by: userInfo().username || 'unknown' });
    process.stdout.write(`undone: ${receipt.reason}; recorded as ${receipt.id}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UndoRefused) {
      process.stderr.write(`ecs-autopilot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
