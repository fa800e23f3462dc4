// Why did this task stop? The diagnosis `ecs-autopilot explain TASK` prints: the cause from the same
// classifier and hint the notifications use, the containers' exit codes, the task definition
// revision and what changed since the previous one, and the failed container's last log lines.
import { CAUSE_DEFAULTS, type Cause, type Severity } from './causes.js';
import { classifyStoppedTask } from './classify-stopped-task.js';
import type { StoppedTaskFacts, TaskDefinitionFacts } from './diagnosis-facts.js';
import { specificHint } from './task-stopped.js';
import { diffTaskDefinitions, type TaskDefinitionChange } from './task-definition-diff.js';

export type LogTailFacts = { lines: string[]; logGroup: string; logStream: string } | { unavailable: string };

export interface TaskExplainInput {
  task: StoppedTaskFacts;
  /** The task's own revision; undefined when ECS no longer has it. */
  taskDefinition?: TaskDefinitionFacts;
  /** The revision before it; undefined when there is none (revision 1) or it is gone. */
  previousTaskDefinition?: TaskDefinitionFacts;
  logTail?: LogTailFacts;
}

export interface TaskDiagnosis {
  task: {
    arn: string;
    id: string;
    cluster: string;
    service?: string;
    lastStatus: string;
    stopCode?: string;
    stoppedReason?: string;
    startedAt?: string;
    stoppedAt?: string;
  };
  /** Absent while the task still runs: nothing to classify yet. */
  cause?: Cause;
  severity?: Severity;
  meaning?: string;
  hint?: string;
  evidence?: string;
  /** The container the cause points at (or the one whose logs are shown). */
  failedContainer?: string;
  containers: Array<{ name: string; image?: string; exitCode?: number; reason?: string }>;
  taskDefinition: {
    revision?: string;
    previousRevision?: string;
    changes: TaskDefinitionChange[];
    /** Why no comparison could be made, in a sentence. */
    note?: string;
  };
  logTail?: LogTailFacts;
}

/** The container whose last lines explain the stop: the one the cause names, else the first that exited non-zero, else the first. */
export function containerToRead(task: StoppedTaskFacts): string | undefined {
  const classified = task.lastStatus === 'STOPPED' ? classifyStoppedTask(task).container?.name : undefined;
  return classified ?? task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0)?.name ?? task.containers[0]?.name;
}

/** family:revision before this one, when there is one to read. */
export function previousRevisionOf(task: StoppedTaskFacts): string | undefined {
  return task.family && task.revision !== undefined && task.revision > 1 ? `${task.family}:${task.revision - 1}` : undefined;
}

function revisionComparison(input: TaskExplainInput): TaskDiagnosis['taskDefinition'] {
  const { task, taskDefinition, previousTaskDefinition } = input;
  const revision = task.family ? `${task.family}:${task.revision ?? '?'}` : undefined;
  const base = { ...(revision ? { revision } : {}), changes: [] as TaskDefinitionChange[] };
  if (!taskDefinition) return { ...base, note: `task definition ${revision ?? task.taskDefinitionArn ?? '(unknown)'} could not be read` };
  const previous = previousRevisionOf(task);
  if (!previous) return { ...base, note: 'revision 1: there is no previous revision to compare with' };
  if (!previousTaskDefinition) return { ...base, previousRevision: previous, note: `previous revision ${previous} could not be read (deleted?)` };
  const changes = diffTaskDefinitions(previousTaskDefinition, taskDefinition);
  return { ...base, previousRevision: previous, changes, ...(changes.length === 0 ? { note: `no change in image, cpu, memory, environment or secrets since ${previous}` } : {}) };
}

export function explainTask(input: TaskExplainInput): TaskDiagnosis {
  const { task } = input;
  const summary: TaskDiagnosis = {
    task: {
      arn: task.taskArn,
      id: task.taskId,
      cluster: task.cluster,
      ...(task.service ? { service: task.service } : {}),
      lastStatus: task.lastStatus,
      ...(task.stopCode ? { stopCode: task.stopCode } : {}),
      ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
      ...(task.startedAt ? { startedAt: task.startedAt } : {}),
      ...(task.stoppedAt ? { stoppedAt: task.stoppedAt } : {}),
    },
    containers: task.containers.map(({ name, image, exitCode, reason }) => ({ name, ...(image ? { image } : {}), ...(exitCode !== undefined ? { exitCode } : {}), ...(reason ? { reason } : {}) })),
    taskDefinition: revisionComparison(input),
    ...(input.logTail ? { logTail: input.logTail } : {}),
  };
  const container = containerToRead(task);
  if (container) summary.failedContainer = container;
  if (task.lastStatus !== 'STOPPED') return summary;
  const classification = classifyStoppedTask(task);
  const defaults = CAUSE_DEFAULTS[classification.cause];
  return {
    ...summary,
    cause: classification.cause,
    severity: defaults.severity,
    meaning: defaults.meaning,
    // A cause read from the stopped reason names no container; the one whose logs are shown stands in.
    // The task's memory comes from its definition when DescribeTasks leaves it out.
    hint: specificHint({ ...task, memory: task.memory ?? input.taskDefinition?.memory }, classification.cause, classification.container ?? task.containers.find((c) => c.name === container), defaults.hint),
    evidence: classification.evidence,
  };
}
