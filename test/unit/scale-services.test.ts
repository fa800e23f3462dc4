// The scaling executor with stand-in adapters: one action per decision, optimistic history writes
// that re-decide after losing a race, and failures that say what to do.
import { describe, expect, it } from 'vitest';
import type { ScaledServiceState } from '../../shared/adapters/ecs-desired-count.js';
import type { ScaledService } from '../../shared/config/schema-scale.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { ScalingHistory } from '../../shared/decide/scaling/types.js';
import { historyKey, type ScalerDependencies, scaleServices } from '../../shared/execute/scaling/scale-services.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';

const now = new Date('2026-11-25T06:00:00Z');
const service: ScaledService = validateConfig(
  { scale: { services: [{ cluster: 'prod', service: 'worker', max: 10, policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }], scaleOut: { maxStep: 10, cooldown: '1m' } }] } },
  'test',
).scale!.services[0]!;

function stubs(backlog: number, state: ScaledServiceState, overrides: Partial<ScalerDependencies> = {}) {
  const calls: string[] = [];
  const store = new MemoryStateStore();
  const deps: ScalerDependencies = {
    store,
    ecs: {
      describe: async () => state,
      setDesiredCount: async (_c, _s, count) => {
        calls.push(`desiredCount=${count}`);
      },
    },
    scalableTargets: { find: async () => undefined, setCapacity: async () => {} },
    readers: { backlog: { backlog: async () => backlog }, metrics: { latest: async () => 0, perMinute: async () => [] } },
    notify: async (notice) => {
      calls.push(`notice ${notice.notice}`);
    },
    recordDecision: (d) => calls.push(`metric ${d.direction}/${d.bound}`),
    now: () => now,
    ...overrides,
  };
  return { deps, calls, store };
}

const event = (eventId: string) => ({ eventId, region: 'us-east-1', account: '123456789012' });
const running = (desired: number): ScaledServiceState => ({ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/worker', desired, running: desired, tags: { 'ecs-autopilot:scale': 'on' } });

describe('scaleServices', () => {
  it('acts once, records the metric and the audit record', async () => {
    const { deps, calls, store } = stubs(700, running(2));
    expect(await scaleServices([service], event('evt-1'), deps)).toMatchObject([{ outcome: 'scaled', from: 2, to: 7, via: 'desiredCount' }]);
    expect(calls).toEqual(['metric up/none', 'desiredCount=7']);
    expect(await store.listAudit(5)).toMatchObject([{ actor: 'scale', action: 'scale', target: 'prod/worker', eventIds: ['evt-1'], detail: { from: 2, to: 7 } }]);
  });

  it('a change that failed starts no cooldown: the next evaluation makes it', async () => {
    let fail = true;
    const { deps, calls, store } = stubs(700, running(2));
    const setDesiredCount = deps.ecs.setDesiredCount;
    deps.ecs.setDesiredCount = async (...args) => {
      if (fail) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return setDesiredCount(...args);
    };
    expect(await scaleServices([service], event('evt-1'), deps)).toMatchObject([{ outcome: 'error', reason: expect.stringContaining('2 -> 7 failed (ThrottlingException') }]);
    expect((await store.getRecord<ScalingHistory>(historyKey('prod', 'worker'), now))?.value.lastScaleOutAt).toBeUndefined();
    // 20 s later, inside the 1 min scale-out cooldown: no cooldown holds it, since nothing scaled.
    fail = false;
    deps.now = () => new Date(now.getTime() + 20_000);
    expect(await scaleServices([service], event('evt-2'), deps)).toMatchObject([{ outcome: 'scaled', from: 2, to: 7 }]);
    expect(calls.filter((c) => c.startsWith('desiredCount'))).toEqual(['desiredCount=7']);
  });

  it('re-decides on the history another invocation wrote first', async () => {
    const { deps, calls, store } = stubs(700, running(2));
    // Another invocation scaled out a moment ago, and its write lands between our read and write.
    let raced = false;
    const realGet = store.getRecord.bind(store);
    store.getRecord = async <T>(key: string, at: Date) => {
      const record = await realGet<T>(key, at);
      if (!raced) {
        raced = true;
        await store.putRecord<ScalingHistory>(historyKey('prod', 'worker'), { recommendations: [], lastScaleOutAt: now.getTime() / 1000 - 10 }, undefined, at, 3600);
      }
      return record;
    };
    expect(await scaleServices([service], event('evt-2'), deps)).toMatchObject([{ outcome: 'held' }]);
    expect(calls).toEqual(['metric hold/cooldown']);
  });

  it('says to tag the service when UpdateService is denied, and goes on with the other services', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:UpdateService'), { name: 'AccessDeniedException' });
    const { deps } = stubs(700, running(2), {});
    deps.ecs.setDesiredCount = async () => {
      throw denied;
    };
    const other = { ...service, service: 'other' };
    const outcomes = await scaleServices([service, other], event('evt-3'), deps);
    expect(outcomes[0]).toMatchObject({ outcome: 'error' });
    expect(outcomes[0]!.reason).toContain('tagged ecs-autopilot:scale=on');
    expect(outcomes).toHaveLength(2);
  });

  it('sends the missing-data notice once the queue has been unreadable for notifyAfter; a failed notice never holds back the scaling, and is sent by the next evaluation', async () => {
    const blind = validateConfig({ scale: { services: [{ cluster: 'prod', service: 'worker', max: 10, policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }], missingData: { fallbackCount: 4, notifyAfter: '10m' } }] } }, 'test').scale!.services[0]!;
    let at = now;
    const state = running(2);
    const { deps, calls } = stubs(0, state, { now: () => at });
    deps.readers.backlog.backlog = async () => {
      throw Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' });
    };
    let noticeFails = true;
    deps.notify = async (notice) => {
      calls.push(`notice ${notice.notice}`);
      if (noticeFails) throw new Error('the announcement did not reach sns: Throttled');
    };
    expect(await scaleServices([blind], event('evt-5'), deps)).toMatchObject([{ outcome: 'scaled', from: 2, to: 4 }]);
    Object.assign(state, running(4));
    at = new Date(now.getTime() + 10 * 60_000);
    const [late] = await scaleServices([blind], event('evt-6'), deps);
    expect(late).toMatchObject({ outcome: 'held', count: 4, noticeFailures: ['missing-data notice: the announcement did not reach sns: Throttled'] });
    expect(calls.filter((c) => c.startsWith('notice'))).toEqual(['notice missing-data']);
    // The notice that failed is sent by the next evaluation, and then not again in this episode.
    noticeFails = false;
    for (const minute of [11, 12]) {
      at = new Date(now.getTime() + minute * 60_000);
      expect(await scaleServices([blind], event(`evt-${minute}`), deps)).toMatchObject([{ outcome: 'held', count: 4 }]);
    }
    expect(calls.filter((c) => c.startsWith('notice'))).toEqual(['notice missing-data', 'notice missing-data']);
  });

  it('refuses a service opted in to remediation only: ecs-autopilot:remediate=on is not ecs-autopilot:scale=on', async () => {
    const { deps, calls } = stubs(700, { ...running(2), tags: { 'ecs-autopilot:remediate': 'on' } });
    const [outcome] = await scaleServices([service], event('evt-7'), deps);
    expect(outcome).toMatchObject({ outcome: 'refused' });
    expect(outcome!.reason).toContain('tag the service ecs-autopilot:scale=on');
    expect(calls).toEqual([]);
  });

  it('reports a service that does not exist', async () => {
    const { deps } = stubs(0, running(1), { ecs: { describe: async () => undefined, setDesiredCount: async () => {} } });
    expect(await scaleServices([service], event('evt-4'), deps)).toMatchObject([{ outcome: 'not-found', reason: 'service worker not found in cluster prod' }]);
  });
});
