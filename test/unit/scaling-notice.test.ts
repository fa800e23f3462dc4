// The scaling notices: what they say, that they route like every notification (kind `scaling`),
// and that untrusted text (read errors) reaches Slack escaped.
import { describe, expect, it } from 'vitest';
import { createScalingNotifier } from '../../shared/adapters/scaling-notifier.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { scalingMessage } from '../../shared/decide/scaling/notice.js';
import { renderSlackMessage } from '../../shared/render/slack-blocks.js';

const context = { service: { cluster: 'prod', service: 'worker' }, reason: '6 -> 6 (hold, bounded by missing-data): ...', eventId: 'evt-1', time: '2026-11-25T06:00:00.000Z', region: 'eu-west-1', account: '123456789012' };
const missing = { notice: 'missing-data' as const, count: 6, policies: ['sqs-backlog jobs'], errors: ['QueueDoesNotExist: <b>no</b> & gone'], minutes: 15 };

describe('scaling notices', () => {
  it('says which policy is unreadable, for how long, and that the count cannot scale in', () => {
    const message = scalingMessage(missing, context);
    expect(message).toMatchObject({ kind: 'scaling', cause: 'scaling-missing-data', severity: 'warning', status: 'firing', cluster: 'prod', service: 'worker', eventTime: context.time });
    expect(message.title).toBe('prod/worker: sqs-backlog jobs unreadable for 15 min, count frozen at 6 (no scale-in)');
    expect(message.hint).toContain('QueueDoesNotExist');
    expect(message.links.service).toContain('eu-west-1');
    expect(scalingMessage({ notice: 'at-max', max: 40, demand: 52, minutes: 15 }, context).title).toBe('prod/worker has been at its max of 40 tasks for 15 min while the policies ask for 52');
  });

  it('goes to the receivers the notify route picks for kind scaling, and reaches Slack escaped', async () => {
    const config = validateConfig(
      {
        notify: {
          receivers: { oncall: { slack: { webhook: 'ssm:/slack/oncall' } }, everything: { sns: {} } },
          route: { receiver: 'everything', routes: [{ match: { kind: 'scaling' }, receiver: 'oncall' }] },
        },
      },
      'test',
    );
    const sent: Array<[string, NotifyAction]> = [];
    const receiver = (name: string) => ({ notify: async (action: NotifyAction) => (sent.push([name, action]), {}) });
    await createScalingNotifier(config, { oncall: receiver('oncall'), everything: receiver('everything') })(missing, context);
    expect(sent.map(([name, action]) => [name, action.kind, action.subject])).toEqual([['oncall', 'scaling', '[warning] scaling-missing-data: prod/worker']]);
    const slack = JSON.stringify(renderSlackMessage(sent[0]![1].message));
    expect(slack).toContain('&lt;b&gt;no&lt;/b&gt; &amp; gone');
    expect(slack).not.toContain('<b>');
  });
});
