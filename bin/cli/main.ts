// Entry point of the `ecs-autopilot` CLI: replay, validate, silence, audit, undo.
import { resolve } from 'node:path';
import { clusterArnMatchers } from '../../shared/config/cluster-filter.js';
import { notifyPatterns } from '../../shared/config/event-patterns.js';
import { effectiveReceivers } from '../../shared/config/receivers.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../shared/config/load-file.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { ConfigError, validateConfig } from '../../shared/config/validate.js';
import { parseArgs, UsageError } from './args.js';
import { replay } from './replay.js';
import { runAudit, runUndo } from './audit.js';
import { shipOffline } from './ship.js';
import { runSilence } from './silence.js';
import { runExplain } from './explain.js';
import { runStatus } from './status.js';
import { runSimulateScaling } from './simulate-scaling.js';

const USAGE = `usage: ecs-autopilot <command>

  replay [--config FILE] [--offline] [--execute] FILE...
      Run recorded events (JSON object, JSON array or NDJSON) through the pipeline and print
      one JSON line per event: id, detailType, outcome (acted|ignored|error), actions, error.
      --offline makes no AWS call; actions are planned, never executed. Exit 1 if any event errored.
  ship --offline [--config FILE] FILE...
      Run CloudWatch Logs subscription events ({"awslogs":{"data":...}}: one per file, a JSON array
      or NDJSON) through the log shipper's pipeline and print the records it would ship as NDJSON.
      Exit 1 with the reason on a payload that does not decode.
  silence add --match label=value[,label=value] --for 2h [--comment TEXT] [--by NAME]
  silence list
  silence remove ID
      Mute matching notifications (labels: cluster, service, cause, severity, kind; * globs,
      alternatives with |) in the deployed stack's state table (STATE_TABLE, AWS credentials).
  audit [--limit N] [--json]
      Recent remediation actions (acted, dry-run, blocked and why) from the state table, newest first.
  undo ID
      Reverse one action from its audit record (rollback, pause, capacity change, drain), only if
      the target is still as the action left it.
  explain [--config FILE] TASK_ARN|CLUSTER/TASK_ID|CLUSTER/SERVICE [--json]
      Why a task stopped (cause, hint, exit codes, task definition changes, last log lines), or a
      service's deployments, failures by cause, events, alarms and what ecs-autopilot did (audit
      records, silences, remediation cooldowns and budgets left; --config for the limits).
  status [--config FILE] [--cluster NAME] [--json]
      One line per watched service: health, failures and actions in the last hour, scaling, silences.
  simulate-scaling --config FILE --service NAME (--trace FILE | --from-cloudwatch QUEUE [--days N])
      [--per-task N] [--startup-minutes N] [--chart FILE.svg]
      Replay a load trace (CSV: time,arrivals[,per_task]) or the queue's NumberOfMessagesSent
      through the service's scaling policy and print drain time, direction changes, actions,
      task-minutes against the ideal, and ECS target tracking on the same trace.
  validate [FILE]
      Check a configuration file (default: $AUTOPILOT_CONFIG or ${DEFAULT_CONFIG_FILE}) and print
      its receivers and the EventBridge rules it produces.
`;

function configFile(explicit: string | undefined): string {
  return resolve(explicit ?? process.env.AUTOPILOT_CONFIG ?? DEFAULT_CONFIG_FILE);
}

async function runReplay(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['config']);
  if (args.positional.length === 0) throw new UsageError('replay needs at least one event file');
  const explicit = args.flags.get('config');
  // Without --config, a missing default file means the defaults, so replay works anywhere.
  const config: AutopilotConfig =
    typeof explicit === 'string' ? loadConfigFile(resolve(explicit)) : tryDefaultConfig();
  let errors = 0;
  for await (const line of replay(args.positional, { config, offline: args.flags.has('offline'), execute: args.flags.has('execute') })) {
    if (line.outcome === 'error') errors += 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return errors > 0 ? 1 : 0;
}

function runShip(argv: string[]): number {
  const args = parseArgs(argv, ['config']);
  if (!args.flags.has('offline')) throw new UsageError('ship runs only with --offline here: the deployed function ships for real');
  if (args.positional.length === 0) throw new UsageError('ship needs at least one event file');
  const explicit = args.flags.get('config');
  const config = typeof explicit === 'string' ? loadConfigFile(resolve(explicit)) : tryDefaultConfig();
  return shipOffline(args.positional, config, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
}

function tryDefaultConfig(): AutopilotConfig {
  try {
    return loadConfigFile(configFile(undefined));
  } catch (error) {
    if (error instanceof ConfigError && error.problems[0] === 'file not found' && !process.env.AUTOPILOT_CONFIG) return validateConfig({}, 'defaults');
    throw error;
  }
}

function runValidate(argv: string[]): number {
  const args = parseArgs(argv, []);
  const file = configFile(args.positional[0]);
  const config = loadConfigFile(file);
  process.stdout.write(`${file}: valid\n`);
  const clusters = clusterArnMatchers(config.clusters, 'cluster');
  process.stdout.write(`watches clusters: include ${config.clusters.include.join(', ')}${config.clusters.exclude.length ? `; exclude ${config.clusters.exclude.join(', ')}` : ''}${clusters ? '' : ' (no cluster filter in the patterns)'}\n`);
  process.stdout.write(`receivers: ${Object.entries(effectiveReceivers(config)).map(([name, r]) => `${name} (${r.slack ? 'slack' : 'sns'})`).join(', ')}\n`);
  for (const rule of notifyPatterns(config)) process.stdout.write(`EventBridge rule ${rule.name}: ${JSON.stringify(rule.pattern)}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await runReplay(rest);
      case 'validate':
        return runValidate(rest);
      case 'ship':
        return runShip(rest);
      case 'silence':
        return await runSilence(rest);
      case 'audit':
        return await runAudit(rest);
      case 'undo':
        return await runUndo(rest);
      case 'explain':
        return await runExplain(rest, tryDefaultConfig);
      case 'status':
        return await runStatus(rest, tryDefaultConfig);
      case 'simulate-scaling':
        return await runSimulateScaling(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ecs-autopilot: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`ecs-autopilot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
