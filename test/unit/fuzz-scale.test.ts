// Fuzzing the scale function's path (parseEvent -> servicesToEvaluate -> scaleServices, as its
// handler runs it) with stand-in adapters that record every write: ECS desired counts, scalable
// targets, the state store. For every input: it resolves, or parsing rejects with an IntakeError
// that names a field, and then nothing was written; only a schedule tick or an alarm a service
// names selects services, and only those are written to; the executor never throws and, with
// adapters that work, never reports an error. FUZZ_RUNS and FUZZ_SEED as fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { servicesToEvaluate } from '../../shared/decide/scaling/select-services.js';
import { type ScalerDependencies, scaleServices } from '../../shared/execute/scaling/scale-services.js';
import { IntakeError, parseEvent } from '../../shared/intake/index.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import { arbitraryEvent, describeForReport, FIXTURES, mutatedFixture } from '../support/fuzz-arbitraries.js';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 200) || 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125) || 20261125;
const params = { seed: SEED, numRuns: RUNS };

// One service scaled on a queue and re-evaluated by the fixture's alarm, one on a metric.
const config = validateConfig(
  {
    scale: {
      services: [
        { cluster: 'prod', service: 'web', max: 20, alarms: ['prod-web-cpu-high'], policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 10 }] },
        { cluster: 'prod', service: 'api', min: 0, max: 8, policies: [{ type: 'metric', metric: { namespace: 'Shop', name: 'Orders' }, targetPerTask: 50 }], scaleToZero: {} },
      ],
    },
  },
  'fuzz: scaled services',
);

/** Adapters that work and record every write, with a backlog and a metric value the property chooses. */
function recorder(backlog: number, orders: number) {
  const writes: string[] = [];
  const store = new MemoryStateStore();
  const recorded = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (['putRecord', 'appendAudit', 'claimEvent', 'acquireCooldown', 'reserveSlot'].includes(String(key))) writes.push(`store.${String(key)} ${typeof args[0] === 'string' ? args[0] : (args[0] as { target?: string }).target}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const deps: ScalerDependencies = {
    store: recorded,
    ecs: {
      describe: async (cluster, service) => ({ arn: `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${service}`, desired: 2, running: 2, tags: { 'ecs-autopilot:scale': 'on' } }),
      setDesiredCount: async (cluster, service, count) => void writes.push(`ecs ${cluster}/${service}=${count}`),
    },
    scalableTargets: { find: async () => undefined, setCapacity: async (cluster, service) => void writes.push(`scalable-target ${cluster}/${service}`) },
    readers: { backlog: { backlog: async () => backlog }, metrics: { latest: async () => orders, perMinute: async () => [{ time: new Date('2026-11-20T10:04:00Z'), value: orders }] } },
    notify: async (notice, context) => void writes.push(`notify ${notice.notice} ${context.service.cluster}/${context.service.service}`),
    recordDecision: () => undefined,
    now: () => new Date('2026-11-20T10:05:00Z'),
  };
  return { deps, writes };
}

let scaledSeen = 0;

async function check(event: unknown, backlog: number, orders: number): Promise<void> {
  const { deps, writes } = recorder(backlog, orders);
  let intake: ReturnType<typeof parseEvent>;
  try {
    intake = parseEvent(event);
  } catch (error) {
    expect(error, `${describeForReport(event)} threw ${String(error)}`).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toMatch(/[\w\]]: |expected/);
    expect(writes, 'a malformed event wrote').toEqual([]);
    return;
  }
  if (intake.type !== 'signal') return;
  const services = servicesToEvaluate(config.scale, intake.signal);
  const named = intake.signal.kind === 'scheduled-tick' ? ['prod/web', 'prod/api'] : intake.signal.kind === 'alarm-state-changed' && intake.signal.alarmName === 'prod-web-cpu-high' ? ['prod/web'] : [];
  expect(services.map((s) => `${s.cluster}/${s.service}`), describeForReport(event)).toEqual(named);
  const outcomes = await scaleServices(services, { eventId: intake.signal.eventId, region: 'us-east-1', account: '123456789012' }, deps);
  expect(outcomes.filter((o) => o.outcome === 'error'), describeForReport(event)).toEqual([]);
  scaledSeen += writes.filter((w) => w.startsWith('ecs ')).length;
  for (const write of writes) expect(named.some((service) => write.includes(service)), `${write} is not about a service the event selects`).toBe(true);
}

const load = fc.tuple(fc.oneof(fc.constant(0), fc.nat(5_000), fc.double({ min: -1e9, max: 1e12, noNaN: false })), fc.oneof(fc.constant(0), fc.nat(2_000), fc.double()));

describe(`scale fuzz (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`, () => {
  it('arbitrary values shaped like events, timer records and log subscriptions', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryEvent, load, async (event, [backlog, orders]) => check(event, backlog, orders)),
      params,
    );
  }, Math.max(60_000, RUNS * 100));

  it('mutations of the schedule\'s and the alarms\' real events', async () => {
    const fixtures = FIXTURES.filter((f) => /scheduled-event|alarm-/.test(f.name));
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    await fc.assert(
      fc.asyncProperty(mutatedFixture(undefined, fixtures), load, async ({ event }, [backlog, orders]) => check(event, backlog, orders)),
      params,
    );
    // The properties are about writes: the run must have scaled some service, or it proved nothing.
    expect(scaledSeen).toBeGreaterThan(0);
  }, Math.max(60_000, RUNS * 100));
});
