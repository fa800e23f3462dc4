// Inputs for the fuzzing suite (test/unit/fuzz.test.ts): values shaped like every kind of event the
// pipeline reads, with each field right, missing or of a wrong type; and mutations of the real
// fixtures (fields dropped or retyped, 100k strings, 1000-deep nesting, odd Unicode, Slack control
// sequences and links put where ECS and CloudWatch put text people read).
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fixtureNames, loadFixture } from '../fixtures/load-fixtures.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';

// ---- text -----------------------------------------------------------------------------------------

/** What Slack would turn into a ping or a link if it reached a message unescaped. */
export const SLACK_SEQUENCES = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U12345>',
  '<#C123>',
  '<!subteam^S1>',
  '<https://evil.example|click>',
  '<mailto:x@y|m>',
  '<!CHANNEL>',
  '<@W999|boss>',
  '<#C123|general>',
  '<http://evil.example>',
  '<<!here>>',
  '&lt;!here&gt;',
] as const;

/** Code points that break naive handling: lone surrogates, bidi overrides, joiners, NUL, escapes. */
export const ODD_UNICODE = [
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  '\uDBFF\u0041',
  '\u202E', // right-to-left override
  '\u202D',
  '\u2066',
  '\u2069',
  '\u200F',
  '\u061C',
  '\u200D', // zero-width joiner
  '\u200B', // zero-width space
  '\u2060',
  '\uFEFF',
  '\u0000', // NUL
  '\u001B[31m', // terminal colour
  '\u009B', // C1 CSI
  '\u0007',
  '\r\n',
  '\u2028',
  '\u2029',
  '👩\u200D👩\u200D👧',
  '\uFFFD',
  'ﷺ',
  'e\u0301',
] as const;

/** mrkdwn markers and entities that could leak formatting, and words that steer the classifier. */
const MARKUP = ['`', '```', '*', '_', '~', '>', '\n> ', '&', '&amp;', '<', '|', '@channel', '@here', 'javascript:alert(1)', 'https://evil.example/x'] as const;
const CLASSIFIER_WORDS = [
  'OutOfMemoryError: Container killed due to memory usage',
  'CannotPullContainerError: pull image manifest has been retried',
  'ResourceInitializationError: unable to pull secrets',
  'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1)',
  'Task failed container health checks',
  'Your Spot Task was interrupted.',
  'Task is being stopped for maintenance',
  'Scaling activity initiated by (deployment ecs-svc/1)',
  'Essential container in task exited',
] as const;

const fragment = fc.oneof(
  { arbitrary: fc.constantFrom(...SLACK_SEQUENCES), weight: 4 },
  { arbitrary: fc.constantFrom(...ODD_UNICODE), weight: 3 },
  { arbitrary: fc.constantFrom(...MARKUP), weight: 2 },
  { arbitrary: fc.constantFrom(...CLASSIFIER_WORDS), weight: 1 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }), weight: 1 },
);

/** A short text made of hostile fragments (may be empty). */
export const fragmentText = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));

/** Blank text in its many forms: long runs of it are where a backtracking regex turns quadratic. */
const BLANKS = [' ', '\n', '\t', '\r\n', '\uFEFF', '\u00A0', '\u2028', '\u3000', '\n\n', ' \n'] as const;
const hugeSize = fc.oneof(fc.constant(100_000), fc.integer({ min: 3_000, max: 100_000 }));

/** A string of exactly `size` code units (100k by default): hostile fragments, or a blank run with one letter in it. */
export const hugeText = fc.oneof(
  {
    arbitrary: fc.tuple(fc.array(fragment, { minLength: 1, maxLength: 6 }), hugeSize).map(([parts, size]) => {
      const unit = parts.join('') || 'x';
      return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    }),
    weight: 3,
  },
  {
    arbitrary: fc.tuple(fc.constantFrom(...BLANKS), hugeSize, fc.constantFrom('start', 'middle', 'end', 'none')).map(([blank, size, letterAt]) => {
      const run = blank.repeat(Math.ceil(size / blank.length)).slice(0, size - 1);
      return { start: `x${run}`, middle: `${run.slice(0, run.length >> 1)}x${run.slice(run.length >> 1)}`, end: `${run}x`, none: `${run} ` }[letterAt];
    }),
    weight: 1,
  },
);

/** Text an attacker or a broken producer could put in any string field. */
export const hostileText = fc.oneof(
  { arbitrary: fragmentText, weight: 8 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 30 }), weight: 2 },
  { arbitrary: hugeText, weight: 1 },
);

// ---- values of the wrong type ------------------------------------------------------------------

/** Nested `depth` levels deep without recursion (objects, arrays, or both in turn). */
export function deeplyNested(depth: number, shape: 'object' | 'array' | 'mixed', leaf: unknown = 'bottom'): unknown {
  let value: unknown = leaf;
  for (let level = 0; level < depth; level += 1) {
    const asArray = shape === 'array' || (shape === 'mixed' && level % 2 === 1);
    value = asArray ? [value] : { nested: value, reason: '<!channel>' };
  }
  return value;
}

export const deepValue = fc
  .tuple(fc.oneof(fc.constant(1000), fc.integer({ min: 100, max: 1000 })), fc.constantFrom('object' as const, 'array' as const, 'mixed' as const), fc.jsonValue({ maxDepth: 0 }))
  .map(([depth, shape, leaf]) => deeplyNested(depth, shape, leaf));

/** A value of each JSON type (and the numbers JSON cannot carry), for a field that expects another. */
export const wrongTyped: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constant(null),
  fc.boolean(),
);

const ABSENT = Symbol('absent');

/** A field that is mostly right, sometimes missing, sometimes of a wrong type. */
function field<T>(good: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof(
    { arbitrary: good, weight: 60 },
    { arbitrary: fc.constant(ABSENT), weight: 1 },
    { arbitrary: wrongTyped, weight: 1 },
    { arbitrary: deepValue, weight: 1 },
  );
}

/** An array whose items were built with field(): a missing item is left out. */
function list(item: fc.Arbitrary<unknown>, constraints: { maxLength: number }): fc.Arbitrary<unknown[]> {
  return fc.array(field(item), constraints).map((items) => items.filter((v) => v !== ABSENT));
}

/** fc.record whose fields were built with field(): drops the missing ones. */
function shape(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(model).map((value) => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== ABSENT) out[key] = v;
    return out;
  });
}

// ---- events shaped like the real ones ------------------------------------------------------------

const ACCOUNT = '123456789012';
const name = fc.oneof({ arbitrary: fc.constantFrom('prod', 'web', 'worker', 'my_cluster-1'), weight: 3 }, { arbitrary: hostileText, weight: 2 });
const region = fc.oneof({ arbitrary: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'), weight: 6 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }, { arbitrary: hostileText, weight: 1 });
const isoTime = fc.oneof(
  { arbitrary: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()), weight: 4 },
  { arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), weight: 1 },
  { arbitrary: fc.constantFrom('2026-11-20T10:00:00Z', 'yesterday', '', 'NaN', '-1', '0'), weight: 1 },
  { arbitrary: hostileText, weight: 1 },
);
const arn = (type: string) => fc.tuple(fc.constantFrom('us-east-1', 'eu-west-1'), name, name).map(([r, a, b]) => `arn:aws:ecs:${r}:${ACCOUNT}:${type}/${a}/${b}`);
const clusterArn = fc.oneof({ arbitrary: name.map((n) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${n}`), weight: 4 }, { arbitrary: hostileText, weight: 1 });
const text = fc.oneof({ arbitrary: fc.constantFrom(...CLASSIFIER_WORDS), weight: 2 }, { arbitrary: hostileText, weight: 3 });

const container = shape({
  name: field(name),
  image: field(fc.oneof(fc.constant('public.ecr.aws/app/web:1'), hostileText)),
  exitCode: field(fc.oneof(fc.constantFrom(0, 1, 137, 143, 255), fc.integer())),
  reason: field(text),
  lastStatus: field(fc.constantFrom('STOPPED', 'RUNNING')),
  memory: field(fc.oneof(fc.constantFrom('512', '896'), fc.nat().map(String), fc.double(), hostileText)),
});

const taskDetail = shape({
  taskArn: field(arn('task')),
  clusterArn: field(clusterArn),
  lastStatus: field(fc.oneof({ arbitrary: fc.constant('STOPPED'), weight: 5 }, { arbitrary: fc.constantFrom('RUNNING', 'PENDING'), weight: 1 }, { arbitrary: hostileText, weight: 1 })),
  desiredStatus: field(fc.constantFrom('STOPPED', 'RUNNING')),
  taskDefinitionArn: field(fc.tuple(name, fc.oneof(fc.nat().map(String), hostileText)).map(([family, rev]) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${rev}`)),
  launchType: field(fc.constantFrom('FARGATE', 'EC2', 'EXTERNAL')),
  capacityProviderName: field(fc.oneof(fc.constantFrom('FARGATE', 'FARGATE_SPOT'), hostileText)),
  group: field(fc.oneof({ arbitrary: name.map((n) => `service:${n}`), weight: 4 }, { arbitrary: name.map((n) => `family:${n}`), weight: 1 }, { arbitrary: hostileText, weight: 1 })),
  startedBy: field(hostileText),
  stopCode: field(fc.oneof(fc.constantFrom('EssentialContainerExited', 'TaskFailedToStart', 'ServiceSchedulerInitiated', 'SpotInterruption', 'UserInitiated', 'TerminationNotice'), hostileText)),
  stoppedReason: field(text),
  stoppedAt: field(isoTime),
  memory: field(fc.oneof(fc.constantFrom('1024', '512'), fc.nat(), hostileText)),
  containers: field(list(container, { maxLength: 4 })),
});

const serviceEventDetail = (eventNames: readonly string[]) =>
  shape({
    eventType: field(fc.oneof(fc.constantFrom('INFO', 'WARN', 'ERROR'), hostileText)),
    eventName: field(fc.oneof({ arbitrary: fc.constantFrom(...eventNames), weight: 4 }, { arbitrary: hostileText, weight: 1 })),
    clusterArn: field(clusterArn),
    deploymentId: field(fc.oneof(fc.constant('ecs-svc/1234567890123456789'), hostileText)),
    reason: field(text),
  });

const containerInstanceDetail = shape({
  clusterArn: field(clusterArn),
  containerInstanceArn: field(fc.oneof(arn('container-instance'), hostileText)),
  ec2InstanceId: field(fc.oneof(fc.constant('i-0abc1234def567890'), hostileText)),
  status: field(fc.oneof(fc.constantFrom('ACTIVE', 'DRAINING', 'INACTIVE'), hostileText)),
  agentConnected: field(fc.boolean()),
});

const alarmState = shape({ value: field(fc.oneof({ arbitrary: fc.constantFrom('ALARM', 'OK', 'INSUFFICIENT_DATA'), weight: 4 }, { arbitrary: hostileText, weight: 1 })), reason: field(text) });
const alarmDetail = shape({
  alarmName: field(hostileText),
  state: field(alarmState),
  previousState: field(alarmState),
  configuration: field(
    shape({
      metrics: field(
        list(shape({ metricStat: field(shape({ metric: field(shape({ dimensions: field(fc.dictionary(fc.constantFrom('ClusterName', 'ServiceName', 'TargetGroup', 'x'), name, { maxKeys: 3 })) })) })) }), { maxLength: 3 }),
      ),
    }),
  ),
});

const EVENT_KINDS = [
  { source: 'aws.ecs', detailType: 'ECS Task State Change', detail: taskDetail },
  { source: 'aws.ecs', detailType: 'ECS Service Action', detail: serviceEventDetail(['SERVICE_STEADY_STATE', 'SERVICE_TASK_PLACEMENT_FAILURE', 'SERVICE_TASK_START_IMPAIRED', 'ECS_OPERATION_THROTTLED']) },
  { source: 'aws.ecs', detailType: 'ECS Deployment State Change', detail: serviceEventDetail(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']) },
  { source: 'aws.ecs', detailType: 'ECS Container Instance State Change', detail: containerInstanceDetail },
  { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: alarmDetail },
  { source: 'aws.events', detailType: 'Scheduled Event', detail: fc.constant({}) },
] as const;

/** An EventBridge envelope of a known (or unknown) kind: every field right, missing or of a wrong type. */
export const envelopeEvent: fc.Arbitrary<unknown> = fc
  .constantFrom(...EVENT_KINDS)
  .chain((kind) =>
    shape({
      version: field(fc.constant('0')),
      id: field(fc.oneof({ arbitrary: fc.uuid(), weight: 3 }, { arbitrary: hostileText, weight: 1 })),
      'detail-type': field(fc.oneof({ arbitrary: fc.constant(kind.detailType), weight: 10 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 })),
      source: field(fc.oneof({ arbitrary: fc.constant(kind.source), weight: 10 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 })),
      account: field(fc.oneof({ arbitrary: fc.constant(ACCOUNT), weight: 4 }, { arbitrary: hostileText, weight: 1 })),
      time: field(isoTime),
      region: field(region),
      resources: field(fc.array(fc.oneof(arn('service'), arn('task'), hostileText), { maxLength: 3 })),
      // The detail as its parser expects it, or any JSON at all.
      detail: field(fc.oneof({ arbitrary: kind.detail as fc.Arbitrary<unknown>, weight: 12 }, { arbitrary: fc.jsonValue(), weight: 1 }, { arbitrary: fc.dictionary(fc.string(), fc.jsonValue()), weight: 1 })),
    }),
  );

const timerBody = shape({
  schema: field(fc.constant('ecs-autopilot/timer@1')),
  fireAt: field(isoTime),
  timer: field(
    fc.oneof(
      shape({ type: field(fc.constant('agent-check')), containerInstanceArn: field(fc.oneof(arn('container-instance'), hostileText)), cluster: field(name), ec2InstanceId: field(hostileText) }),
      shape({ type: field(fc.constant('group-flush')), group: field(fc.oneof(fc.constant('sns:{cluster="prod",service="web",cause="oom"}'), hostileText)) }),
      fc.jsonValue(),
    ),
  ),
});

/** One SQS record of the timer queue: a random body, JSON of anything, or a timer that is nearly right. */
export const sqsTimerRecord: fc.Arbitrary<unknown> = shape({
  eventSource: fc.oneof({ arbitrary: fc.constant('aws:sqs'), weight: 10 }, { arbitrary: wrongTyped, weight: 1 }),
  messageId: field(fc.oneof(fc.uuid(), hostileText)),
  body: field(fc.oneof({ arbitrary: timerBody.map((b) => JSON.stringify(b)), weight: 4 }, { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), weight: 1 }, { arbitrary: hostileText, weight: 1 })),
  eventSourceARN: field(fc.oneof(fc.constant(`arn:aws:sqs:us-east-1:${ACCOUNT}:ecs-autopilot-timers`), hostileText)),
  attributes: field(shape({ SentTimestamp: field(fc.nat().map(String)) })),
});

const logEvent = shape({
  id: field(fc.oneof(fc.constant(''), fc.bigInt({ min: 0n, max: 10n ** 56n }).map(String), hostileText)),
  timestamp: field(fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double(), fc.constant(8.64e15), fc.constant(8.64e15 + 1))),
  message: field(hostileText),
});
const logsPayload = shape({
  messageType: field(fc.oneof(fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'), hostileText)),
  owner: field(fc.oneof(fc.constant(ACCOUNT), hostileText)),
  logGroup: field(fc.oneof(fc.constant('/ecs/web'), hostileText)),
  logStream: field(hostileText),
  subscriptionFilters: field(fc.array(hostileText, { maxLength: 2 })),
  logEvents: field(list(logEvent, { maxLength: 4 })),
});
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** {awslogs:{data}} with random base64, gzip of random bytes, gzip of near-right payloads, or wrong types. */
export const logsSubscriptionEvent: fc.Arbitrary<unknown> = shape({
  awslogs: field(
    shape({
      data: field(
        fc.oneof(
          { arbitrary: fc.base64String(), weight: 2 },
          { arbitrary: fc.uint8Array({ maxLength: 64 }).map(base64), weight: 1 },
          { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => base64(gzipSync(b))), weight: 1 },
          { arbitrary: fc.jsonValue().map((v) => gzipSync(Buffer.from(JSON.stringify(v) ?? '', 'utf8')).toString('base64')), weight: 1 },
          { arbitrary: logsPayload.map((p) => makeSubscriptionEvent(p).awslogs.data), weight: 4 },
          { arbitrary: hostileText, weight: 1 },
        ),
      ),
    }),
  ),
});

/** Anything the Lambda could be handed: every shape above, plus any JSON value at all. */
export const arbitraryEvent: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: envelopeEvent, weight: 6 },
  { arbitrary: sqsTimerRecord, weight: 2 },
  { arbitrary: logsSubscriptionEvent, weight: 2 },
  { arbitrary: fc.jsonValue(), weight: 1 },
  { arbitrary: fc.anything(), weight: 1 },
);

// ---- mutations of the real fixtures ----------------------------------------------------------------

export type Path = Array<string | number>;

/** Fields people read, where ECS, CloudWatch or a container author choose the text. */
export const READ_TEXT_KEYS = new Set([
  'stoppedReason', 'reason', 'name', 'alarmName', 'group', 'clusterArn', 'taskArn', 'taskDefinitionArn', 'containerInstanceArn',
  'ec2InstanceId', 'eventName', 'eventType', 'stopCode', 'status', 'ClusterName', 'ServiceName', 'value', 'deploymentId', 'message',
  'logGroup', 'logStream', 'capacityProviderName', 'memory', 'id', 'time', 'region', 'account', 'resources',
]);

export type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'retype'; at: number; value: unknown }
  | { op: 'deep'; at: number; value: unknown }
  | { op: 'text'; at: number; readField: boolean; mode: 'append' | 'prepend' | 'replace' | 'insert'; pos: number; text: string }
  | { op: 'huge'; at: number; readField: boolean; text: string };

const MAX_PATH_DEPTH = 12;

/** Every path below the root (not below MAX_PATH_DEPTH, so a 1000-deep value stays cheap). */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (prefix.length >= MAX_PATH_DEPTH) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

function setAt(root: unknown, path: Path, value: unknown | typeof ABSENT): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === ABSENT) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    // defineProperty, as JSON.parse does: a "__proto__" key stays data.
    Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  }
}

/** String leaves, those people read first when `readField` (falling back to all of them). */
function textPaths(root: unknown, readField: boolean): Path[] {
  const strings = pathsOf(root).filter((p) => typeof getAt(root, p) === 'string');
  if (!readField) return strings;
  const read = strings.filter((p) => {
    const key = [...p].reverse().find((k) => typeof k === 'string');
    return key !== undefined && READ_TEXT_KEYS.has(key);
  });
  return read.length > 0 ? read : strings;
}

/** Applies mutations in order to `root` (changed in place); each picks its target among what is there then. */
export function applyMutations(root: unknown, mutations: readonly Mutation[]): void {
  for (const m of mutations) {
    if (m.op === 'text' || m.op === 'huge') {
      const paths = textPaths(root, m.readField);
      if (paths.length === 0) continue;
      const path = paths[m.at % paths.length]!;
      const current = getAt(root, path) as string;
      if (m.op === 'huge') setAt(root, path, m.text);
      else {
        const pos = current.length === 0 ? 0 : m.pos % (current.length + 1);
        const next = { append: current + m.text, prepend: m.text + current, replace: m.text, insert: current.slice(0, pos) + m.text + current.slice(pos) }[m.mode];
        setAt(root, path, next);
      }
      continue;
    }
    const paths = pathsOf(root);
    if (paths.length === 0) continue;
    const path = paths[m.at % paths.length]!;
    setAt(root, path, m.op === 'drop' ? ABSENT : m.value);
  }
}

const at = fc.nat();
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('drop' as const), at }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('retype' as const), at, value: wrongTyped }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('deep' as const), at, value: deepValue }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('text' as const), at, readField: fc.boolean(), mode: fc.constantFrom('append' as const, 'prepend' as const, 'replace' as const, 'insert' as const), pos: fc.nat(), text: fragmentText }),
    weight: 5,
  },
  { arbitrary: fc.record({ op: fc.constant('huge' as const), at, readField: fc.boolean(), text: hugeText }), weight: 1 },
);

/** Only hostile text put into string fields: the event keeps its shape, so it usually notifies. */
export const textMutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('text' as const), at, readField: fc.constant(true), mode: fc.constantFrom('append' as const, 'prepend' as const, 'replace' as const, 'insert' as const), pos: fc.nat(), text: fragmentText }),
    weight: 6,
  },
  { arbitrary: fc.record({ op: fc.constant('huge' as const), at, readField: fc.constant(true), text: hugeText }), weight: 1 },
);

// ---- the fixtures ----------------------------------------------------------------------------------

export interface Fixture {
  name: string;
  /** events: an EventBridge event; logs: a subscription event, mutated through its decoded payload. */
  kind: 'events' | 'logs';
  raw: unknown;
}

export const FIXTURES: readonly Fixture[] = [
  ...fixtureNames('events').map((n) => ({ name: `events/${n}`, kind: 'events' as const, raw: loadFixture('events', n) })),
  ...fixtureNames('logs').map((n) => ({ name: `logs/${n}`, kind: 'logs' as const, raw: loadFixture('logs', n) })),
];

function decodePayload(raw: unknown): unknown {
  const data = (raw as { awslogs: { data: string } }).awslogs.data;
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
}

export interface MutatedFixture {
  fixture: string;
  mutations: Mutation[];
  /** For a logs fixture, mutations of the {awslogs:{data}} wrapper after re-encoding. */
  wrapperMutations: Mutation[];
  event: unknown;
}

/** Builds the mutated event (a fresh copy of the fixture every time). */
export function mutate(fixture: Fixture, mutations: Mutation[], wrapperMutations: Mutation[] = []): MutatedFixture {
  let event: unknown;
  if (fixture.kind === 'logs') {
    const payload = decodePayload(fixture.raw);
    applyMutations(payload, mutations);
    event = makeSubscriptionEvent(payload);
    applyMutations(event, wrapperMutations);
  } else {
    event = structuredClone(fixture.raw);
    applyMutations(event, mutations);
  }
  return { fixture: fixture.name, mutations, wrapperMutations, event };
}

/** A real fixture with one to four mutations (a logs fixture sometimes has its wrapper broken too). */
export function mutatedFixture(mutations: fc.Arbitrary<Mutation> = mutation, fixtures: readonly Fixture[] = FIXTURES): fc.Arbitrary<MutatedFixture> {
  return fc
    .tuple(fc.constantFrom(...fixtures), fc.array(mutations, { minLength: 1, maxLength: 4 }), fc.oneof({ arbitrary: fc.constant([] as Mutation[]), weight: 4 }, { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }), weight: 1 }))
    .map(([fixture, ms, wrapper]) => mutate(fixture, ms, fixture.kind === 'logs' ? wrapper : []));
}

/** A short description of a value for a counterexample (a 100k string or a 1000-deep object is not printed). */
export function describeForReport(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v)) ?? String(value);
  } catch (error) {
    text = `(not printable: ${(error as Error).message})`;
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
