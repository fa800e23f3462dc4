import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnyEvent } from '../../shared/intake/any-event.js';
import { IntakeError, parseEvent, type Intake, type Signal } from '../../shared/intake/index.js';
import { fixtureNames, loadEvent, loadFixture, loadReplay } from '../fixtures/load-fixtures.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';

const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
const WEB_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2.3.0';
const WEB_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';
const WORKER_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/worker';
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

function signalOf(raw: unknown): Signal {
  const intake = parseAnyEvent(raw);
  if (intake.type !== 'signal') throw new Error(`expected a signal, got ${JSON.stringify(intake)}`);
  return intake.signal;
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/** [name, exitCode, reason] of each container, in event order. */
type ContainerRow = [string, number | undefined, string | undefined];

interface TaskExpectation {
  kind: 'task-stopped';
  service?: string;
  taskId: string;
  family: string;
  revision: number;
  launchType: string;
  capacityProvider: string;
  stopCode: string;
  group: string;
  containers: ContainerRow[];
}

const webTask = (taskId: string, stopCode: string, containers: ContainerRow[], more: Partial<TaskExpectation> = {}): TaskExpectation => ({
  kind: 'task-stopped',
  service: 'web',
  taskId,
  family: 'web',
  revision: 42,
  launchType: 'FARGATE',
  capacityProvider: 'FARGATE',
  stopCode,
  group: 'service:web',
  containers,
  ...more,
});

const workerTask = (taskId: string, stopCode: string, containers: ContainerRow[]): TaskExpectation => ({
  kind: 'task-stopped',
  service: 'worker',
  taskId,
  family: 'worker',
  revision: 17,
  launchType: 'EC2',
  capacityProvider: 'prod-ec2-ondemand',
  stopCode,
  group: 'service:worker',
  containers,
});

const STOPPED_TASKS: Record<string, TaskExpectation> = {
  'task-stopped-oom': webTask('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'EssentialContainerExited', [
    ['web', 137, OOM_REASON],
    ['xray-daemon', 143, undefined],
  ]),
  'task-stopped-image-pull': webTask('b2c3d4e5f60718293a4b5c6d7e8f90a1', 'TaskFailedToStart', [
    ['web', undefined, undefined],
    ['xray-daemon', undefined, undefined],
  ], { revision: 43 }),
  'task-stopped-task-init-secrets': webTask('c3d4e5f60718293a4b5c6d7e8f90a1b2', 'TaskFailedToStart', [
    ['web', undefined, undefined],
    ['xray-daemon', undefined, undefined],
  ], { revision: 43 }),
  'task-stopped-task-init-eni': webTask('d4e5f60718293a4b5c6d7e8f90a1b2c3', 'TaskFailedToStart', [
    ['web', undefined, undefined],
    ['xray-daemon', undefined, undefined],
  ]),
  'task-stopped-health-check-elb': webTask('e5f60718293a4b5c6d7e8f90a1b2c3d4', 'ServiceSchedulerInitiated', [
    ['web', 143, undefined],
    ['xray-daemon', 143, undefined],
  ]),
  'task-stopped-health-check-container': webTask('f60718293a4b5c6d7e8f90a1b2c3d4e5', 'ServiceSchedulerInitiated', [
    ['web', 137, undefined],
    ['xray-daemon', 143, undefined],
  ]),
  'task-stopped-app-exit': workerTask('0718293a4b5c6d7e8f90a1b2c3d4e5f6', 'EssentialContainerExited', [
    ['statsd-exporter', 143, undefined],
    ['worker', 1, undefined],
  ]),
  'task-stopped-spot': webTask('18293a4b5c6d7e8f90a1b2c3d4e5f607', 'SpotInterruption', [
    ['web', 0, undefined],
    ['xray-daemon', 143, undefined],
  ], { capacityProvider: 'FARGATE_SPOT' }),
  'task-stopped-maintenance': workerTask('293a4b5c6d7e8f90a1b2c3d4e5f60718', 'TerminationNotice', [
    ['worker', 143, undefined],
    ['statsd-exporter', 143, undefined],
  ]),
  'task-stopped-deployment': webTask('3a4b5c6d7e8f90a1b2c3d4e5f6071829', 'ServiceSchedulerInitiated', [
    ['web', 137, undefined],
    ['xray-daemon', 143, undefined],
  ], { revision: 41 }),
  'task-stopped-user': webTask('4b5c6d7e8f90a1b2c3d4e5f60718293a', 'UserInitiated', [
    ['web', 143, undefined],
    ['xray-daemon', 143, undefined],
  ]),
  'task-stopped-completed-job': {
    kind: 'task-stopped',
    taskId: '5c6d7e8f90a1b2c3d4e5f60718293a4b',
    family: 'nightly-report',
    revision: 7,
    launchType: 'FARGATE',
    capacityProvider: 'FARGATE',
    stopCode: 'EssentialContainerExited',
    group: 'family:nightly-report',
    containers: [['report', 0, undefined]],
  },
  'task-stopped-unknown': webTask('6d7e8f90a1b2c3d4e5f60718293a4b5c', 'ServiceSchedulerInitiated', [
    ['web', undefined, undefined],
    ['xray-daemon', undefined, undefined],
  ]),
  'task-stopped-new-fields': webTask('8f90a1b2c3d4e5f60718293a4b5c6d7e', 'SomethingNewAWSAdded', [
    ['web', 137, OOM_REASON],
    ['xray-daemon', 143, undefined],
  ]),
};

type Expectation =
  | { kind: 'task-stopped'; check: TaskExpectation }
  | { kind: Exclude<Signal['kind'], 'task-stopped'>; fields: Record<string, unknown> }
  | { kind: 'unrecognised' };

const EXPECTED: Record<string, Expectation> = {
  ...Object.fromEntries(Object.entries(STOPPED_TASKS).map(([name, check]) => [name, { kind: 'task-stopped', check } as const])),
  'task-running': {
    kind: 'task-state-changed',
    fields: {
      cluster: 'prod',
      clusterArn: CLUSTER_ARN,
      service: 'web',
      serviceArn: WEB_ARN,
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/7e8f90a1b2c3d4e5f60718293a4b5c6d',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
    },
  },
  'service-action-steady-state': {
    kind: 'service-action',
    fields: { cluster: 'prod', clusterArn: CLUSTER_ARN, service: 'web', serviceArn: WEB_ARN, eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE', reason: undefined },
  },
  'service-action-placement-failure': {
    kind: 'service-action',
    fields: { cluster: 'prod', service: 'worker', serviceArn: WORKER_ARN, eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'RESOURCE:MEMORY' },
  },
  'deployment-in-progress': {
    kind: 'deployment-state-changed',
    // Deployment events carry no clusterArn: the cluster comes from the service ARN.
    fields: { cluster: 'prod', service: 'web', serviceArn: WEB_ARN, eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: 'ecs-svc/1234567890123456789' },
  },
  'deployment-completed': {
    kind: 'deployment-state-changed',
    fields: { cluster: 'prod', service: 'web', eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: 'ecs-svc/1234567890123456789' },
  },
  'deployment-failed': {
    kind: 'deployment-state-changed',
    fields: {
      cluster: 'prod',
      service: 'web',
      eventType: 'ERROR',
      eventName: 'SERVICE_DEPLOYMENT_FAILED',
      deploymentId: 'ecs-svc/1234567890123456789',
      reason: 'ECS deployment circuit breaker: task failed to start.',
    },
  },
  'container-instance-disconnected': {
    kind: 'container-instance-state-changed',
    fields: {
      cluster: 'prod',
      containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/prod/5b1c2e3f4a5d6e7f8091a2b3c4d5e6f7',
      ec2InstanceId: 'i-0abc1234def567890',
      status: 'ACTIVE',
      agentConnected: false,
    },
  },
  'container-instance-draining': {
    kind: 'container-instance-state-changed',
    fields: { cluster: 'prod', ec2InstanceId: 'i-0abc1234def567890', status: 'DRAINING', agentConnected: true },
  },
  'alarm-ecs-service-alarm': {
    kind: 'alarm-state-changed',
    fields: {
      alarmName: 'prod-web-cpu-high',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:prod-web-cpu-high',
      state: 'ALARM',
      previousState: 'OK',
      dimensions: { ClusterName: 'prod', ServiceName: 'web' },
    },
  },
  'alarm-ecs-service-ok': {
    kind: 'alarm-state-changed',
    fields: { alarmName: 'prod-web-cpu-high', state: 'OK', previousState: 'ALARM', dimensions: { ClusterName: 'prod', ServiceName: 'web' } },
  },
  'scheduled-event': {
    kind: 'scheduled-tick',
    fields: { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/ecs-autopilot-prod-ScaleTickEventsRuleSchedule1-1A2B3C4D5E6F7' },
  },
  'cloudtrail-create-log-group': {
    kind: 'logs-api-call',
    fields: { eventName: 'CreateLogGroup', logGroup: '/ecs/checkout', region: 'us-east-1', account: '123456789012' },
  },
  'unknown-detail-type': { kind: 'unrecognised' },
};

const EVENT_FIXTURES = fixtureNames('events');

describe('event fixtures', () => {
  it('has an expectation for every fixture file, and a file for every expectation', () => {
    expect(EVENT_FIXTURES).toEqual(Object.keys(EXPECTED).sort());
  });

  it('gives every fixture its own event id', () => {
    const ids = EVENT_FIXTURES.map((name) => loadEvent(name).id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('parseEvent: real events', () => {
  it.each(EVENT_FIXTURES)('%s', (name) => {
    const raw = loadEvent(name);
    const expected = EXPECTED[name]!;
    const intake = parseEvent(raw);

    if (expected.kind === 'unrecognised') {
      expect(intake).toMatchObject({ type: 'unrecognised', eventId: raw.id, detailType: 'ECS Something New' });
      expect((intake as Extract<Intake, { type: 'unrecognised' }>).why).toContain("'ECS Something New'");
      return;
    }
    expect(intake.type).toBe('signal');
    const signal = (intake as Extract<Intake, { type: 'signal' }>).signal;
    expect(signal.kind).toBe(expected.kind);
    // Every signal carries the envelope's identity unchanged.
    expect(signal).toMatchObject({ eventId: raw.id, detailType: raw['detail-type'], time: raw.time });
    if ('region' in signal) expect(signal).toMatchObject({ region: 'us-east-1', account: '123456789012' });

    if (expected.kind === 'task-stopped') {
      if (signal.kind !== 'task-stopped') throw new Error('unreachable');
      const { containers, ...fields } = expected.check;
      expect(signal).toMatchObject({ ...fields, cluster: 'prod', clusterArn: CLUSTER_ARN, taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${fields.taskId}` });
      expect(signal.taskDefinitionArn).toBe(`arn:aws:ecs:us-east-1:123456789012:task-definition/${fields.family}:${fields.revision}`);
      expect(signal.stoppedReason).toBe((raw.detail as { stoppedReason?: string }).stoppedReason);
      expect(signal.stoppedAt).toMatch(/^2026-11-20T\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (fields.service) {
        expect(signal.serviceArn).toBe(`arn:aws:ecs:us-east-1:123456789012:service/prod/${fields.service}`);
      } else {
        expect(signal.service).toBeUndefined();
        expect(signal.serviceArn).toBeUndefined();
      }
      expect(signal.containers.map((c): ContainerRow => [c.name, c.exitCode, c.reason])).toEqual(containers);
      expect(signal.containers.every((c) => c.lastStatus === 'STOPPED' && c.image !== undefined)).toBe(true);
      // Only the fields a StoppedContainer declares leave intake; the raw extras (containerArn, runtimeId, ...) do not.
      // `memory` only where the container has a hard limit.
      for (const c of signal.containers) {
        expect(Object.keys(c).filter((k) => k !== 'memory').sort()).toEqual(['exitCode', 'image', 'lastStatus', 'name', 'reason']);
        if (c.memory !== undefined) expect(c.memory).toMatch(/^\d+$/);
      }
    } else {
      expect(signal).toMatchObject(expected.fields);
    }
  });

  it('keeps the image of each container of a stopped task', () => {
    const signal = signalOf(loadEvent('task-stopped-oom'));
    if (signal.kind !== 'task-stopped') throw new Error('expected task-stopped');
    expect(signal.containers[0]?.image).toBe(WEB_IMAGE);
    expect(signal.containers[1]?.image).toBe('public.ecr.aws/xray/aws-xray-daemon:3.3.13');
  });

  it('takes the service from the group of a service task only', () => {
    const raw = loadEvent('task-stopped-oom');
    raw.detail.group = 'family:web';
    const signal = signalOf(raw);
    expect(signal).toMatchObject({ kind: 'task-stopped', family: 'web' });
    expect('service' in signal && signal.service).toBeFalsy();
  });

  it('reads the cluster from an old-format service ARN only when the detail names it', () => {
    const raw = loadEvent('deployment-failed');
    raw.resources = ['arn:aws:ecs:us-east-1:123456789012:service/web'];
    expect(signalOf(raw)).toMatchObject({ cluster: '', service: 'web' });
    raw.detail.clusterArn = CLUSTER_ARN;
    expect(signalOf(raw)).toMatchObject({ cluster: 'prod', service: 'web' });
  });

  it('rejects a service event without a service ARN, naming resources', () => {
    const raw = loadEvent('service-action-steady-state');
    raw.resources = [];
    const error = thrownBy(() => parseEvent(raw));
    expect(error).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toContain('resources');
  });
});

describe('parseEvent: malformed events', () => {
  const cases: Array<[string, string]> = [
    ['task-missing-cluster-arn', 'detail.clusterArn'],
    ['task-exit-code-string', 'detail.containers[0].exitCode'],
    ['alarm-missing-state', 'detail.state'],
  ];

  it('has a case for every malformed fixture', () => {
    expect(fixtureNames('malformed')).toEqual([...cases.map(([name]) => name), 'not-an-event'].sort());
  });

  it.each(cases)('%s throws an IntakeError naming %s', (name, path) => {
    const raw = loadFixture('malformed', name) as { id: string; 'detail-type': string };
    const error = thrownBy(() => parseEvent(raw));
    expect(error).toBeInstanceOf(IntakeError);
    const intakeError = error as IntakeError;
    expect(intakeError.problems.some((p) => p.startsWith(`${path}:`))).toBe(true);
    expect(intakeError.message).toContain(path);
    // The dead-letter reason says which event it was.
    expect(intakeError.eventId).toBe(raw.id);
    expect(intakeError.message).toContain(raw.id);
    expect(intakeError.message).toContain(raw['detail-type']);
  });

  it('says what the exit code should have been', () => {
    const error = thrownBy(() => parseEvent(loadFixture('malformed', 'task-exit-code-string'))) as IntakeError;
    expect(error.message).toMatch(/detail\.containers\[0\]\.exitCode: expected number, got the string "137"/);
  });

  it('not-an-event throws an IntakeError that says what it got', () => {
    const error = thrownBy(() => parseEvent(loadFixture('malformed', 'not-an-event')));
    expect(error).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toContain('got an array');
  });

  it.each([
    ['a string', 'hello', 'got a string'],
    ['null', null, 'got null'],
    ['a number', 42, 'got a number'],
  ])('%s throws an IntakeError', (_label, value, text) => {
    const error = thrownBy(() => parseEvent(value));
    expect(error).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toContain(text);
  });

  it('names a missing envelope field', () => {
    const raw = loadEvent('task-stopped-oom');
    delete raw['detail-type'];
    const error = thrownBy(() => parseEvent(raw)) as IntakeError;
    expect(error).toBeInstanceOf(IntakeError);
    expect(error.problems).toContainEqual(expect.stringMatching(/^detail-type:/));
  });
});

describe('parseAnyEvent: CloudWatch Logs subscription events', () => {
  it('parseEvent, the entry of the functions that act on events, names a batch as the ship function\'s without decoding it', () => {
    for (const raw of [loadFixture('logs', 'logs-data-message'), { awslogs: { data: 'not base64 gzip' } }]) {
      const intake = parseEvent(raw);
      expect(intake).toMatchObject({ type: 'unrecognised', detailType: 'CloudWatch Logs' });
      expect(intake.type === 'unrecognised' && intake.why).toMatch(/ship function/);
    }
  });


  it('decodes a DATA_MESSAGE', () => {
    const signal = signalOf(loadFixture('logs', 'logs-data-message'));
    if (signal.kind !== 'log-batch') throw new Error('expected log-batch');
    expect(signal).toMatchObject({
      control: false,
      owner: '123456789012',
      logGroup: '/ecs/web',
      logStream: 'ecs/web/a1b2c3d4e5f60718293a4b5c6d7e8f90',
      subscriptionFilters: ['ecs-autopilot-prod-ship-logs'],
      eventId: 'logs:38611265981470216571934617384529165213436592178135777280',
      time: '2026-11-20T09:59:58.000Z',
    });
    expect(signal.logEvents).toHaveLength(3);
    expect(signal.logEvents[2]?.message).toContain('JavaScript heap out of memory');
    expect(signal.logEvents.map((e) => e.timestamp)).toEqual([...signal.logEvents.map((e) => e.timestamp)].sort((a, b) => a - b));
  });

  it('decodes a CONTROL_MESSAGE, whose log event has an empty id, as a control batch', () => {
    const signal = signalOf(loadFixture('logs', 'logs-control-message'));
    if (signal.kind !== 'log-batch') throw new Error('expected log-batch');
    expect(signal.control).toBe(true);
    expect(signal.logGroup).toBe('');
    expect(signal.logEvents).toHaveLength(1);
    expect(signal.logEvents[0]?.message).toMatch(/^CWL CONTROL MESSAGE/);
    // Two health checks at different times must not look like one redelivered batch.
    expect(signal.eventId).not.toBe('logs:');
    const later = signalOf(
      makeSubscriptionEvent({
        messageType: 'CONTROL_MESSAGE',
        owner: 'CloudwatchLogs',
        logGroup: '',
        logStream: '',
        subscriptionFilters: [],
        logEvents: [{ id: '', timestamp: 1_763_632_800_000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
      }),
    );
    expect(later.eventId).not.toBe(signal.eventId);
  });

  it('derives the same event id when the same batch is delivered again', () => {
    const raw = loadFixture('logs', 'logs-data-message');
    expect(signalOf(raw).eventId).toBe(signalOf(structuredClone(raw)).eventId);
  });

  const corrupt: Array<[string, unknown]> = [
    ['not base64 gzip at all', { awslogs: { data: 'this is not gzip!' } }],
    ['a truncated gzip stream', { awslogs: { data: (loadFixture('logs', 'logs-data-message') as { awslogs: { data: string } }).awslogs.data.slice(0, 40) } }],
    ['gzip of something that is not JSON', { awslogs: { data: gzipSync('{"messageType": ').toString('base64') } }],
    ['an empty string', { awslogs: { data: '' } }],
    ['a number', { awslogs: { data: 7 } }],
    ['no data at all', { awslogs: {} }],
    ['a payload without messageType', makeSubscriptionEvent({ owner: '1', logGroup: '/ecs/web', logEvents: [] })],
    ['a log event whose timestamp is no time', makeSubscriptionEvent({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 1e300, message: 'x' }] })],
  ];

  it.each(corrupt)('%s throws an IntakeError naming awslogs.data', (_label, raw) => {
    const error = thrownBy(() => parseAnyEvent(raw));
    expect(error).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toContain('awslogs.data');
  });

  it('names the field inside the decoded payload', () => {
    const error = thrownBy(() =>
      parseAnyEvent(makeSubscriptionEvent({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 'yesterday', message: 'x' }] })),
    ) as IntakeError;
    expect(error.problems).toContainEqual(expect.stringMatching(/^awslogs\.data\.logEvents\[0\]\.timestamp:/));
  });
});

describe('replay/incident.ndjson', () => {
  const events = loadReplay('incident') as Array<{ id: string; time: string }>;
  const signals = events.map(signalOf);

  it('is the scripted incident, in order', () => {
    expect(signals.map((s) => s.kind)).toEqual([
      'deployment-state-changed',
      'task-state-changed',
      'task-stopped',
      'task-stopped',
      'task-stopped',
      'task-stopped',
      'alarm-state-changed',
      'deployment-state-changed',
    ]);
    expect(signals[0]).toMatchObject({ eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' });
    expect(signals.at(-1)).toMatchObject({ eventName: 'SERVICE_DEPLOYMENT_FAILED' });
    expect(signals[6]).toMatchObject({ state: 'ALARM', dimensions: { ClusterName: 'prod', ServiceName: 'web' } });
    for (const s of signals) if ('service' in s) expect(s).toMatchObject({ cluster: 'prod', service: 'web' });
  });

  it('delivers one event twice, identically, and every other event once', () => {
    expect(events[4]).toEqual(events[3]);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length - 1);
  });

  it('has two OOM stops of different tasks', () => {
    const stops = signals.filter((s) => s.kind === 'task-stopped');
    const oom = stops.filter((s) => s.containers.some((c) => c.reason?.startsWith('OutOfMemoryError')));
    expect(new Set(oom.map((s) => s.taskId)).size).toBe(2);
  });

  it('never goes back in time', () => {
    const times = events.map((e) => Date.parse(e.time));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  });
});

// ---- properties ----------------------------------------------------------------------------------

/** Keys the parsers read, whether or not a given fixture carries them: adding one is not "extra". */
const ENVELOPE_KEYS = new Set(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail', 'awslogs']);
const DETAIL_KEYS_READ = new Set([
  'taskArn', 'clusterArn', 'lastStatus', 'desiredStatus', 'taskDefinitionArn', 'launchType', 'capacityProviderName', 'group',
  'startedBy', 'stopCode', 'stoppedReason', 'stoppedAt', 'containers', 'eventType', 'eventName', 'deploymentId', 'reason',
  'containerInstanceArn', 'ec2InstanceId', 'status', 'agentConnected', 'alarmName', 'state', 'previousState', 'configuration',
]);

const extraFields = (taken: Set<string>) =>
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !taken.has(k)),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 5 },
  );

const PARSED_FIXTURES = EVENT_FIXTURES.map((name) => ({ name, raw: loadEvent(name), parsed: parseEvent(loadEvent(name)) }));
const TASK_FIXTURES = EVENT_FIXTURES.filter((n) => n.startsWith('task-'));
const SERVICE_FIXTURES = EVENT_FIXTURES.filter((n) => n.startsWith('service-action-') || n.startsWith('deployment-'));

describe('parseEvent: properties', () => {
  it('unknown fields added to the envelope, the detail or a container never change the parsed signal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PARSED_FIXTURES),
        extraFields(ENVELOPE_KEYS),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        extraFields(new Set(['name', 'image', 'exitCode', 'reason', 'lastStatus'])),
        ({ raw, parsed }, envelopeExtra, detailExtra, containerExtra) => {
          const taken = new Set([...DETAIL_KEYS_READ, ...Object.keys(raw.detail)]);
          const detail = { ...raw.detail };
          // defineProperty, as JSON.parse does: assigning a "__proto__" key would set the prototype instead.
          for (const [k, v] of Object.entries(detailExtra)) {
            if (!taken.has(k)) Object.defineProperty(detail, k, { value: v, enumerable: true, writable: true, configurable: true });
          }
          if (Array.isArray(detail.containers)) {
            detail.containers = detail.containers.map((c: Record<string, unknown>) => ({ ...containerExtra, ...c }));
          }
          const changed = { ...envelopeExtra, ...raw, detail };
          expect(parseEvent(changed)).toEqual(parsed);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a "__proto__" key in the JSON of an event is data, not a prototype', () => {
    for (const name of ['task-stopped-oom', 'task-running', 'deployment-failed', 'alarm-ecs-service-alarm']) {
      const text = JSON.stringify(loadEvent(name));
      const poisoned = JSON.parse(
        text.replace('"detail":{', '"__proto__":{"source":"aws.cloudwatch"},"detail":{"__proto__":{"desiredStatus":7,"clusterArn":1,"group":"service:evil"},'),
      ) as unknown;
      expect(parseEvent(poisoned)).toEqual(parseEvent(JSON.parse(text)));
    }
  });

  it('new values of stopCode and lastStatus never make a task event throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TASK_FIXTURES), fc.string(), fc.string({ minLength: 1 }), (name, stopCode, lastStatus) => {
        const raw = loadEvent(name);
        raw.detail.stopCode = stopCode;
        raw.detail.lastStatus = lastStatus;
        const signal = signalOf(raw);
        if (lastStatus === 'STOPPED') {
          expect(signal).toMatchObject({ kind: 'task-stopped', stopCode });
        } else {
          expect(signal).toMatchObject({ kind: 'task-state-changed', lastStatus });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the STOPPED status is recognised whatever the new stopCode', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TASK_FIXTURES.filter((n) => n !== 'task-running')), fc.string(), (name, stopCode) => {
        const raw = loadEvent(name);
        raw.detail.stopCode = stopCode;
        expect(signalOf(raw)).toMatchObject({ kind: 'task-stopped', stopCode });
      }),
    );
  });

  it('new values of eventName and eventType never make a service or deployment event throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SERVICE_FIXTURES), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (name, eventName, eventType) => {
        const raw = loadEvent(name);
        raw.detail.eventName = eventName;
        raw.detail.eventType = eventType;
        expect(signalOf(raw)).toMatchObject({ eventName, eventType, service: raw.resources && (raw.resources as string[])[0]!.split('/').at(-1) });
      }),
      { numRuns: 200 },
    );
  });

  const expectIntakeErrorOrResult = (raw: unknown) => {
    let result: Intake | undefined;
    try {
      result = parseEvent(raw);
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      expect(error.message).toMatch(/is malformed: ./);
      return;
    }
    expect(['signal', 'unrecognised']).toContain(result.type);
  };

  it('any JSON value either parses or throws an IntakeError, never another error', () => {
    fc.assert(fc.property(fc.jsonValue(), expectIntakeErrorOrResult), { numRuns: 1000 });
  });

  it('any JSON object shaped like an event either parses or throws an IntakeError', () => {
    const knownKinds = PARSED_FIXTURES.map(({ raw }) => [raw.source, raw['detail-type']] as const);
    fc.assert(
      fc.property(
        fc.constantFrom(...knownKinds),
        fc.record(
          { id: fc.jsonValue(), time: fc.jsonValue(), region: fc.jsonValue(), resources: fc.jsonValue(), detail: fc.jsonValue(), awslogs: fc.jsonValue() },
          { requiredKeys: [] },
        ),
        ([source, detailType], fields) => expectIntakeErrorOrResult({ source, 'detail-type': detailType, ...fields }),
      ),
      { numRuns: 500 },
    );
  });

  it('a real event with any one field replaced or removed either parses or throws an IntakeError', () => {
    const paths = (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
      if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
      if (typeof value === 'object' && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
      }
      return [];
    };
    const targets = PARSED_FIXTURES.flatMap(({ name, raw }) => paths(raw).map((path) => ({ name, path })));
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), ({ name, path }, value) => {
        const raw = loadEvent(name) as Record<string | number, unknown>;
        let parent = raw;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        const last = path.at(-1)!;
        if (value === undefined) delete parent[last];
        else parent[last] = value;
        expectIntakeErrorOrResult(raw);
      }),
      { numRuns: 1000 },
    );
  });
});
