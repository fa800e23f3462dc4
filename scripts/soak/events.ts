// The soak's events: real-shaped fixtures of every kind the tool handles (ECS task, service,
// deployment and container-instance events, CloudWatch alarms, the scaling schedule's Scheduled
// Events, CloudWatch Logs subscription batches), spread over clusters, services and log streams,
// deterministic for a seed. Some are delivered twice (EventBridge's at-least-once), some twice at
// the same moment, some swapped with their neighbour, and a few are malformed. Between them, what a
// person would do: deploy a new revision, and the work queues the scaled services read filling up
// and draining.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lib/emulator.js';
import { mulberry32 } from '../lib/fault-proxy.js';
import { burst } from '../../test/fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../../test/fixtures/logs/make-subscription-event.js';

/** The functions of the stack, each a Lambda handler the soak invokes. */
export const FUNCTIONS = ['notify', 'remediate', 'scale', 'ship'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

type Event = Record<string, unknown> & { id: string; detail: Record<string, unknown> };

/** A change the soak makes to the world itself (not through the proxy): what a person or the load does. */
export type WorldChange =
  | { kind: 'deploy'; cluster: string; service: string; taskDefinition: string }
  | { kind: 'backlog'; cluster: string; queue: string; messages: number };

/** One delivery: an event (or two copies of it started together), or a change to the world. */
export interface Delivery {
  /** The event's id; for a log batch (which has none) the soak's own. */
  id: string;
  event?: unknown;
  /** Deliver this copy at the same time as the next one (a concurrent duplicate). */
  concurrentWithNext?: boolean;
  world?: WorldChange;
}

const fixture = (name: string) => JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', name), 'utf8')) as Event;

type Template = { weight: number; file: string; metric?: string } | { weight: number; logs: 'batch' | 'malformed' } | { weight: number; world: 'backlog' };

const TEMPLATES: Template[] = [
  { weight: 14, file: 'events/task-stopped-oom.json' },
  { weight: 12, file: 'events/task-stopped-app-exit.json' },
  { weight: 6, file: 'events/task-stopped-image-pull.json' },
  { weight: 6, file: 'events/task-stopped-health-check-elb.json' },
  { weight: 4, file: 'events/task-stopped-task-init-secrets.json' },
  { weight: 4, file: 'events/task-stopped-spot.json' },
  { weight: 6, file: 'events/task-stopped-deployment.json' },
  { weight: 3, file: 'events/task-stopped-user.json' },
  { weight: 4, file: 'events/service-action-placement-failure.json' },
  { weight: 4, file: 'events/service-action-steady-state.json' },
  { weight: 3, file: 'events/deployment-in-progress.json' },
  { weight: 3, file: 'events/deployment-completed.json' },
  { weight: 3, file: 'events/deployment-failed.json' },
  { weight: 3, file: 'events/container-instance-draining.json' },
  { weight: 3, file: 'events/container-instance-disconnected.json' },
  { weight: 4, file: 'events/alarm-ecs-service-alarm.json' },
  // The same alarm on the service's target group: what the unhealthy-targets playbook restarts on.
  { weight: 2, file: 'events/alarm-ecs-service-alarm.json', metric: 'UnHealthyHostCount' },
  { weight: 3, file: 'events/alarm-ecs-service-ok.json' },
  { weight: 1, file: 'malformed/task-missing-cluster-arn.json' },
  // The scale function's schedule (every minute in AWS), and its queues' load changing.
  { weight: 4, file: 'events/scheduled-event.json' },
  { weight: 2, world: 'backlog' },
  // CloudWatch Logs subscription batches of the services' containers, and one that does not decode.
  { weight: 6, logs: 'batch' },
  { weight: 0.2, logs: 'malformed' },
];

export interface SoakScope {
  clusters: string[];
  services: string[];
  /** Services opted in to remediation (in every cluster), with a second revision deployed midway. */
  remediated: string[];
  /** The service of each cluster that the scale function scales on its queue's backlog. */
  scaledService: string;
  queueOf: (cluster: string) => string;
  /** The task definition family of the services; revision 1 at first, 2 after a deploy. */
  family: string;
  logGroup: string;
}

export function soakScope(prefix: string): SoakScope {
  return {
    clusters: [0, 1, 2, 3].map((i) => `${prefix}-c${i}`),
    services: Array.from({ length: 8 }, (_, i) => `svc${i}`),
    remediated: ['svc0', 'svc1', 'svc2', 'svc3'],
    scaledService: 'worker',
    queueOf: (cluster) => `${cluster}-jobs`,
    family: `${prefix}-app`,
    logGroup: `/ecs/${prefix}`,
  };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/;

/** Every timestamp of the event set to `time`: the decisions that compare times then do not depend on how long a run takes. */
function retime(value: unknown, time: string): unknown {
  if (typeof value === 'string') return ISO_TIME.test(value) ? time : value;
  if (Array.isArray(value)) return value.map((v) => retime(v, time));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retime(v, time)]));
  return value;
}

interface Placement {
  id: string;
  cluster: string;
  service: string;
  account: string;
  region: string;
  time: string;
  taskDefinition: string;
  metric?: string;
}

/** Moves an event to a cluster and service, with a fresh id (and task, instance, alarm identity). */
function place(event: Event, p: Placement): Event {
  const e = retime(structuredClone(event), p.time) as Event;
  const { id, cluster, service, account, region } = p;
  e.id = id;
  e.account = account;
  e.region = region;
  const d = e.detail;
  const arn = (kind: string, rest: string) => `arn:aws:ecs:${region}:${account}:${kind}/${rest}`;
  if (typeof d.clusterArn === 'string') d.clusterArn = arn('cluster', cluster);
  if (typeof d.taskArn === 'string') d.taskArn = arn('task', `${cluster}/${id.replace(/[^a-z0-9]/gi, '')}`);
  // The revision the service runs at this point of the soak.
  if (typeof d.taskDefinitionArn === 'string') d.taskDefinitionArn = p.taskDefinition;
  if (typeof d.group === 'string' && d.group.startsWith('service:')) d.group = `service:${service}`;
  if (typeof d.containerInstanceArn === 'string') d.containerInstanceArn = arn('container-instance', `${cluster}/${service}-host`);
  if (Array.isArray(e.resources) && String(e.resources[0] ?? '').includes(':service/')) e.resources = [arn('service', `${cluster}/${service}`)];
  const configuration = d.configuration as { metrics?: Array<{ metricStat?: { metric?: { name?: string; namespace?: string; dimensions?: Record<string, string> } } }> } | undefined;
  for (const metric of configuration?.metrics ?? []) {
    if (!metric.metricStat?.metric) continue;
    metric.metricStat.metric.dimensions = { ClusterName: cluster, ServiceName: service };
    if (p.metric) Object.assign(metric.metricStat.metric, { name: p.metric, namespace: 'AWS/ApplicationELB' });
  }
  if (typeof d.alarmName === 'string') d.alarmName = `${cluster}-${service}-${p.metric ? 'unhealthy' : 'cpu'}`;
  return e;
}

/** A subscription batch of one task's log stream: a few bursts of real-shaped ECS log lines, ids that name the batch. */
function logBatch(n: number, cluster: string, service: string, taskId: string, scope: SoakScope, timeMs: number, bursts: number): unknown {
  const lines = Array.from({ length: bursts }, (_, b) => burst(n + b)).flat();
  // Log event ids are digits; the batch number leads, so every record says which batch it came from.
  const ids = lines.map((_, i) => `${n}${String(i).padStart(5, '0')}`);
  return makeSubscriptionEvent({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: scope.logGroup,
    logStream: `ecs/${service}/${taskId}`,
    subscriptionFilters: [`${cluster}-ship`],
    logEvents: lines.map((message, i) => ({ id: ids[i]!, timestamp: timeMs + i, message })),
  });
}

/** The batch number of a log record (its uid is its first log event's id): see logBatch. */
export const batchOfLogEvent = (uid: string) => uid.slice(0, -5);

export function soakDeliveries(count: number, seed: number, scope: SoakScope, time: Date, account = '123456789012', region = 'us-east-1'): Delivery[] {
  const random = mulberry32(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const templates = TEMPLATES.map((t) => ({ ...t, event: 'file' in t ? fixture(t.file) : undefined }));
  const total = templates.reduce((sum, t) => sum + t.weight, 0);
  const iso = time.toISOString();
  const revision = (n: number) => `arn:aws:ecs:${region}:${account}:task-definition/${scope.family}:${n}`;
  // Each remediated service gets revision 2 deployed once, somewhere in the first two thirds.
  const deployAt = new Map<string, number>();
  for (const cluster of scope.clusters) for (const service of scope.remediated) deployAt.set(`${cluster}/${service}`, Math.floor(count * (0.1 + random() * 0.55)));
  // A task per service and cluster whose log stream the batches come from (one lane each).
  const taskOf = (cluster: string, service: string) => `${String(scope.clusters.indexOf(cluster)).padStart(2, '0')}${service.replace(/\D/g, '').padStart(2, '0')}`.padEnd(32, 'f');
  const items: Delivery[] = [];
  // The remediated services start steady on revision 1, as a service does once it is created:
  // a failed deployment of revision 2 has something to roll back to.
  const steady = templates.find((t) => 'file' in t && t.file === 'events/service-action-steady-state.json')!.event!;
  const first = scope.clusters.flatMap((cluster) => scope.remediated.map((service) => ({ cluster, service })));
  for (const [i, { cluster, service }] of first.entries()) {
    items.push({ id: `soak-${seed}-${i}`, event: place(steady, { id: `soak-${seed}-${i}`, cluster, service, account, region, time: iso, taskDefinition: revision(1) }) });
  }
  for (let i = first.length; i < count; i++) {
    const deployed = [...deployAt].filter(([, at]) => at === i);
    for (const [target] of deployed) {
      const [cluster, service] = target.split('/') as [string, string];
      items.push({ id: `deploy-${seed}-${i}-${target}`, world: { kind: 'deploy', cluster, service, taskDefinition: revision(2) } });
    }
    let r = random() * total;
    const template = templates.find((t) => (r -= t.weight) < 0) ?? templates[0]!;
    const cluster = pick(scope.clusters);
    const service = pick(scope.services);
    const id = `soak-${seed}-${i}`;
    if ('world' in template) {
      items.push({ id, world: { kind: 'backlog', cluster, queue: scope.queueOf(cluster), messages: Math.floor(random() * 46) } });
    } else if ('logs' in template) {
      const event = template.logs === 'malformed' ? { awslogs: { data: Buffer.from('not a gzip payload').toString('base64') } } : logBatch(i, cluster, service, taskOf(cluster, service), scope, time.getTime(), 1 + Math.floor(random() * 3));
      items.push({ id, event });
    } else {
      const at = deployAt.get(`${cluster}/${service}`);
      const taskDefinition = revision(at !== undefined && at <= i ? 2 : 1);
      items.push({ id, event: place(template.event!, { id, cluster, service, account, region, time: iso, taskDefinition, ...(template.metric ? { metric: template.metric } : {}) }) });
    }
  }
  // A few out of order: swapped with the next one (world changes stay where they are).
  for (let i = 0; i + 1 < items.length; i++) if (items[i]!.event && items[i + 1]!.event && random() < 0.02) [items[i], items[i + 1]] = [items[i + 1]!, items[i]!];
  const deliveries: Delivery[] = [];
  const later: Array<{ item: Delivery; after: number }> = [];
  const copy = (item: Delivery): Delivery => ({ ...item, event: structuredClone(item.event) });
  for (const item of items) {
    for (const due of later.filter((l) => l.after <= deliveries.length)) deliveries.push(copy(due.item));
    later.splice(0, later.length, ...later.filter((l) => l.after > deliveries.length));
    if (!item.event) {
      deliveries.push(item);
      continue;
    }
    const roll = random();
    if (roll < 0.015) {
      deliveries.push({ ...item, concurrentWithNext: true }, copy(item));
    } else {
      deliveries.push(item);
      // About 3.5% delivered again a little later, as EventBridge (and CloudWatch Logs) may.
      if (roll < 0.05) later.push({ item, after: deliveries.length + 1 + Math.floor(random() * 20) });
    }
  }
  for (const due of later) deliveries.push(copy(due.item));
  return deliveries;
}
