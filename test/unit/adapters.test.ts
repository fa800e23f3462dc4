import { ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsClientOptions } from '../../shared/adapters/aws-clients.js';
import { createServiceTagReader } from '../../shared/adapters/ecs-service-tags.js';
import { createSnsNotifier, fitForSns } from '../../shared/adapters/sns-notifier.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { decide } from '../../shared/decide/decide.js';
import type { Notification, NotifyAction } from '../../shared/decide/plan.js';
import { parseEvent } from '../../shared/intake/index.js';
import { loadFixture } from '../support/fixtures.js';

const sns = mockClient(SNSClient);
const ecs = mockClient(ECSClient);
beforeEach(() => {
  sns.reset();
  ecs.reset();
});

function asAction(n: Notification): NotifyAction {
  return { type: 'notify', receiver: 'sns', group: 'sns:{}', delivery: 'new', subject: '[critical] oom: prod/web', ...n };
}

function notifyActionFor(fixture: string): NotifyAction {
  const intake = parseEvent(loadFixture(fixture));
  if (intake.type !== 'signal') throw new Error('not a signal');
  return asAction(decide(intake.signal, {}, validateConfig({}, 'test'), new Date('2026-11-20T10:05:00Z')).notifications[0]!);
}

describe('SNS notifier', () => {
  it('publishes the JSON body with filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id-1' });
    const action = notifyActionFor('events/task-stopped-oom.json');
    const result = await createSnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:t').notify(action);
    expect(result.messageId).toBe('id-1');
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:t');
    expect(JSON.parse(input.Message!)).toEqual(action.message);
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      cause: { DataType: 'String', StringValue: 'oom' },
      cluster: { DataType: 'String', StringValue: 'prod' },
      service: { DataType: 'String', StringValue: 'web' },
      kind: { DataType: 'String', StringValue: 'task-stopped' },
      status: { DataType: 'String', StringValue: 'firing' },
      delivery: { DataType: 'String', StringValue: 'new' },
    });
  });

  it('leaves the service attribute out for a standalone task (SNS rejects empty values)', async () => {
    sns.on(PublishCommand).resolves({});
    // A finished job does not notify by default; an override makes it.
    const intake = parseEvent(loadFixture('events/task-stopped-completed-job.json'));
    if (intake.type !== 'signal') throw new Error('not a signal');
    const forced = asAction(decide(intake.signal, {}, validateConfig({ notify: { causes: { completed: { notify: true } } } }, 'test'), new Date()).notifications[0]!);
    await createSnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:t').notify(forced);
    expect(Object.keys(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes!)).toEqual(['severity', 'cause', 'cluster', 'kind', 'status', 'delivery']);
  });
});

describe('SNS message size', () => {
  it('cuts long strings so that a message always fits into one SNS publish (256 KB)', () => {
    const action = notifyActionFor('events/task-stopped-oom.json');
    const huge = { ...action.message, title: 'x'.repeat(400_000), hint: 'y'.repeat(400_000) };
    const body = fitForSns(huge);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(250_000);
    expect(JSON.parse(body)).toMatchObject({ cause: 'oom', title: expect.stringMatching(/^x{2000}… \[cut\]$/) });
    expect(fitForSns(action.message)).toBe(JSON.stringify(action.message));
  });
});

describe('ECS service tag reader', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';

  it('caches tags per service for the configured time', async () => {
    ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'ecs-autopilot:notify', value: 'off' }] });
    const reader = createServiceTagReader(new ECSClient({ region: 'us-east-1' }), 60);
    const t = new Date('2026-11-20T10:00:00Z');
    expect((await reader.tagsOf(arn, t)).tags).toEqual({ 'ecs-autopilot:notify': 'off' });
    await reader.tagsOf(arn, new Date(t.getTime() + 59_000));
    expect(ecs.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
    await reader.tagsOf(arn, new Date(t.getTime() + 61_000));
    expect(ecs.commandCalls(ListTagsForResourceCommand)).toHaveLength(2);
  });

  it('turns a failure into an explanation instead of an error', async () => {
    ecs.on(ListTagsForResourceCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const result = await createServiceTagReader(new ECSClient({ region: 'us-east-1' }), 60).tagsOf(arn, new Date());
    expect(result.tags).toEqual({});
    expect(result.error).toMatch(/AccessDeniedException: User is not authorized/);
  });
});

describe('AWS client options', () => {
  it('points every client at AWS_ENDPOINT_URL when it is set, and bounds every call', () => {
    const env = readEnvironment({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
    expect(awsClientOptions(env)).toMatchObject({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000', maxAttempts: 3 });
    expect(awsClientOptions(readEnvironment({ AWS_REGION: 'eu-west-1' }))).not.toHaveProperty('endpoint');
  });
});
