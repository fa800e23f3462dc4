// Why did this task stop? Reads stopCode, stoppedReason and each container's exit code and reason,
// and names one cause from the vocabulary in causes.ts. Rules are checked in order; the first that
// matches wins, so a specific cause (an OOM kill) beats the generic one (an essential container exited).
// Reason strings follow https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
import type { StoppedContainer, TaskStopped } from '../intake/signals.js';
import type { Cause } from './causes.js';

export interface StopClassification {
  cause: Cause;
  /** The rule that matched, in words, so a surprising classification can be explained. */
  evidence: string;
  /** The container the cause points at, when one does. */
  container?: StoppedContainer;
}

type TaskFacts = Pick<TaskStopped, 'stopCode' | 'stoppedReason' | 'containers' | 'service' | 'capacityProvider'>;

interface Rule {
  cause: Cause;
  match(task: TaskFacts): { evidence: string; container?: StoppedContainer } | undefined;
}

const OOM = /OutOfMemory|out of memory|OOMKilled/i;
const IMAGE_PULL = /CannotPullContainer|pull image manifest|ImagePull|failed to resolve ref|manifest unknown|pull access denied/i;
const TASK_INIT = /ResourceInitializationError|unable to pull secrets|unable to retrieve secret|secrets? from (ssm|asm)|failed to (configure|attach|provision) ENI|network interface provisioning|CannotStartContainerError|CannotCreateContainerError|CannotCreateVolumeError|CannotInspectContainerError|InternalError: failed to|ResourceNotFoundException/i;
const HEALTH_CHECK = /health ?checks?/i;
const SPOT = /spot/i;
const MAINTENANCE = /maintenance|retire|retirement|Host EC2 \(instance [^)]*\) (stopped|terminated)|instance (is )?(being )?(stopped|terminated|deregistered)|underlying infrastructure/i;
const SCHEDULER_REPLACEMENT = /Scaling activity initiated by|deployment|desired count|scale[- ]in|service .* (was )?(updated|deleted)/i;

function texts(task: TaskFacts): string[] {
  return [task.stoppedReason ?? '', ...task.containers.map((c) => c.reason ?? '')];
}

/** The first container whose reason matches, or the stopped reason itself. */
function findReason(task: TaskFacts, pattern: RegExp, label: string): { evidence: string; container?: StoppedContainer } | undefined {
  const container = task.containers.find((c) => c.reason && pattern.test(c.reason));
  if (container) return { evidence: `container '${container.name}' reason matches ${label}: ${container.reason}`, container };
  if (task.stoppedReason && pattern.test(task.stoppedReason)) return { evidence: `stoppedReason matches ${label}: ${task.stoppedReason}` };
  return undefined;
}

// When an essential container exits, ECS stops the task's other containers (SIGTERM, then SIGKILL after
// the stop timeout), so their 143 or 137 is an effect, not the cause. Events list containers in task
// definition order, not in the order they stopped.
const STOPPED_BY_SIGNAL = new Set([137, 143]);

/** The container that exited non-zero on its own, else the first that exited non-zero at all. */
function nonZeroExit(task: TaskFacts): StoppedContainer | undefined {
  const failed = task.containers.filter((c) => c.exitCode !== undefined && c.exitCode !== 0);
  return failed.find((c) => !STOPPED_BY_SIGNAL.has(c.exitCode!)) ?? failed[0];
}

const rules: Rule[] = [
  {
    // A container that ran out of memory is the cause even if the task was stopped afterwards.
    cause: 'oom',
    match: (t) => findReason(t, OOM, 'out-of-memory'),
  },
  {
    cause: 'image-pull',
    match: (t) => findReason(t, IMAGE_PULL, 'image pull failure'),
  },
  {
    cause: 'task-init',
    match: (t) =>
      findReason(t, TASK_INIT, 'task initialisation failure') ??
      (t.stopCode === 'TaskFailedToStart' ? { evidence: 'stopCode TaskFailedToStart' } : undefined),
  },
  {
    cause: 'user',
    match: (t) => (t.stopCode === 'UserInitiated' ? { evidence: 'stopCode UserInitiated' } : undefined),
  },
  {
    cause: 'health-check',
    match: (t) => findReason(t, HEALTH_CHECK, 'health check failure'),
  },
  {
    cause: 'spot-interruption',
    match: (t) => {
      if (t.stopCode === 'SpotInterruption') return { evidence: 'stopCode SpotInterruption' };
      const onSpot = SPOT.test(t.capacityProvider ?? '') || texts(t).some((s) => SPOT.test(s));
      return t.stopCode === 'TerminationNotice' && onSpot ? { evidence: 'stopCode TerminationNotice on Spot capacity' } : undefined;
    },
  },
  {
    cause: 'maintenance',
    match: (t) =>
      t.stopCode === 'TerminationNotice'
        ? { evidence: 'stopCode TerminationNotice (the host is being stopped or terminated)' }
        : findReason(t, MAINTENANCE, 'AWS maintenance'),
  },
  {
    // Checked before exit codes: containers stopped by a replacement exit 137/143, which is no failure.
    cause: 'deployment',
    match: (t) => {
      if (t.stopCode === 'ServiceSchedulerInitiated' && SCHEDULER_REPLACEMENT.test(t.stoppedReason ?? '')) {
        return { evidence: `stopCode ServiceSchedulerInitiated: ${t.stoppedReason}` };
      }
      // Older events carry no stopCode; the scheduler's own wording still identifies a replacement.
      if (!t.stopCode && /^Scaling activity initiated by/.test(t.stoppedReason ?? '')) return { evidence: `stoppedReason: ${t.stoppedReason}` };
      return undefined;
    },
  },
  {
    cause: 'app-exit',
    match: (t) => {
      const failed = nonZeroExit(t);
      if (failed && (t.stopCode === 'EssentialContainerExited' || /Essential container/i.test(t.stoppedReason ?? '') || !t.stopCode)) {
        return { evidence: `container '${failed.name}' exited with code ${failed.exitCode}`, container: failed };
      }
      // An essential container of a service that exits 0 still takes the service down; a job that does is done.
      if (t.stopCode === 'EssentialContainerExited' && t.service) {
        const exited = t.containers.find((c) => c.exitCode === 0);
        return { evidence: `an essential container of service '${t.service}' exited with code 0`, ...(exited ? { container: exited } : {}) };
      }
      return undefined;
    },
  },
  {
    cause: 'completed',
    match: (t) =>
      t.stopCode === 'EssentialContainerExited' && !t.service && t.containers.length > 0 && t.containers.every((c) => c.exitCode === 0 || c.exitCode === undefined)
        ? { evidence: 'a standalone task whose essential containers exited 0' }
        : undefined,
  },
];

export function classifyStoppedTask(task: TaskFacts): StopClassification {
  for (const rule of rules) {
    const found = rule.match(task);
    if (found) return { cause: rule.cause, ...found };
  }
  return { cause: 'unknown', evidence: `no rule matched stopCode '${task.stopCode ?? '(none)'}' and stoppedReason '${task.stoppedReason ?? '(none)'}'` };
}
