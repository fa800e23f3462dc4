import { describe, expect, it } from 'vitest';
import { parseServiceTags } from '../../shared/config/service-tags.js';

describe('service tag overrides', () => {
  it('reads the documented tags and ignores tags of other tools', () => {
    const { overrides, warnings } = parseServiceTags({
      'ecs-autopilot:notify': 'OFF',
      'ecs-autopilot:mute-causes': 'health-check, spot-interruption',
      'ecs-autopilot:min-severity': 'critical',
      team: 'payments',
    });
    expect(overrides).toEqual({ notify: false, muteCauses: ['health-check', 'spot-interruption'], minSeverity: 'critical' });
    expect(warnings).toEqual([]);
  });

  it('ignores a bad value with a warning that names the tag and the valid values', () => {
    const { overrides, warnings } = parseServiceTags({ 'ecs-autopilot:notify': 'maybe', 'ecs-autopilot:mute-causes': 'oom,oops', 'ecs-autopilot:min-severity': 'loud' });
    expect(overrides).toEqual({});
    expect(warnings).toEqual([
      'tag ecs-autopilot:notify=maybe ignored: valid values are on, off',
      expect.stringMatching(/^tag ecs-autopilot:mute-causes=oom,oops ignored: .*\(unknown: oops\)$/),
      'tag ecs-autopilot:min-severity=loud ignored: valid values are critical, warning, info',
    ]);
  });

  it('names an unknown setting under the prefix', () => {
    expect(parseServiceTags({ 'ecs-autopilot:mute': 'true' }).warnings[0]).toMatch(/unknown setting 'mute'; valid settings are ecs-autopilot:notify/);
  });
});
