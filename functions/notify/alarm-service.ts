// The alarm-to-service lookup for notify and remediate, with CloudWatch and the resolver loaded
// on the first alarm only (./lazy-alarms.ts, a chunk of its own): most invocations are ECS events,
// and the CloudWatch client is a large part of a bundle's import (npm run bench).
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';
import { once } from '../../shared/adapters/load-once.js';

interface AlarmNaming {
  alarmName: string;
  dimensions: Record<string, string>;
  alarmArn?: string;
}

export function lazyAlarmService(env: RuntimeEnvironment, ecs: ECSClient) {
  const alarms = once(async () => (await import('./lazy-alarms.js')).createAlarmResolution(env, ecs));
  return async (alarm: AlarmNaming, at: Date) => (await alarms()).resolve({ alarmName: alarm.alarmName, dimensions: alarm.dimensions, ...(alarm.alarmArn ? { alarmArn: alarm.alarmArn } : {}) }, at);
}
