// Per-service overrides from ECS service tags, under one prefix. A bad tag value is reported and
// ignored, never fatal: a typo on one service must not stop notifications for it.
import { CAUSES, type Cause, SEVERITIES, type Severity } from '../decide/causes.js';

export const SERVICE_TAG_PREFIX = 'ecs-autopilot:';

// Every override only takes notifications away or redirects them, never adds one: processEvent
// relies on that to skip the tag lookup for events that plan nothing without them.
export interface ServiceOverrides {
  /** `ecs-autopilot:notify = off` mutes the service; `on` is the default. */
  notify?: boolean;
  /** `ecs-autopilot:mute-causes = health-check,spot-interruption` mutes those causes for the service. */
  muteCauses?: Cause[];
  /** `ecs-autopilot:min-severity = critical` drops less severe notifications for the service. */
  minSeverity?: Severity;
  /** `ecs-autopilot:receiver = payments-slack` sends the service's notifications to that receiver instead of the route's. */
  receiver?: string;
  /** `ecs-autopilot:scale-paused = true` freezes the scaler's count for the service (like KEDA's paused annotation). */
  scalePaused?: boolean;
  /** `ecs-autopilot:scale = on` opts the service in to scaling (the IAM condition of UpdateService reads it). */
  scale?: boolean;
}

export interface ParsedServiceTags {
  overrides: ServiceOverrides;
  /** One sentence per tag that was ignored, naming the tag and the valid values. */
  warnings: string[];
}

export const SERVICE_TAG_KEYS = ['notify', 'mute-causes', 'min-severity', 'receiver', 'remediate', 'scale', 'scale-paused'] as const;

export function parseServiceTags(tags: Record<string, string>): ParsedServiceTags {
  const overrides: ServiceOverrides = {};
  const warnings: string[] = [];
  for (const [key, rawValue] of Object.entries(tags)) {
    if (!key.startsWith(SERVICE_TAG_PREFIX)) continue;
    const name = key.slice(SERVICE_TAG_PREFIX.length);
    const value = rawValue.trim().toLowerCase();
    const reject = (valid: string) => warnings.push(`tag ${key}=${rawValue} ignored: valid values are ${valid}`);
    switch (name) {
      case 'notify':
        if (value === 'on' || value === 'off') overrides.notify = value === 'on';
        else reject('on, off');
        break;
      case 'mute-causes': {
        const listed = value.split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = listed.filter((c) => !(CAUSES as readonly string[]).includes(c));
        if (unknown.length > 0) reject(`a comma-separated list of ${CAUSES.join(', ')} (unknown: ${unknown.join(', ')})`);
        else overrides.muteCauses = listed as Cause[];
        break;
      }
      case 'min-severity':
        if ((SEVERITIES as readonly string[]).includes(value)) overrides.minSeverity = value as Severity;
        else reject(SEVERITIES.join(', '));
        break;
      case 'receiver':
        if (/^[A-Za-z0-9_-]{1,64}$/.test(rawValue.trim())) overrides.receiver = rawValue.trim();
        else reject('the name of a receiver under notify.receivers (letters, digits, - and _)');
        break;
      case 'remediate':
        // Remediation's opt-in, read by shared/decide/remediation/opt-in.ts. Not a fall-through:
        // a service opted in to remediation is not opted in to scaling.
        break;
      case 'scale':
        if (value === 'on' || value === 'off') overrides.scale = value === 'on';
        else reject('on, off');
        break;
      case 'scale-paused':
        if (['true', 'false', 'on', 'off'].includes(value)) overrides.scalePaused = value === 'true' || value === 'on';
        else reject('true, false');
        break;
      default:
        warnings.push(`tag ${key} ignored: unknown setting '${name}'; valid settings are ${SERVICE_TAG_KEYS.map((k) => SERVICE_TAG_PREFIX + k).join(', ')}`);
    }
  }
  return { overrides, warnings };
}
