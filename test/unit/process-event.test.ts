import { describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import type { Enrichers } from '../../shared/execute/enrichers.js';
import { EventInProgressError, type PipelineDependencies, processEvent, type Timers } from '../../shared/execute/process-event.js';
import { IntakeError } from '../../shared/intake/index.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import { loadFixture, type RawEvent } from '../support/fixtures.js';

const t0 = Date.parse('2026-11-20T10:05:00Z');

function pipeline(overrides: Partial<PipelineDependencies> = {}, configInput: unknown = {}) {
  const sent: NotifyAction[] = [];
  let clock = t0;
  const deps: PipelineDependencies = {
    config: validateConfig(configInput, 'test'),
    store: new MemoryStateStore(),
    receivers: { sns: { notify: async (action) => (sent.push(action), { messageId: `m-${sent.length}` }) } },
    dryRun: false,
    now: () => new Date(clock),
    ...overrides,
  };
  return { deps, sent, advance: (seconds: number) => (clock += seconds * 1000) };
}

function enrichers(overrides: Partial<Enrichers> = {}): Enrichers {
  return {
    serviceTags: { tagsOf: async () => ({ tags: {} }) },
    logTail: async () => ({ unavailable: 'not in this test' }),
    deployment: async () => ({}),
    alarmService: async () => ({ unresolved: 'not in this test' }),
    agentStatus: async () => undefined,
    ...overrides,
  };
}

/** A copy of a fixture with a fresh id (and task id), as the next failure of the same service. */
function again(name: string, n: number): RawEvent {
  const event = loadFixture(name);
  event.id = `${event.id}-${n}`;
  const detail = event.detail as { taskArn?: string };
  if (detail.taskArn) detail.taskArn = `${detail.taskArn}${n}`;
  return event;
}

describe('processEvent', () => {
  it('acts once per event id, however often EventBridge delivers it', async () => {
    const { deps, sent } = pipeline();
    const event = loadFixture('events/task-stopped-oom.json');
    const first = await processEvent(event, deps);
    expect(first).toMatchObject({
      id: event.id,
      outcome: 'acted',
      actions: [{ type: 'notify', receiver: 'sns', delivery: 'new', cause: 'oom', result: 'sent', messageId: 'm-1', subject: '[critical] oom: prod/web' }],
    });
    expect(first.actions[0]!.group).toBe('sns:{cluster="prod",service="web",cause="oom"}');
    expect(first.actions[0]!.text).toMatch(/^\[CRITICAL\] oom {2}prod\/web/);
    const redelivered = await processEvent(structuredClone(event), deps);
    expect(redelivered.outcome).toBe('ignored');
    expect(redelivered.notes).toContain(`duplicate: event ${event.id} was already handled`);
    expect(sent).toHaveLength(1);
  });

  it('groups a burst: one new message, then at most one update per groupInterval, and a timer for the rest', async () => {
    const scheduled: unknown[] = [];
    const timers: Timers = { schedule: async (timer) => void scheduled.push(timer) };
    const { deps, sent, advance } = pipeline({ timers });
    const deliveries: string[] = [];
    for (let i = 0; i < 200; i++) {
      const outcome = await processEvent(again('events/task-stopped-oom.json', i), deps);
      deliveries.push(outcome.actions[0]!.delivery);
      advance(0.3); // 200 failures in a minute
    }
    expect(deliveries.filter((d) => d === 'new')).toHaveLength(1);
    expect(deliveries.filter((d) => d === 'update')).toHaveLength(0); // groupInterval (5 min) not yet over
    expect(sent).toHaveLength(1);
    expect(scheduled).toEqual([{ delaySeconds: 300, body: { type: 'group-flush', group: 'sns:{cluster="prod",service="web",cause="oom"}' } }]);
    // The timer fires after groupInterval: one update with the whole count.
    advance(300);
    const flush = await processEvent(
      {
        eventSource: 'aws:sqs',
        messageId: 'flush-1',
        body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(t0 + 360_000).toISOString(), timer: { type: 'group-flush', group: 'sns:{cluster="prod",service="web",cause="oom"}' } }),
      },
      deps,
    );
    expect(flush.actions.map((a) => a.delivery)).toEqual(['update']);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.message.group).toMatchObject({ count: 200 });
    expect(sent[1]!.subject).toBe('[critical] oom: prod/web (200 in group)');
  });

  it('asks for a new flush for the failures after a flushed update, so their count is posted too', async () => {
    const scheduled: unknown[] = [];
    const { deps, sent, advance } = pipeline({ timers: { schedule: async (timer) => void scheduled.push(timer) } });
    const group = 'sns:{cluster="prod",service="web",cause="oom"}';
    const flush = (id: string) => ({ eventSource: 'aws:sqs', messageId: id, body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(t0).toISOString(), timer: { type: 'group-flush', group } }) });
    await processEvent(again('events/task-stopped-oom.json', 0), deps);
    await processEvent(again('events/task-stopped-oom.json', 1), deps);
    advance(300);
    expect((await processEvent(flush('flush-a'), deps)).actions.map((a) => a.delivery)).toEqual(['update']);
    advance(10);
    scheduled.length = 0;
    await processEvent(again('events/task-stopped-oom.json', 2), deps);
    // The timer that posted the update is spent: this failure needs one of its own.
    expect(scheduled).toEqual([{ delaySeconds: 290, body: { type: 'group-flush', group } }]);
    advance(290);
    expect((await processEvent(flush('flush-b'), deps)).actions.map((a) => a.delivery)).toEqual(['update']);
    expect(sent.map((a) => a.delivery)).toEqual(['new', 'update', 'update']);
  });

  it('sends an update without a timer once groupInterval has passed since the last message', async () => {
    const { deps, sent, advance } = pipeline({ timers: { schedule: async () => undefined } });
    await processEvent(again('events/task-stopped-oom.json', 1), deps);
    advance(301);
    const later = await processEvent(again('events/task-stopped-oom.json', 2), deps);
    expect(later.actions[0]!.delivery).toBe('update');
    expect(sent.map((a) => a.delivery)).toEqual(['new', 'update']);
  });

  it('announces the recovery of a failing service once it reaches steady state, and not otherwise', async () => {
    const { deps, sent } = pipeline();
    const steady = loadFixture('events/service-action-steady-state.json');
    expect((await processEvent(steady, deps)).outcome).toBe('ignored');
    await processEvent(loadFixture('events/task-stopped-oom.json'), deps);
    const resolved = await processEvent({ ...steady, id: `${steady.id}-after` }, deps);
    expect(resolved.actions).toEqual([expect.objectContaining({ status: 'resolved', cause: 'recovered', delivery: 'new' })]);
    expect(sent.map((a) => `${a.status}:${a.cause}`)).toEqual(['firing:oom', 'resolved:recovered']);
    expect(sent[1]!.message.title).toMatch(/healthy again: steady state after 1 failure/);
    const steadyAgain = await processEvent({ ...steady, id: `${steady.id}-again` }, deps);
    expect(steadyAgain.outcome).toBe('ignored');
  });

  it('routes by the tree and silences what a silence matches, and nothing else', async () => {
    const config = {
      notify: {
        receivers: { sns: { sns: {} }, oncall: { sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' } } },
        route: {
          receiver: 'sns',
          routes: [
            { match: { severity: 'critical' }, receiver: 'oncall', continue: true },
            { match: { cause: ['oom', 'image-*'] }, receiver: 'sns' },
          ],
        },
        silences: [{ match: { service: 'web', cause: 'image-pull' }, until: '2026-12-01T00:00:00Z', comment: 'registry migration' }],
      },
    };
    const byReceiver: Record<string, string[]> = { sns: [], oncall: [] };
    const receiver = (name: string) => ({ notify: async (a: NotifyAction) => (byReceiver[name]!.push(a.cause), {}) });
    const { deps } = pipeline({ receivers: { sns: receiver('sns'), oncall: receiver('oncall') } }, config);
    await processEvent(loadFixture('events/task-stopped-oom.json'), deps);
    const silenced = await processEvent(loadFixture('events/task-stopped-image-pull.json'), deps);
    await processEvent(loadFixture('events/task-stopped-health-check-elb.json'), deps);
    // oom: critical -> oncall, and `continue` lets the next sibling send it to sns too;
    // health-check (a warning) matches no child and stays with the root's receiver.
    expect(byReceiver).toEqual({ oncall: ['oom'], sns: ['oom', 'health-check'] });
    expect(silenced.notes.join(' ')).toMatch(/silenced by notify.silences\[0\] until 2026-12-01T00:00:00Z \(registry migration\)/);
  });

  it('sends a service to the receiver its ecs-autopilot:receiver tag names, and ignores an unknown one', async () => {
    const config = { notify: { receivers: { sns: { sns: {} }, payments: { sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:payments' } } }, route: { receiver: 'sns' } } };
    const byReceiver: Record<string, string[]> = { sns: [], payments: [] };
    const receiver = (name: string) => ({ notify: async (a: NotifyAction) => (byReceiver[name]!.push(a.group), {}) });
    let tag = 'payments';
    const { deps } = pipeline(
      { receivers: { sns: receiver('sns'), payments: receiver('payments') }, enrichers: enrichers({ serviceTags: { tagsOf: async () => ({ tags: { 'ecs-autopilot:receiver': tag } }) } }) },
      config,
    );
    await processEvent(loadFixture('events/task-stopped-oom.json'), deps);
    tag = 'nobody';
    const unknown = await processEvent(loadFixture('events/task-stopped-image-pull.json'), deps);
    expect(byReceiver).toEqual({ payments: ['payments:{cluster="prod",service="web",cause="oom"}'], sns: ['sns:{cluster="prod",service="web",cause="image-pull"}'] });
    expect(unknown.notes.join(' ')).toMatch(/ecs-autopilot:receiver=nobody ignored: no such receiver/);
  });

  it('restores the group and releases the claim when sending fails, so the retry posts', async () => {
    let fail = false;
    const sent: string[] = [];
    const { deps, advance } = pipeline({
      receivers: {
        sns: {
          notify: async (action) => {
            if (fail) throw new Error('ThrottlingException');
            sent.push(action.delivery);
            return {};
          },
        },
      },
      timers: { schedule: async () => undefined },
    });
    await processEvent(again('events/task-stopped-oom.json', 0), deps);
    advance(301);
    const event = again('events/task-stopped-oom.json', 1);
    fail = true;
    await expect(processEvent(event, deps)).rejects.toThrow('ThrottlingException');
    fail = false;
    expect((await processEvent(event, deps)).actions[0]!.delivery).toBe('update');
    expect(sent).toEqual(['new', 'update']);
  });

  it('does not post again to a receiver that got the message when another receiver failed', async () => {
    const config = { notify: { receivers: { a: { sns: {} }, b: { sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:b' } } }, route: { receiver: 'a', routes: [{ match: { cluster: '*' }, receiver: 'a', continue: true }, { match: { cluster: '*' }, receiver: 'b' }] } } };
    const posts: string[] = [];
    let failB = true;
    const { deps } = pipeline(
      {
        receivers: {
          a: { notify: async () => (posts.push('a'), {}) },
          b: {
            notify: async () => {
              if (failB) throw new Error('SNS is down');
              posts.push('b');
              return {};
            },
          },
        },
      },
      config,
    );
    const event = loadFixture('events/task-stopped-oom.json');
    await expect(processEvent(event, deps)).rejects.toThrow('SNS is down');
    failB = false;
    const retry = await processEvent(event, deps);
    expect(posts).toEqual(['a', 'b']);
    // a's group kept its post: the retry finds its own decision there and skips the post made; b's
    // group was put back and posts.
    expect(retry.actions.map((a) => `${a.receiver}:${a.delivery}:${a.messageId ?? ''}`)).toEqual(['a:new:posted before', 'b:new:']);
  });

  it('posts on retry when the failed invocation could not put its group back', async () => {
    const store = new MemoryStateStore();
    let down = false;
    let failed = false;
    const posts: string[] = [];
    // The post fails, and so does the table while the invocation tries to undo its group write
    // (or Lambda stopped it before it could): the group still says the message went out.
    vi.spyOn(store, 'getRecord').mockImplementation(async function (this: MemoryStateStore, ...args) {
      if (down) throw new Error('DynamoDB is down');
      return MemoryStateStore.prototype.getRecord.apply(this, args);
    });
    const { deps } = pipeline({
      store,
      receivers: {
        sns: {
          notify: async (action) => {
            if (!failed) {
              failed = true;
              down = true;
              throw new Error('SNS is down');
            }
            posts.push(action.delivery);
            return {};
          },
        },
      },
    });
    const event = loadFixture('events/task-stopped-oom.json');
    await expect(processEvent(event, deps)).rejects.toThrow('SNS is down');
    down = false;
    // Deciding again would fold the event into its own group write: 'suppressed', never sent.
    expect((await processEvent(event, deps)).actions.map((a) => `${a.delivery}:${a.result}`)).toEqual(['new:sent']);
    expect(posts).toEqual(['new']);
  });

  it('keeps the group of a post that went out when the bookkeeping after it fails, so the next event does not post it again', async () => {
    const store = new MemoryStateStore();
    // The post claim cannot be completed, every attempt: the invocation fails after posting.
    vi.spyOn(store, 'completeEvent').mockImplementation(async function (this: MemoryStateStore, id, ...rest) {
      if (id.includes('>')) throw new Error('DynamoDB is down');
      return MemoryStateStore.prototype.completeEvent.call(this, id, ...rest);
    });
    const { deps, sent, advance } = pipeline({ store });
    await expect(processEvent(again('events/task-stopped-oom.json', 1), deps)).rejects.toThrow('DynamoDB is down');
    expect(sent).toHaveLength(1);
    advance(10);
    vi.mocked(store.completeEvent).mockRestore();
    const next = await processEvent(again('events/task-stopped-oom.json', 2), deps);
    expect(next.actions.map((a) => a.delivery)).toEqual(['suppressed']);
    expect(sent).toHaveLength(1);
  });

  it('posts the pending update on the retry of a group-flush timer whose post failed', async () => {
    let fail = false;
    const sent: string[] = [];
    const { deps, advance } = pipeline({
      receivers: {
        sns: {
          notify: async (action) => {
            if (fail) throw new Error('SNS is down');
            sent.push(action.delivery);
            return {};
          },
        },
      },
      timers: { schedule: async () => undefined },
    });
    for (let i = 0; i < 3; i++) await processEvent(again('events/task-stopped-oom.json', i), deps);
    advance(300);
    const timer = {
      eventSource: 'aws:sqs',
      messageId: 'flush-retry',
      body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(t0 + 300_000).toISOString(), timer: { type: 'group-flush', group: 'sns:{cluster="prod",service="web",cause="oom"}' } }),
    };
    fail = true;
    await expect(processEvent(timer, deps)).rejects.toThrow('SNS is down');
    fail = false;
    // The flush had marked the count as sent; the retry must not find "nothing pending".
    expect((await processEvent(timer, deps)).actions.map((a) => a.delivery)).toEqual(['update']);
    expect(sent).toEqual(['new', 'update']);
  });

  it('reads the table\'s silences once per half minute, not once per notification', async () => {
    const store = new MemoryStateStore();
    const list = vi.spyOn(store, 'listCollection');
    const { deps, advance } = pipeline({ store, timers: { schedule: async () => undefined } });
    await processEvent(again('events/task-stopped-oom.json', 1), deps);
    advance(10);
    await processEvent(again('events/task-stopped-image-pull.json', 2), deps);
    expect(list).toHaveBeenCalledTimes(1);
    advance(31);
    await processEvent(again('events/task-stopped-app-exit.json', 3), deps);
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('fails a concurrent duplicate, so Lambda retries it after the first finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { deps } = pipeline({ receivers: { sns: { notify: async () => (await gate, {}) } } });
    const event = loadFixture('events/task-stopped-oom.json');
    const first = processEvent(event, deps);
    await expect(processEvent(event, deps)).rejects.toBeInstanceOf(EventInProgressError);
    release();
    expect((await first).outcome).toBe('acted');
  });

  it('plans without sending in dry-run', async () => {
    const notify = vi.fn();
    const { deps } = pipeline({ dryRun: true, receivers: { sns: { notify } } });
    const outcome = await processEvent(loadFixture('events/task-stopped-image-pull.json'), deps);
    expect(outcome.actions).toEqual([expect.objectContaining({ type: 'notify', cause: 'image-pull', delivery: 'new', result: 'planned' })]);
    expect(notify).not.toHaveBeenCalled();
  });

  it('does not claim events it ignores, nor read tags for them', async () => {
    const store = new MemoryStateStore();
    const claim = vi.spyOn(store, 'claimEvent');
    const tagsOf = vi.fn(async () => ({ tags: {} }));
    const { deps } = pipeline({ store, enrichers: enrichers({ serviceTags: { tagsOf } }) });
    expect((await processEvent(loadFixture('events/task-running.json'), deps)).outcome).toBe('ignored');
    expect((await processEvent(loadFixture('events/task-stopped-deployment.json'), deps)).outcome).toBe('ignored');
    expect((await processEvent(loadFixture('events/task-stopped-user.json'), deps)).outcome).toBe('ignored');
    expect(claim).not.toHaveBeenCalled();
    expect(tagsOf).not.toHaveBeenCalled();
  });

  it('enriches a notification with tags and the last log lines, and goes on when they fail', async () => {
    const tagsOf = vi.fn(async () => ({ tags: {}, error: 'could not read the tags (AccessDeniedException)' }));
    const logTail = vi.fn(async () => ({ lines: ['Starting', 'java.lang.OutOfMemoryError: Java heap space'], logGroup: '/ecs/web', logStream: 'ecs/web/abc', logStreamUrl: 'https://logs' }));
    const { deps, sent } = pipeline({ enrichers: enrichers({ serviceTags: { tagsOf }, logTail }) });
    expect((await processEvent(loadFixture('events/task-stopped-oom.json'), deps)).outcome).toBe('acted');
    expect(tagsOf).toHaveBeenCalledWith('arn:aws:ecs:us-east-1:123456789012:service/prod/web', expect.any(Date));
    expect(logTail).toHaveBeenCalledWith(expect.objectContaining({ containerName: 'web', taskDefinitionArn: expect.stringContaining('task-definition/web:42') }), 20, expect.any(Date));
    expect(sent[0]!.message.warnings).toEqual(['could not read the tags (AccessDeniedException)']);
    expect(sent[0]!.message.logTail).toEqual({ lines: ['Starting', 'java.lang.OutOfMemoryError: Java heap space'], logGroup: '/ecs/web', logStream: 'ecs/web/abc' });
    expect(sent[0]!.message.links.logs).toBe('https://logs');
  });

  it('notifies a disconnected agent only when it stays disconnected past the threshold, then its reconnection', async () => {
    const scheduled: Array<{ delaySeconds: number; body: unknown }> = [];
    const { deps, sent, advance } = pipeline({ timers: { schedule: async (timer) => void scheduled.push(timer) } });
    const disconnected = loadFixture('events/container-instance-disconnected.json');
    const first = await processEvent(disconnected, deps);
    expect(first.outcome).toBe('ignored');
    expect(scheduled).toEqual([{ delaySeconds: 300, body: expect.objectContaining({ type: 'agent-check', containerInstanceArn: (disconnected.detail as { containerInstanceArn: string }).containerInstanceArn }) }]);
    advance(301);
    const check = await processEvent(
      { eventSource: 'aws:sqs', messageId: 'check-1', body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(t0 + 301_000).toISOString(), timer: scheduled[0]!.body }) },
      deps,
    );
    expect(check.actions).toEqual([expect.objectContaining({ kind: 'container-instance', cause: 'agent-disconnected', delivery: 'new', severity: 'critical' })]);
    const reconnected = structuredClone(disconnected);
    reconnected.id = `${reconnected.id}-reconnected`;
    (reconnected.detail as { agentConnected: boolean }).agentConnected = true;
    const back = await processEvent(reconnected, deps);
    expect(back.actions).toEqual([expect.objectContaining({ status: 'resolved', cause: 'agent-disconnected' })]);
    expect(sent).toHaveLength(2);
  });

  it('watches a notified disconnect through timers and ECS, and resolves it when ECS says the agent is back', async () => {
    const scheduled: Array<{ delaySeconds: number; body: unknown }> = [];
    let connected = false;
    const { deps, sent, advance } = pipeline({
      timers: { schedule: async (timer) => void scheduled.push(timer) },
      enrichers: enrichers({ agentStatus: async () => ({ agentConnected: connected, status: 'ACTIVE' }) }),
    });
    const fire = (n: number) =>
      processEvent({ eventSource: 'aws:sqs', messageId: `check-${n}`, body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: 'x', timer: scheduled.at(-1)!.body }) }, deps);
    await processEvent(loadFixture('events/container-instance-disconnected.json'), deps);
    advance(300);
    expect((await fire(1)).actions.map((a) => `${a.status}:${a.delivery}`)).toEqual(['firing:new']);
    expect(scheduled.map((t) => t.delaySeconds)).toEqual([300, 900]);
    advance(900);
    expect((await fire(2)).actions).toEqual([]);
    expect(scheduled.map((t) => t.delaySeconds)).toEqual([300, 900, 900]);
    connected = true;
    advance(900);
    expect((await fire(3)).actions.map((a) => `${a.status}:${a.delivery}`)).toEqual(['resolved:new']);
    expect(scheduled).toHaveLength(3);
    expect(sent.map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('says nothing when an agent reconnects before the threshold', async () => {
    const { deps, sent, advance } = pipeline({ timers: { schedule: async () => undefined } });
    const disconnected = loadFixture('events/container-instance-disconnected.json');
    await processEvent(disconnected, deps);
    advance(40);
    const reconnected = structuredClone(disconnected);
    reconnected.id = `${reconnected.id}-reconnected`;
    (reconnected.detail as { agentConnected: boolean }).agentConnected = true;
    expect((await processEvent(reconnected, deps)).actions).toEqual([]);
    advance(300);
    const check = await processEvent(
      { eventSource: 'aws:sqs', messageId: 'check-2', body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date().toISOString(), timer: { type: 'agent-check', containerInstanceArn: (disconnected.detail as { containerInstanceArn: string }).containerInstanceArn, cluster: 'prod' } }) },
      deps,
    );
    expect(check.actions).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('throws IntakeError naming the field for a malformed event, and ignores unknown kinds', async () => {
    const { deps } = pipeline();
    await expect(processEvent(loadFixture('malformed/task-missing-cluster-arn.json'), deps)).rejects.toThrow(IntakeError);
    const unknown = await processEvent(loadFixture('events/unknown-detail-type.json'), deps);
    expect(unknown.outcome).toBe('ignored');
    expect(unknown.notes[0]).toMatch(/no parser for source/);
  });
});
