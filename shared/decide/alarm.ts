// CloudWatch alarms going to ALARM and back to OK, resolved to the ECS service they watch when
// the resolver (dimensions, alarm tags, target group) could tell which.
import type { AutopilotConfig } from '../config/schema.js';
import type { AlarmStateChanged } from '../intake/signals.js';
import { consoleBase, enc } from './console-links.js';
import type { DecisionState } from './decide.js';
import { propose } from './notification.js';
import type { Plan } from './plan.js';

export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `${consoleBase(region)}/cloudwatch/home?region=${enc(region)}#alarmsV2:alarm/${enc(alarmName)}`;
}

export function decideAlarm(signal: AlarmStateChanged, state: DecisionState, config: AutopilotConfig, now: Date, plan: Plan): Plan {
  const firing = signal.state === 'ALARM';
  const resolved = signal.state === 'OK' && signal.previousState === 'ALARM';
  if (!firing && !resolved) {
    plan.notes.push(`alarm ${signal.alarmName} went ${signal.previousState ?? '?'} -> ${signal.state}: no notification`);
    return plan;
  }
  // The resolver (dimensions, alarm tags, target group) runs online; offline, dimensions still tell.
  const fromDimensions =
    signal.dimensions.ClusterName && signal.dimensions.ServiceName ? { cluster: signal.dimensions.ClusterName, service: signal.dimensions.ServiceName, via: 'dimensions' } : undefined;
  const target = state.alarmService && 'service' in state.alarmService ? state.alarmService : fromDimensions;
  const scope = target ? { cluster: target.cluster, service: target.service } : { cluster: '' };
  const on = target ? ` on ${target.cluster}/${target.service}` : '';
  propose(plan, config, state.serviceTags, signal, now, {
    kind: 'alarm',
    status: firing ? 'firing' : 'resolved',
    severity: firing ? config.notify.alarms.severity : 'info',
    cause: 'alarm',
    title: firing ? `Alarm ${signal.alarmName}${on} is in ALARM` : `Alarm ${signal.alarmName}${on} is OK again`,
    meaning: firing ? 'a CloudWatch alarm crossed its threshold' : 'the alarm\'s metric is back within its threshold',
    hint: firing ? `The alarm's reason: ${signal.reason ?? '(none given)'}` : 'Nothing to do now.',
    evidence: target ? `alarm resolved to the service through ${target.via}` : `alarm not tied to a service: ${state.alarmService && 'unresolved' in state.alarmService ? state.alarmService.unresolved : 'no ClusterName/ServiceName dimensions'}`,
    ...scope,
    alarm: {
      name: signal.alarmName,
      ...(signal.alarmArn ? { arn: signal.alarmArn } : {}),
      state: signal.state,
      ...(signal.previousState ? { previousState: signal.previousState } : {}),
      ...(signal.reason ? { reason: signal.reason } : {}),
      ...(target ? { resolvedVia: target.via } : {}),
    },
    links: { alarm: alarmConsoleUrl(signal.region, signal.alarmName) },
  });
  return plan;
}
