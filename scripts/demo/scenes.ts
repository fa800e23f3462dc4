// The scripted incidents the demo plays. A scene is a title, the ECS resources it needs, and its
// events in order (real-shaped fixtures, re-timed). Later capabilities add their scenes here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lib/emulator.js';

export interface DemoService {
  name: string;
  tags?: Record<string, string>;
}

export interface Scene {
  title: string;
  cluster: string;
  services: DemoService[];
  /** Each event with the note the timeline prints beside it. */
  events: Array<{ note: string; event: Record<string, unknown> }>;
}

const fixture = (name: string) => JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', name), 'utf8')) as Record<string, unknown>;

/** Re-times an event and, where asked, moves its task to another service (fresh id unless `keepId`). */
function at(time: string, name: string, options: { service?: string; id?: string } = {}): Record<string, unknown> {
  const event = fixture(name);
  event.time = `2026-11-20T${time}Z`;
  if (options.id) event.id = options.id;
  const detail = event.detail as Record<string, unknown>;
  if (options.service && typeof detail.group === 'string') detail.group = `service:${options.service}`;
  return event;
}

const oomId = 'demo-0001-oom-web';

export const badDeployScene: Scene = {
  title: 'A bad deploy of prod/web: the new revision runs out of memory, while the rest of the cluster carries on',
  cluster: 'prod',
  services: [{ name: 'web' }, { name: 'worker' }, { name: 'reports', tags: { 'ecs-autopilot:notify': 'off' } }],
  events: [
    { note: 'web starts deploying a new task definition revision', event: at('10:00:00', 'events/deployment-in-progress.json') },
    { note: 'a task of the new revision is running', event: at('10:00:20', 'events/task-running.json') },
    { note: 'an old task is replaced by the deployment', event: at('10:00:40', 'events/task-stopped-deployment.json') },
    { note: 'a new task is killed for using too much memory', event: at('10:01:05', 'events/task-stopped-oom.json', { id: oomId }) },
    { note: 'EventBridge delivers the same event again (at-least-once)', event: at('10:01:05', 'events/task-stopped-oom.json', { id: oomId }) },
    { note: 'worker cannot pull its image', event: at('10:02:10', 'events/task-stopped-image-pull.json', { service: 'worker' }) },
    { note: 'reports, muted by its ecs-autopilot:notify=off tag, runs out of memory too', event: at('10:02:40', 'events/task-stopped-oom.json', { service: 'reports' }) },
    { note: 'a web task fails its load balancer health checks', event: at('10:03:00', 'events/task-stopped-health-check-elb.json') },
    { note: "CloudWatch raises web's CPU alarm", event: at('10:03:30', 'events/alarm-ecs-service-alarm.json') },
    { note: 'a truncated event arrives (detail.clusterArn missing)', event: at('10:04:00', 'malformed/task-missing-cluster-arn.json') },
    { note: 'another new task runs out of memory: same service, same cause', event: at('10:04:30', 'events/task-stopped-oom.json', { id: 'demo-0002-oom-web' }) },
    { note: 'the deployment circuit breaker gives up', event: at('10:05:00', 'events/deployment-failed.json') },
    { note: 'the rollback reaches a steady state: web is healthy again', event: at('10:09:00', 'events/service-action-steady-state.json') },
  ],
};

export const scenes: Scene[] = [badDeployScene];

/**
 * After the incident, the engineer on call asks why the task of the 10:01:05 OOM notification
 * stopped. The emulator runs no containers, so the demo stages that task before the scene plays,
 * with real ECS resources (two revisions, the task ECS stopped, its log lines; scripts/lib/
 * bad-deploy.ts), and the scene's event carries its ARN: `explain` then reads the very task the
 * notification named, as it would read an account, and `status` the cluster.
 */
export const explainScene = {
  title: 'On call: `ecs-autopilot explain` on the task the OOM notification named, then `status`',
  cluster: badDeployScene.cluster,
  service: 'web',
  /** The scripted event whose task is explained (both of its deliveries). */
  eventId: oomId,
};
