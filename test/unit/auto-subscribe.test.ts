// ship.autoSubscribe's decisions (which groups, what to do with each), its intake (CloudTrail
// CreateLogGroup, CloudFormation requests), its answers to CloudFormation, and how the executor
// behaves when calls fail or time runs out, against an in-memory CloudWatch Logs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogSubscriptions } from '../../shared/adapters/log-subscriptions.js';
import { answerStackRequest, stackAnswerBody } from '../../shared/adapters/stack-response.js';
import { validateConfig } from '../../shared/config/validate.js';
import { type ExistingFilter, notAutoSubscribed, type OwnSubscription, planSubscription } from '../../shared/decide/logs/subscriptions.js';
import { handleStackRequest, onSubscriberSignal, type SubscribeDependencies } from '../../shared/execute/subscribe/log-group-subscriptions.js';
import { IntakeError, parseEvent } from '../../shared/intake/index.js';
import type { Signal, StackRequest } from '../../shared/intake/signals.js';
import createLogGroupEvent from '../fixtures/events/cloudtrail-create-log-group.json' with { type: 'json' };

const own: OwnSubscription = { filterName: 'ecs-autopilot-prod-ship', destinationArn: 'arn:aws:lambda:us-east-1:123456789012:function:ecs-autopilot-prod-ship', filterPattern: '' };
const policy = { prefixes: ['/ecs/'], listed: ['/ecs/listed'], ownLogGroupPrefix: '/aws/lambda/ecs-autopilot-prod-' };

const filterArb: fc.Arbitrary<ExistingFilter> = fc.record({
  filterName: fc.oneof(fc.constant(own.filterName), fc.constantFrom('datadog', 'splunk', 'by-hand'), fc.string({ minLength: 1, maxLength: 8 })),
  destinationArn: fc.oneof(fc.constant(own.destinationArn), fc.constant('arn:aws:firehose:us-east-1:123456789012:deliverystream/other')),
  filterPattern: fc.constantFrom('', '[level=ERROR]'),
});
const filtersArb = fc.uniqueArray(filterArb, { maxLength: 2, selector: (f) => f.filterName });

describe('planSubscription', () => {
  it('never adds a filter that would ship twice, never replaces someone else\'s, and never exceeds two filters', () => {
    fc.assert(
      fc.property(filtersArb, (existing) => {
        const step = planSubscription('/ecs/api', existing, own);
        const ours = existing.find((f) => f.filterName === own.filterName);
        const shipping = existing.some((f) => f.destinationArn === own.destinationArn);
        if (step.action === 'subscribe') {
          expect(ours).toBeUndefined();
          expect(shipping).toBe(false);
          expect(existing.length).toBeLessThan(2);
        }
        if (step.action === 'update') expect(ours).toBeDefined();
        if (ours && ours.destinationArn === own.destinationArn && ours.filterPattern === own.filterPattern) expect(step.action).toBe('keep');
        if (!ours && existing.length === 2 && !shipping) expect(step).toMatchObject({ action: 'skip', needsAction: true, reason: expect.stringContaining(existing.map((f) => f.filterName).join(', ')) });
      }),
      { numRuns: 300 },
    );
  });

  it('updates its own filter when the pattern changed, and subscribes a group with one other filter', () => {
    expect(planSubscription('/ecs/a', [{ ...own, filterPattern: '[level=ERROR]' }], own).action).toBe('update');
    expect(planSubscription('/ecs/a', [{ filterName: 'datadog', destinationArn: 'arn:aws:lambda:us-east-1:1:function:dd' }], own).action).toBe('subscribe');
  });
});

describe('notAutoSubscribed', () => {
  it("never admits the stack's own function logs, whatever the prefixes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.array(fc.constantFrom('/', '/aws/', '/aws/lambda/', '/aws/lambda/ecs-autopilot-prod-'), { minLength: 1 }), (suffix, prefixes) => {
        expect(notAutoSubscribed(`/aws/lambda/ecs-autopilot-prod-${suffix}`, { ...policy, prefixes })).toMatch(/own function logs/);
      }),
    );
  });

  it('admits a group under a prefix, and names why it leaves listed and other groups', () => {
    expect(notAutoSubscribed('/ecs/checkout', policy)).toBeUndefined();
    expect(notAutoSubscribed('/ecs/listed', policy)).toMatch(/ship\.logGroups/);
    expect(notAutoSubscribed('/other/x', policy)).toMatch(/no ship\.autoSubscribe prefix/);
  });
});

describe('configuration', () => {
  it('refuses autoSubscribe prefixes without destinations, naming the path', () => {
    expect(() => validateConfig({ ship: { autoSubscribe: { prefixes: ['/ecs/'] } } }, 'autopilot.yml')).toThrow(/ship\.autoSubscribe\.prefixes.*needs ship\.destinations/);
    expect(() => validateConfig({ ship: { autoSubscribe: { prefixes: ['/ecs/ bad'] } } }, 'autopilot.yml')).toThrow(/log group name prefix/);
    expect(validateConfig({}, 'x').ship.autoSubscribe).toEqual({ prefixes: [], everyMinutes: 60 });
  });
});

describe('intake', () => {
  it('reads a real CloudTrail CreateLogGroup event, with the fields AWS adds', () => {
    const intake = parseEvent(createLogGroupEvent);
    expect(intake).toMatchObject({ type: 'signal', signal: { kind: 'logs-api-call', eventName: 'CreateLogGroup', logGroup: '/ecs/checkout', account: '123456789012' } });
    expect((intake as { signal: Signal }).signal).not.toHaveProperty('errorCode');
  });

  it('accepts a Logs call without parameters, and refuses one without an event name', () => {
    const other = { ...createLogGroupEvent, detail: { ...createLogGroupEvent.detail, eventName: 'DescribeLogGroups', requestParameters: null } };
    expect(parseEvent(other)).toMatchObject({ signal: { kind: 'logs-api-call', eventName: 'DescribeLogGroups' } });
    const { eventName: _, ...detail } = createLogGroupEvent.detail;
    expect(() => parseEvent({ ...createLogGroupEvent, detail })).toThrow(IntakeError);
  });

  it('reads a CloudFormation request, and refuses one without the fields its answer needs', () => {
    const request = { RequestType: 'Delete', ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?sig=1', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1', RequestId: 'r1', LogicalResourceId: 'LogSubscriptions', PhysicalResourceId: 'p1', ResourceType: 'Custom::LogSubscriptions', ResourceProperties: { Prefixes: ['/ecs/'] } };
    expect(parseEvent(request)).toMatchObject({ signal: { kind: 'stack-request', requestType: 'Delete', physicalResourceId: 'p1', properties: { Prefixes: ['/ecs/'] } } });
    const { StackId: _, ...withoutStack } = request;
    expect(() => parseEvent(withoutStack)).toThrow(/StackId/);
  });
});

/** CloudWatch Logs in memory: groups and their filters; `failOn` makes calls on a group throw. */
function memoryLogs(groups: Record<string, ExistingFilter[]>, failOn: { list?: Error; put?: string } = {}): LogSubscriptions & { groups: typeof groups } {
  return {
    groups,
    async *logGroups(prefix) {
      if (failOn.list) throw failOn.list;
      for (const name of Object.keys(groups).sort()) if (name.startsWith(prefix)) yield name;
    },
    async filtersOf(logGroup) {
      return groups[logGroup] ? [...groups[logGroup]!] : undefined;
    },
    async put(logGroup, subscription) {
      if (logGroup === failOn.put) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      groups[logGroup] = [...groups[logGroup]!.filter((f) => f.filterName !== subscription.filterName), { ...subscription }];
    },
    async remove(logGroup, filterName) {
      groups[logGroup] = (groups[logGroup] ?? []).filter((f) => f.filterName !== filterName);
    },
  };
}

const depsWith = (subscriptions: LogSubscriptions, remainingMs = () => 60_000): SubscribeDependencies => ({ subscriptions, own, policy, remainingMs });

const request = (requestType: string, properties: Record<string, unknown> = { Prefixes: ['/ecs/'] }): StackRequest => ({
  kind: 'stack-request',
  eventId: 'r1',
  detailType: 'CloudFormation custom resource request',
  time: '2026-12-03T00:00:00Z',
  requestType,
  responseUrl: 'https://example.invalid/presigned',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ecs-autopilot-prod/1',
  requestId: 'r1',
  logicalResourceId: 'LogSubscriptions',
  properties,
});

describe('handleStackRequest', () => {
  it('fails a create whose sweep cannot run, with the reason, but lets a delete succeed so sls remove never hangs', async () => {
    const denied = memoryLogs({}, { list: Object.assign(new Error('not authorized to perform logs:DescribeLogGroups'), { name: 'AccessDeniedException' }) });
    expect((await handleStackRequest(request('Create'), depsWith(denied))).answer).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('AccessDeniedException: not authorized') });
    expect((await handleStackRequest(request('Delete'), depsWith(denied))).answer).toMatchObject({ status: 'SUCCESS', reason: expect.stringContaining('AccessDeniedException') });
  });

  it('answers an unknown request type without touching anything', async () => {
    const logs = memoryLogs({ '/ecs/a': [] });
    expect((await handleStackRequest(request('Import'), depsWith(logs))).answer).toMatchObject({ status: 'SUCCESS', reason: 'request type Import: nothing to do' });
    expect(logs.groups['/ecs/a']).toEqual([]);
  });

  it('stops before the time CloudFormation needs for its answer, and says the next sweep goes on', async () => {
    let calls = 0;
    const logs = memoryLogs({ '/ecs/a': [], '/ecs/b': [], '/ecs/c': [] });
    const outcome = await handleStackRequest(request('Create'), depsWith(logs, () => (calls++ < 2 ? 60_000 : 10_000)));
    expect(outcome.answer.reason).toMatch(/subscribed 2, .* out of time after 2 log groups; the next sweep goes on/);
    expect(logs.groups['/ecs/c']).toEqual([]);
  });

  it('on delete, names the groups it could not clean up with the command that does it', async () => {
    const logs = memoryLogs({ '/ecs/a': [{ ...own }] });
    logs.remove = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const { answer } = await handleStackRequest(request('Delete'), depsWith(logs));
    expect(answer.status).toBe('SUCCESS');
    expect(answer.reason).toContain('could not remove /ecs/a (ThrottlingException: Rate exceeded): aws logs delete-subscription-filter --log-group-name GROUP --filter-name ecs-autopilot-prod-ship');
  });
});

describe('onSubscriberSignal', () => {
  it('subscribes every other group, then fails the sweep naming the group that failed', async () => {
    const logs = memoryLogs({ '/ecs/a': [], '/ecs/b': [] }, { put: '/ecs/a' });
    const tick = { kind: 'scheduled-tick', eventId: 't', detailType: 'Scheduled Event', time: '', region: 'us-east-1', account: '1' } as Signal;
    await expect(onSubscriberSignal(tick, depsWith(logs), async () => {})).rejects.toThrow(/could not subscribe \/ecs\/a: ThrottlingException: Rate exceeded \(subscribed 1,/);
    expect(logs.groups['/ecs/b']).toEqual([own]);
  });
});

describe('answerStackRequest', () => {
  const answer = { status: 'SUCCESS' as const, reason: 'x'.repeat(5000), physicalResourceId: 'p' };

  it('sends the fields CloudFormation reads, the reason cut to fit its 4 KB limit', () => {
    const body = JSON.parse(stackAnswerBody(request('Create'), answer)) as Record<string, string>;
    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: request('Create').stackId, RequestId: 'r1', LogicalResourceId: 'LogSubscriptions' });
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(4096);
  });

  it('retries a 5xx answer, and gives up at once on a 4xx (an expired URL) with the status', async () => {
    const statuses = [503, 500, 200];
    const seen: Array<{ method?: string; headers?: unknown }> = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      seen.push({ method: init.method, headers: init.headers });
      return new Response(null, { status: statuses.shift()! });
    }) as unknown as typeof globalThis.fetch;
    await answerStackRequest(request('Create'), answer, { fetch, sleep: async () => {} });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ method: 'PUT', headers: { 'content-type': '' } });
    let calls = 0;
    const forbidden = (async () => {
      calls += 1;
      return new Response(null, { status: 403 });
    }) as unknown as typeof globalThis.fetch;
    await expect(answerStackRequest(request('Delete'), answer, { fetch: forbidden, sleep: async () => {} })).rejects.toThrow(/could not answer CloudFormation \(Delete of LogSubscriptions\): CloudFormation response URL answered 403/);
    expect(calls).toBe(1);
  });
});
