import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAUSES, type Cause } from '../../shared/decide/causes.js';
import { classifyStoppedTask } from '../../shared/decide/classify-stopped-task.js';
import { parseEvent, type StoppedContainer, type TaskStopped } from '../../shared/intake/index.js';
import { fixtureNames, loadEvent, loadReplay } from '../fixtures/load-fixtures.js';

function stoppedTask(raw: unknown): TaskStopped {
  const intake = parseEvent(raw);
  if (intake.type !== 'signal' || intake.signal.kind !== 'task-stopped') throw new Error(`expected a stopped task, got ${JSON.stringify(intake)}`);
  return intake.signal;
}

/** The cause each task-stopped fixture is named after. */
const CAUSE_BY_FIXTURE: Record<string, Cause> = {
  'task-stopped-oom': 'oom',
  'task-stopped-image-pull': 'image-pull',
  'task-stopped-task-init-secrets': 'task-init',
  'task-stopped-task-init-eni': 'task-init',
  'task-stopped-health-check-elb': 'health-check',
  'task-stopped-health-check-container': 'health-check',
  'task-stopped-app-exit': 'app-exit',
  'task-stopped-spot': 'spot-interruption',
  'task-stopped-maintenance': 'maintenance',
  'task-stopped-deployment': 'deployment',
  'task-stopped-user': 'user',
  'task-stopped-completed-job': 'completed',
  'task-stopped-unknown': 'unknown',
  'task-stopped-new-fields': 'oom',
};

describe('classifyStoppedTask: fixtures', () => {
  it('covers every task-stopped fixture', () => {
    expect(fixtureNames('events').filter((n) => n.startsWith('task-stopped-'))).toEqual(Object.keys(CAUSE_BY_FIXTURE).sort());
  });

  it.each(Object.entries(CAUSE_BY_FIXTURE))('%s -> %s', (name, cause) => {
    const result = classifyStoppedTask(stoppedTask(loadEvent(name)));
    expect(result.cause).toBe(cause);
    expect(result.evidence.length).toBeGreaterThan(0);
  });

  it('points an OOM at the container that ran out of memory, not at the sidecar', () => {
    for (const name of ['task-stopped-oom', 'task-stopped-new-fields']) {
      const result = classifyStoppedTask(stoppedTask(loadEvent(name)));
      expect(result.container).toMatchObject({ name: 'web', exitCode: 137 });
      expect(result.evidence).toContain("container 'web'");
    }
  });

  it('points an app exit at the container that exited on its own, not at the sidecar ECS stopped after it', () => {
    // The fixture lists the sidecar first (exit 143, SIGTERM from ECS) and the worker second (exit 1).
    const result = classifyStoppedTask(stoppedTask(loadEvent('task-stopped-app-exit')));
    expect(result.container).toMatchObject({ name: 'worker', exitCode: 1 });
    expect(result.evidence).toBe("container 'worker' exited with code 1");
  });

  it('explains an image pull failure with the stopped reason, which names the missing tag', () => {
    const result = classifyStoppedTask(stoppedTask(loadEvent('task-stopped-image-pull')));
    expect(result.evidence).toContain('web:v2.3.1: not found');
    expect(result.container).toBeUndefined();
  });

  it('classifies the stops of the scripted incident', () => {
    const stops = loadReplay('incident')
      .map((raw) => parseEvent(raw))
      .flatMap((intake) => (intake.type === 'signal' && intake.signal.kind === 'task-stopped' ? [intake.signal] : []));
    expect(stops.map((t) => classifyStoppedTask(t).cause)).toEqual(['oom', 'oom', 'oom', 'deployment']);
  });
});

type Facts = Parameters<typeof classifyStoppedTask>[0];

const c = (name: string, exitCode?: number, reason?: string): StoppedContainer => ({ name, exitCode, reason, lastStatus: 'STOPPED' });
const OOM = 'OutOfMemoryError: Container killed due to memory usage';
const SCALING = 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)';

const cases: Array<{ why: string; task: Facts; cause: Cause; container?: string }> = [
  {
    why: 'an OOM kill beats a user stop that followed it (oom is checked first)',
    task: { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', containers: [c('web', 137, OOM)], service: 'web' },
    cause: 'oom',
    container: 'web',
  },
  {
    why: 'an OOM kill beats a deployment replacement',
    task: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: SCALING, containers: [c('xray-daemon', 143), c('web', 137, OOM)], service: 'web' },
    cause: 'oom',
    container: 'web',
  },
  {
    why: 'a deployment replacement whose container exits 137 without a reason is no app failure',
    task: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: SCALING, containers: [c('web', 137), c('xray-daemon', 143)], service: 'web' },
    cause: 'deployment',
  },
  {
    why: 'a scale-in replacement exiting 143 is a deployment stop too',
    task: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/987)', containers: [c('web', 143)], service: 'web' },
    cause: 'deployment',
  },
  {
    why: "a service's essential container that exits 0 still takes the service down",
    task: { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [c('web', 0)], service: 'web' },
    cause: 'app-exit',
    container: 'web',
  },
  {
    why: 'a standalone task whose containers exit 0 completed',
    task: { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [c('report', 0), c('sidecar')] },
    cause: 'completed',
  },
  {
    why: 'a standalone job that exits non-zero failed; it did not complete',
    task: { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [c('report', 2)] },
    cause: 'app-exit',
    container: 'report',
  },
  {
    why: 'TerminationNotice on Fargate Spot capacity is a Spot interruption',
    task: { stopCode: 'TerminationNotice', stoppedReason: 'Task stopped', containers: [c('web', 143)], service: 'web', capacityProvider: 'FARGATE_SPOT' },
    cause: 'spot-interruption',
  },
  {
    why: 'TerminationNotice whose reason says Spot is a Spot interruption even without a capacity provider',
    task: { stopCode: 'TerminationNotice', stoppedReason: 'Your Spot Task was interrupted.', containers: [c('web', 0)], service: 'web' },
    cause: 'spot-interruption',
  },
  {
    why: 'TerminationNotice on on-demand capacity is host maintenance',
    task: { stopCode: 'TerminationNotice', stoppedReason: 'Host EC2 (instance i-0abc1234def567890) terminated.', containers: [c('worker', 143)], service: 'worker', capacityProvider: 'prod-ec2-ondemand' },
    cause: 'maintenance',
  },
  {
    why: 'SpotInterruption beats the exit codes of the containers it stopped',
    task: { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', containers: [c('web', 143)], service: 'web', capacityProvider: 'FARGATE_SPOT' },
    cause: 'spot-interruption',
  },
  {
    why: 'an AWS maintenance event stopped by the scheduler is maintenance, not a deployment',
    task: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task is being stopped due to an AWS maintenance event affecting the underlying infrastructure.', containers: [c('web', 143)], service: 'web' },
    cause: 'maintenance',
  },
  {
    why: 'a task with no stopCode and a non-zero exit is an app exit',
    task: { containers: [c('web', 1)], service: 'web' },
    cause: 'app-exit',
    container: 'web',
  },
  {
    why: 'an older event without a stopCode is still a deployment replacement by its reason',
    task: { stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)', containers: [c('web', 143)], service: 'web' },
    cause: 'deployment',
  },
  {
    why: 'a scheduler stop for an unknown reason is not an app exit, whatever the exit codes',
    task: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task was stopped because of an unexpected condition', containers: [c('web', 143)], service: 'web' },
    cause: 'unknown',
  },
  {
    why: 'a user stop is not an app exit, though the containers exit 143',
    task: { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', containers: [c('web', 143)], service: 'web' },
    cause: 'user',
  },
  {
    why: 'failed ELB health checks beat the exit codes of the replaced task',
    task: {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/1234567890abcdef)',
      containers: [c('web', 137)],
      service: 'web',
    },
    cause: 'health-check',
  },
  {
    why: 'an image pull failure named on the container beats TaskFailedToStart',
    task: { stopCode: 'TaskFailedToStart', stoppedReason: 'Task failed to start', containers: [c('web', undefined, 'CannotPullContainerError: pull access denied for web, repository does not exist or may require authorization')], service: 'web' },
    cause: 'image-pull',
    container: 'web',
  },
  {
    why: 'registry auth that cannot be fetched (no route to ECR) is a task initialisation failure, not a missing image',
    task: {
      stopCode: 'TaskFailedToStart',
      stoppedReason:
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout',
      containers: [c('web')],
      service: 'web',
    },
    cause: 'task-init',
  },
  {
    why: 'an ENI that could not be configured is a task initialisation failure',
    task: { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message', containers: [c('web')], service: 'web' },
    cause: 'task-init',
  },
  {
    why: 'TaskFailedToStart alone, with a reason not yet known, is a task initialisation failure',
    task: { stopCode: 'TaskFailedToStart', stoppedReason: 'Something new went wrong while starting', containers: [c('web')], service: 'web' },
    cause: 'task-init',
  },
  {
    why: 'a container that could not be created is a task initialisation failure',
    task: { stopCode: 'TaskFailedToStart', containers: [c('web', undefined, 'CannotStartContainerError: Error response from daemon: failed to create shim task')], service: 'web' },
    cause: 'task-init',
    container: 'web',
  },
  {
    why: 'among containers that exited non-zero, the one ECS did not signal is the cause',
    task: { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [c('envoy', 137), c('log-router', 143), c('app', 3)], service: 'web' },
    cause: 'app-exit',
    container: 'app',
  },
  {
    why: 'when every non-zero exit is a signal, the first of them is named',
    task: { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [c('log-router', 0), c('app', 137), c('envoy', 143)], service: 'web' },
    cause: 'app-exit',
    container: 'app',
  },
];

describe('classifyStoppedTask: rules', () => {
  it.each(cases)('$why', ({ task, cause, container }) => {
    const result = classifyStoppedTask(task);
    expect(result.cause).toBe(cause);
    if (container) expect(result.container?.name).toBe(container);
  });
});

// ---- properties ----------------------------------------------------------------------------------

const KNOWN_STOP_CODES = ['TaskFailedToStart', 'EssentialContainerExited', 'UserInitiated', 'ServiceSchedulerInitiated', 'SpotInterruption', 'TerminationNotice'];
const KNOWN_REASONS = [
  'Essential container in task exited',
  'Task stopped by user',
  'Your Spot Task was interrupted.',
  SCALING,
  'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/1234567890abcdef)',
  'Task failed container health checks',
  'Host EC2 (instance i-0abc1234def567890) terminated.',
  'Timeout waiting for network interface provisioning to complete.',
  'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref web:v2.3.1: not found',
  OOM,
];

const text = (known: string[]) => fc.option(fc.oneof(fc.constantFrom(...known), fc.string(), fc.string({ unit: 'binary' })), { nil: undefined });
const container = fc.record(
  {
    name: fc.string(),
    image: fc.option(fc.string(), { nil: undefined }),
    exitCode: fc.option(fc.oneof(fc.constantFrom(0, 1, 2, 137, 139, 143, 255), fc.integer()), { nil: undefined }),
    reason: text(KNOWN_REASONS),
    lastStatus: fc.option(fc.constantFrom('STOPPED', 'RUNNING', 'PENDING'), { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);
const facts = fc.record(
  {
    stopCode: text(KNOWN_STOP_CODES),
    stoppedReason: text(KNOWN_REASONS),
    containers: fc.array(container, { maxLength: 5 }),
    service: fc.option(fc.constantFrom('web', 'worker'), { nil: undefined }),
    capacityProvider: fc.option(fc.constantFrom('FARGATE', 'FARGATE_SPOT', 'prod-ec2-ondemand', 'prod-ec2-spot'), { nil: undefined }),
  },
  { requiredKeys: ['containers'] },
);

describe('classifyStoppedTask: properties', () => {
  it('never throws, always names a known cause with evidence, and only points at one of the given containers', () => {
    fc.assert(
      fc.property(facts, (task) => {
        const result = classifyStoppedTask(task);
        expect(CAUSES).toContain(result.cause);
        expect(typeof result.evidence).toBe('string');
        expect(result.evidence.length).toBeGreaterThan(0);
        if (result.container) expect(task.containers).toContain(result.container);
      }),
      { numRuns: 2000 },
    );
  });

  it('an out-of-memory container reason wins over everything else', () => {
    fc.assert(
      fc.property(facts, fc.nat(), (task, at) => {
        const containers: StoppedContainer[] = [...task.containers];
        const oomContainer = c('victim', 137, OOM);
        containers.splice(at % (containers.length + 1), 0, oomContainer);
        const result = classifyStoppedTask({ ...task, containers });
        expect(result.cause).toBe('oom');
        expect(result.container?.reason).toMatch(/OutOfMemory|out of memory|OOMKilled/i);
      }),
    );
  });

  it('a scheduler replacement for a deployment is never blamed on the app, whatever the exit codes', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string(), exitCode: fc.option(fc.integer(), { nil: undefined }) }), { maxLength: 4 }), (containers) => {
        const result = classifyStoppedTask({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: SCALING, containers, service: 'web' });
        expect(result.cause).toBe('deployment');
      }),
    );
  });

  it('the SpotInterruption stop code is a Spot interruption unless a container names a more specific cause', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string(), exitCode: fc.option(fc.integer(), { nil: undefined }) }), { maxLength: 4 }), (containers) => {
        const result = classifyStoppedTask({ stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', containers, service: 'web' });
        expect(result.cause).toBe('spot-interruption');
      }),
    );
  });
});
