// Which services an event re-evaluates: the schedule evaluates every one; an alarm state change
// only those that name the alarm (immediate reaction); anything else none.
import type { ScaleConfig, ScaledService } from '../../config/schema-scale.js';
import type { Signal } from '../../intake/signals.js';

export function servicesToEvaluate(scale: ScaleConfig | undefined, signal: Signal): ScaledService[] {
  const services = scale?.services ?? [];
  if (signal.kind === 'scheduled-tick') return services;
  if (signal.kind === 'alarm-state-changed') return services.filter((s) => s.alarms.includes(signal.alarmName));
  return [];
}
