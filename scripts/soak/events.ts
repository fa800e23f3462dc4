// The soak's events: real-shaped fixtures of every kind the tool handles, spread over clusters and
// services, deterministic for a seed. Some are delivered twice (EventBridge's at-least-once), some
// twice at the same moment, some swapped with their neighbour, and a few are malformed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lib/emulator.js';
import { mulberry32 } from '../lib/fault-proxy.js';

type Event = Record<string, unknown> & { id: string; detail: Record<string, unknown> };

/** One delivery to the handler: an event, or two copies of it started together. */
export interface Delivery {
  event: unknown;
  /** Deliver this copy at the same time as the next one (a concurrent duplicate). */
  concurrentWithNext?: boolean;
}


const fixture = (name: string) => JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', name), 'utf8')) as Event;

const TEMPLATES: Array<{ weight: number; file: string }> = [
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
  { weight: 3, file: 'events/alarm-ecs-service-ok.json' },
  { weight: 1, file: 'malformed/task-missing-cluster-arn.json' },
];

export interface SoakScope {
  clusters: string[];
  services: string[];
}

export function soakScope(prefix: string): SoakScope {
  return { clusters: [0, 1, 2, 3].map((i) => `${prefix}-c${i}`), services: Array.from({ length: 8 }, (_, i) => `svc${i}`) };
}

/** Moves an event to a cluster and service, with a fresh id (and task, instance, alarm identity). */
function place(event: Event, id: string, cluster: string, service: string, account: string, region: string): Event {
  const e = structuredClone(event);
  e.id = id;
  e.account = account;
  e.region = region;
  const d = e.detail;
  const arn = (kind: string, rest: string) => `arn:aws:ecs:${region}:${account}:${kind}/${rest}`;
  if (typeof d.clusterArn === 'string') d.clusterArn = arn('cluster', cluster);
  if (typeof d.taskArn === 'string') d.taskArn = arn('task', `${cluster}/${id.replace(/[^a-z0-9]/gi, '')}`);
  if (typeof d.group === 'string' && d.group.startsWith('service:')) d.group = `service:${service}`;
  if (typeof d.containerInstanceArn === 'string') d.containerInstanceArn = arn('container-instance', `${cluster}/${service}-host`);
  if (Array.isArray(e.resources) && String(e.resources[0] ?? '').includes(':service/')) e.resources = [arn('service', `${cluster}/${service}`)];
  const configuration = d.configuration as { metrics?: Array<{ metricStat?: { metric?: { dimensions?: Record<string, string> } } }> } | undefined;
  for (const metric of configuration?.metrics ?? []) if (metric.metricStat?.metric) metric.metricStat.metric.dimensions = { ClusterName: cluster, ServiceName: service };
  if (typeof d.alarmName === 'string') d.alarmName = `${cluster}-${service}-cpu`;
  return e;
}

export function soakDeliveries(count: number, seed: number, scope: SoakScope, account = '123456789012', region = 'us-east-1'): Delivery[] {
  const random = mulberry32(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const templates = TEMPLATES.map((t) => ({ ...t, event: fixture(t.file) }));
  const total = templates.reduce((sum, t) => sum + t.weight, 0);
  const events: Event[] = [];
  for (let i = 0; i < count; i++) {
    let r = random() * total;
    const template = templates.find((t) => (r -= t.weight) < 0) ?? templates[0]!;
    events.push(place(template.event, `soak-${seed}-${i}`, pick(scope.clusters), pick(scope.services), account, region));
  }
  // A few out of order: swapped with the next one.
  for (let i = 0; i + 1 < events.length; i++) if (random() < 0.02) [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
  const deliveries: Delivery[] = [];
  const later: Array<{ event: Event; after: number }> = [];
  for (const event of events) {
    for (const due of later.filter((l) => l.after <= deliveries.length)) deliveries.push({ event: structuredClone(due.event) });
    later.splice(0, later.length, ...later.filter((l) => l.after > deliveries.length));
    const roll = random();
    if (roll < 0.015) {
      deliveries.push({ event, concurrentWithNext: true }, { event: structuredClone(event) });
    } else {
      deliveries.push({ event });
      // About 3.5% delivered again a little later, as EventBridge may.
      if (roll < 0.05) later.push({ event, after: deliveries.length + 1 + Math.floor(random() * 20) });
    }
  }
  for (const due of later) deliveries.push({ event: structuredClone(due.event) });
  return deliveries;
}
