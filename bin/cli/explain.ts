// `ecs-autopilot explain [--config FILE] TASK_ARN|CLUSTER/TASK_ID|CLUSTER/SERVICE [--json]`: why a task stopped, or
// what is wrong with a service and what has been done about it, in one screen. Reads the account
// (or the emulator, AWS_ENDPOINT_URL) with the caller's credentials; the diagnosis itself is pure
// (shared/decide/explain-task.ts, explain-service.ts).
import { resolve } from 'node:path';
import { createLogTailReader } from '../../shared/adapters/log-tail.js';
import { alarmsOnService } from '../../shared/adapters/service-alarms.js';
import { containerToRead, explainTask, previousRevisionOf } from '../../shared/decide/explain-task.js';
import { explainService } from '../../shared/decide/explain-service.js';
import { loadConfigFile } from '../../shared/config/load-file.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { parseArn } from '../../shared/intake/arns.js';
import { renderServiceDiagnosis, renderTaskDiagnosis } from '../../shared/render/explain-text.js';
import { parseArgs, UsageError } from './args.js';
import { type DiagnosisSources, diagnosisSources, reportFailures } from './diagnosis-sources.js';

/** Log lines shown: the end of a crash, short enough for one screen. */
const LOG_LINES = 10;

export type ExplainTarget = { type: 'task'; cluster: string; task: string } | { type: 'service'; cluster: string; service: string };

const TASK_ID = /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function parseTarget(text: string): ExplainTarget {
  const arn = parseArn(text);
  if (arn?.resourceType === 'task') {
    // The long ARN format carries the cluster; the old one (task/ID) means the default cluster.
    return arn.parts.length >= 2 ? { type: 'task', cluster: arn.parts[0]!, task: text } : { type: 'task', cluster: 'default', task: text };
  }
  if (arn?.resourceType === 'service' && arn.parts.length >= 2) return { type: 'service', cluster: arn.parts[0]!, service: arn.parts.slice(1).join('/') };
  const [cluster, name, ...rest] = text.split('/');
  if (!arn && cluster && name && rest.length === 0) return TASK_ID.test(name) ? { type: 'task', cluster, task: name } : { type: 'service', cluster, service: name };
  throw new UsageError(`explain takes a task ARN, CLUSTER/TASK_ID or CLUSTER/SERVICE, got '${text}'`);
}

async function taskDiagnosis(sources: DiagnosisSources, target: Extract<ExplainTarget, { type: 'task' }>, now: Date) {
  const task = await sources.reader.task(target.cluster, target.task);
  const previous = previousRevisionOf(task);
  const [taskDefinition, previousTaskDefinition] = await Promise.all([
    task.taskDefinitionArn ? sources.reader.taskDefinition(task.taskDefinitionArn) : undefined,
    previous ? sources.reader.taskDefinition(previous) : undefined,
  ]);
  const container = containerToRead(task);
  const tail =
    container && task.taskDefinitionArn
      ? await createLogTailReader({ ecs: sources.ecs, logs: sources.logs }, { cacheSeconds: 0 }).lastLines({ taskDefinitionArn: task.taskDefinitionArn, containerName: container, taskId: task.taskId }, LOG_LINES, now)
      : undefined;
  return explainTask({
    task,
    ...(taskDefinition ? { taskDefinition } : {}),
    ...(previousTaskDefinition ? { previousTaskDefinition } : {}),
    ...(tail ? { logTail: 'unavailable' in tail ? tail : { lines: tail.lines, logGroup: tail.logGroup, logStream: tail.logStream } } : {}),
  });
}

async function serviceDiagnosis(sources: DiagnosisSources, target: Extract<ExplainTarget, { type: 'service' }>, config: AutopilotConfig, now: Date) {
  const service = await sources.reader.service(target.cluster, target.service);
  const [stoppedTasks, alarms, state, limits] = await Promise.all([
    sources.reader.stoppedTasks(target.cluster, target.service),
    alarmsOnService(sources.cloudwatch, target.cluster, target.service),
    sources.stateOf(target.cluster, target.service, now),
    sources.limitsOf(config, { cluster: target.cluster, service: target.service, ...(service.tags ? { tags: service.tags } : {}) }, now),
  ]);
  return explainService({ service, stoppedTasks, alarms, ...(state ? { state: { ...state, ...(limits ? { limits } : {}) } } : {}), now });
}

/** `defaultConfig`: the configuration without --config (the playbooks' limits come from it). */
export async function runExplain(argv: string[], defaultConfig: () => AutopilotConfig, now = new Date()): Promise<number> {
  const args = parseArgs(argv, ['config']);
  const explicit = args.flags.get('config');
  if (args.positional.length !== 1) throw new UsageError('explain takes one task ARN, CLUSTER/TASK_ID or CLUSTER/SERVICE');
  const target = parseTarget(args.positional[0]!);
  const json = args.flags.has('json');
  // A service's remediation limits come from the configuration; a bad file is reported by main as such.
  const config = target.type === 'service' ? (typeof explicit === 'string' ? loadConfigFile(resolve(explicit)) : defaultConfig()) : undefined;
  return reportFailures('explain', async () => {
    const sources = diagnosisSources();
    if (target.type === 'task') {
      const diagnosis = await taskDiagnosis(sources, target, now);
      process.stdout.write(json ? `${JSON.stringify({ kind: 'task', ...diagnosis }, null, 2)}\n` : renderTaskDiagnosis(diagnosis));
    } else {
      const diagnosis = await serviceDiagnosis(sources, target, config!, now);
      process.stdout.write(json ? `${JSON.stringify({ kind: 'service', ...diagnosis }, null, 2)}\n` : renderServiceDiagnosis(diagnosis, now));
    }
    return 0;
  });
}
