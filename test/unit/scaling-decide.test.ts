// The scaling decision: each rule on its own, and properties over arbitrary policies, readings
// and histories (bounds always hold, scale-in never exceeds its step, missing data never scales in).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScaledService } from '../../shared/config/schema-scale.js';
import { validateConfig } from '../../shared/config/validate.js';
import { parseCron, windowOpen } from '../../shared/decide/scaling/cron.js';
import { decideScale } from '../../shared/decide/scaling/decide-scale.js';
import { EMPTY_HISTORY, type PolicyReading, type ScalingHistory } from '../../shared/decide/scaling/types.js';

function service(overrides: Record<string, unknown> = {}): ScaledService {
  const config = validateConfig(
    { scale: { services: [{ cluster: 'prod', service: 'worker', max: 20, policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }], ...overrides }] } },
    'test',
  );
  return config.scale!.services[0]!;
}

const at = (iso: string) => new Date(iso);
const backlog = (value: number): PolicyReading => ({ value });
const unreadable: PolicyReading = { error: 'AccessDenied: not allowed' };
const T0 = at('2026-11-23T12:00:00Z');
const minutesAfter = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Runs decisions minute by minute, carrying desired count and history, as the scaler does. */
function run(svc: ScaledService, start: number, readings: PolicyReading[][]) {
  let desired = start;
  let history: ScalingHistory = EMPTY_HISTORY;
  return readings.map((r, minute) => {
    const decision = decideScale(svc, { desired, running: desired, readings: r }, history, minutesAfter(minute));
    desired = decision.desired;
    history = decision.history;
    return decision;
  });
}

describe('decideScale', () => {
  it('asks ceil(backlog / targetPerTask), scaling out at most the step per decision', () => {
    const d = decideScale(service(), { desired: 2, running: 2, readings: [backlog(1000)] }, EMPTY_HISTORY, T0);
    expect(d.recommended).toBe(10);
    expect(d.desired).toBe(4);
    expect(d.bound).toBe('step');
    expect(d.reason).toContain('sqs-backlog jobs asks 10');
    expect(d.policies[0]!.explanation).toBe('sqs-backlog jobs: 1000 messages / 100 per task = 10');
  });

  it('holds at max and says so; notifies once when demand stays above max for notifyAtMaxAfter', () => {
    const svc = service({ max: 3, scaleOut: { maxStep: 10 } });
    const decisions = run(svc, 3, Array.from({ length: 20 }, (_, i) => [backlog(1000 + i * 100)]));
    expect(decisions.every((d) => d.desired === 3 && d.bound === 'max')).toBe(true);
    expect(decisions.map((d, i) => (d.notifyAtMax ? i : -1)).filter((i) => i >= 0)).toEqual([15]);
  });

  it('scales in slowly: the highest recommendation of the scale-in window, then the step', () => {
    const svc = service({ scaleIn: { stabilizationWindow: '5m', cooldown: 0, maxStep: 1 } });
    const decisions = run(svc, 8, [[backlog(800)], ...Array.from({ length: 8 }, () => [backlog(100)])]);
    expect(decisions.map((d) => d.desired)).toEqual([8, 8, 8, 8, 8, 7, 6, 5, 4]);
    expect(decisions[2]!.bound).toBe('stabilization');
    expect(decisions[6]!.bound).toBe('step');
  });

  it('waits out cooldowns: no scale-out soon after a scale-out, no scale-in soon after any action', () => {
    const svc = service({ scaleOut: { cooldown: '3m', maxStep: 1 }, scaleIn: { stabilizationWindow: 0, cooldown: '2m' } });
    const decisions = run(svc, 1, [[backlog(500)], [backlog(500)], [backlog(500)], [backlog(500)], [backlog(0)], [backlog(0)], [backlog(0)]]);
    expect(decisions.map((d) => d.desired)).toEqual([2, 2, 2, 3, 3, 2, 2]);
    expect(decisions[1]!.bound).toBe('cooldown');
    expect(decisions[4]!.steps.join()).toContain('scale-in cooldown');
  });

  it('keeps the count when the metric cannot be read, or raises it to the fallback; never scales to zero on missing data', () => {
    const keep = decideScale(service({ min: 0 }), { desired: 5, running: 5, readings: [unreadable] }, EMPTY_HISTORY, T0);
    expect(keep.desired).toBe(5);
    expect(keep.bound).toBe('missing-data');
    expect(keep.reason).toContain('unreadable');
    const fallback = decideScale(service({ missingData: { fallbackCount: 7 } }), { desired: 5, running: 5, readings: [unreadable] }, EMPTY_HISTORY, T0);
    expect(fallback.desired).toBe(7);
    const asleep = decideScale(service({ scaleToZero: {} }), { desired: 0, running: 0, readings: [unreadable] }, EMPTY_HISTORY, T0);
    expect(asleep.desired).toBe(0);
  });

  it('with one policy unreadable, still scales out on the readable one, but never in', () => {
    const svc = service({ policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }, { type: 'metric', metric: { namespace: 'Shop', name: 'Orders' }, targetPerTask: 50 }], scaleIn: { stabilizationWindow: 0, cooldown: 0 } });
    expect(decideScale(svc, { desired: 2, running: 2, readings: [backlog(1000), unreadable] }, EMPTY_HISTORY, T0)).toMatchObject({ desired: 4, direction: 'up' });
    const held = decideScale(svc, { desired: 5, running: 5, readings: [backlog(0), unreadable] }, EMPTY_HISTORY, T0);
    expect(held).toMatchObject({ desired: 5, direction: 'hold', bound: 'missing-data' });
    expect(held.reason).toContain('metric Shop Orders unreadable: at least 5 (the current count)');
  });

  it('notifies once when a load policy stays unreadable for missingData.notifyAfter, and again in a new episode', () => {
    const svc = service({ missingData: { notifyAfter: '15m' } });
    const readings = [...Array.from({ length: 17 }, () => [unreadable]), [backlog(500)], ...Array.from({ length: 16 }, () => [unreadable])];
    const decisions = run(svc, 5, readings);
    expect(decisions.map((d, i) => (d.notifyMissingData ? i : -1)).filter((i) => i >= 0)).toEqual([15, 33]);
    expect(decisions[15]!.notifyMissingData).toEqual({ sinceSeconds: 900, policies: ['sqs-backlog jobs'], errors: ['AccessDenied: not allowed'] });
    expect(decisions.every((d) => d.desired >= 5)).toBe(true);
  });

  it('freezes the count when paused in the configuration or by the service tag', () => {
    expect(decideScale(service({ paused: true }), { desired: 4, running: 4, readings: [backlog(5000)] }, EMPTY_HISTORY, T0)).toMatchObject({ desired: 4, bound: 'pause' });
    expect(decideScale(service(), { desired: 4, running: 4, readings: [backlog(0)], pausedByTag: true }, EMPTY_HISTORY, T0)).toMatchObject({ desired: 4, bound: 'pause', direction: 'hold' });
  });

  it('goes to zero after idleFor with an empty queue, and wakes to activationCount on the first message', () => {
    const svc = service({ scaleToZero: { idleFor: '10m', activationCount: 2 }, scaleIn: { stabilizationWindow: 0, cooldown: 0 } });
    const decisions = run(svc, 1, [...Array.from({ length: 12 }, () => [backlog(0)]), [backlog(1)]]);
    expect(decisions.slice(0, 10).every((d) => d.desired === 1)).toBe(true);
    expect(decisions[10]!.desired).toBe(0);
    expect(decisions[10]!.bound).toBe('scale-to-zero');
    expect(decisions[11]!.desired).toBe(0);
    expect(decisions[12]).toMatchObject({ desired: 2, bound: 'scale-to-zero', direction: 'up' });
  });

  it('counts idleFor as the scale-in window of going to zero (not idleFor plus the window)', () => {
    const svc = service({ scaleToZero: { idleFor: '10m' }, scaleIn: { stabilizationWindow: '5m', cooldown: 0 } });
    const decisions = run(svc, 1, Array.from({ length: 12 }, () => [backlog(0)]));
    expect(decisions.findIndex((d) => d.desired === 0)).toBe(10);
  });

  it('applies an open schedule window in its time zone: min raised during Berlin business hours only', () => {
    const svc = service({ policies: [{ type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 }, { type: 'schedule', cron: '0 8 * * MON-FRI', duration: '10h', timezone: 'Europe/Berlin', min: 4 }], scaleOut: { maxStep: 10 } });
    // Monday 2026-11-23: 07:30 UTC is 08:30 in Berlin (UTC+1), 06:30 UTC is 07:30.
    expect(decideScale(svc, { desired: 1, running: 1, readings: [backlog(0), undefined] }, EMPTY_HISTORY, at('2026-11-23T07:30:00Z'))).toMatchObject({ desired: 4, bound: 'schedule', floor: 4 });
    expect(decideScale(svc, { desired: 1, running: 1, readings: [backlog(0), undefined] }, EMPTY_HISTORY, at('2026-11-23T06:30:00Z'))).toMatchObject({ desired: 1, floor: 1 });
    // Saturday: closed.
    expect(decideScale(svc, { desired: 1, running: 1, readings: [backlog(0), undefined] }, EMPTY_HISTORY, at('2026-11-28T09:00:00Z')).floor).toBe(1);
  });

  it('takes the highest count of several policies (KEDA), a metric policy included', () => {
    const svc = service({
      policies: [
        { type: 'sqs-backlog', queue: 'jobs', targetPerTask: 100 },
        { type: 'metric', metric: { namespace: 'Shop', name: 'Orders' }, targetPerTask: 50 },
      ],
      scaleOut: { maxStep: 20 },
    });
    const d = decideScale(svc, { desired: 1, running: 1, readings: [backlog(300), { value: 600 }] }, EMPTY_HISTORY, T0);
    expect(d.desired).toBe(12);
    expect(d.reason).toContain('metric Shop Orders asks 12');
  });

  it('ignores a demand within the tolerance of the current count', () => {
    expect(decideScale(service(), { desired: 10, running: 10, readings: [backlog(1050)] }, EMPTY_HISTORY, T0)).toMatchObject({ desired: 10, bound: 'tolerance' });
    expect(decideScale(service(), { desired: 10, running: 10, readings: [backlog(1200)] }, EMPTY_HISTORY, T0).desired).toBe(12);
  });
});

// The properties below check each decision against what the configuration says, worked out here
// from the arbitrary's own values (not from the decision's floor, ceiling or maxStep()).
const stepArb = fc.oneof(fc.record({ tasks: fc.integer({ min: 1, max: 10 }) }), fc.record({ percent: fc.integer({ min: 1, max: 200 }) }));
type Step = { tasks: number } | { percent: number };
/** The schedule window of the arbitrary services: open for SCHEDULE_OPEN_MINUTES from every SCHEDULE_EVERY-th minute of the hour (UTC). */
const SCHEDULE_EVERY = 7;
const SCHEDULE_OPEN_MINUTES = 3;

interface Configured {
  min: number;
  max: number;
  downStep: Step;
  toZero: boolean;
  schedule?: { min: number; max: number } | undefined;
}

const configuredArb = fc
  .record({
    min: fc.integer({ min: 0, max: 10 }),
    extra: fc.integer({ min: 0, max: 20 }),
    upStep: stepArb,
    downStep: stepArb,
    upWindow: fc.integer({ min: 0, max: 600 }),
    downWindow: fc.integer({ min: 0, max: 900 }),
    cooldown: fc.integer({ min: 0, max: 600 }),
    fallback: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    toZero: fc.boolean(),
    schedule: fc.option(fc.record({ min: fc.integer({ min: 0, max: 15 }), max: fc.integer({ min: 0, max: 40 }) }), { nil: undefined }),
  })
  .map((a) => {
    const asStep = (step: Step) => ('tasks' in step ? step.tasks : `${step.percent}%`);
    const svc = service({
      min: a.min,
      max: a.min + a.extra,
      scaleOut: { stabilizationWindow: a.upWindow, cooldown: a.cooldown, maxStep: asStep(a.upStep) },
      scaleIn: { stabilizationWindow: a.downWindow, cooldown: a.cooldown, maxStep: asStep(a.downStep) },
      ...(a.fallback !== undefined ? { missingData: { fallbackCount: a.fallback } } : {}),
      ...(a.toZero ? { scaleToZero: { idleFor: 120 } } : {}),
      policies: [
        { type: 'sqs-backlog', queue: 'jobs', targetPerTask: 50 },
        { type: 'metric', metric: { namespace: 'N', name: 'M' }, targetPerTask: 10 },
        ...(a.schedule ? [{ type: 'schedule', cron: `*/${SCHEDULE_EVERY} * * * *`, duration: `${SCHEDULE_OPEN_MINUTES}m`, ...a.schedule }] : []),
      ],
    });
    const configured: Configured = { min: a.min, max: a.min + a.extra, downStep: a.downStep, toZero: a.toZero, schedule: a.schedule };
    return { svc, configured };
  });

/** The bounds the configuration sets at `now`: the ceiling, and the lowest floor it allows. */
function configuredBounds(c: Configured, now: Date): { lowest: number; ceiling: number } {
  const minute = now.getUTCMinutes();
  const open = c.schedule !== undefined && Array.from({ length: SCHEDULE_OPEN_MINUTES }, (_, back) => (minute - back + 60) % 60).some((m) => m % SCHEDULE_EVERY === 0);
  const ceiling = open ? Math.min(c.max, c.schedule!.max) : c.max;
  // Scale to zero may take the count under min, never under an open window's min.
  const lowest = Math.max(c.toZero ? 0 : c.min, open ? c.schedule!.min : 0);
  return { lowest: Math.min(lowest, ceiling), ceiling };
}

/** Most tasks one scale-in may remove, as the configuration words it: a count, or a percentage of the current count (at least 1). */
const configuredScaleInStep = (step: Step, current: number) => ('tasks' in step ? step.tasks : Math.max(1, Math.ceil((current * step.percent) / 100)));

// Mostly readable (with values that often fall to 0, so scale-ins happen), sometimes not.
const readingArb = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 })).map((value): PolicyReading => ({ value })) },
  { weight: 1, arbitrary: fc.constant(unreadable) },
);
/** A sequence of minutes, each with readings for both load policies and the gap before it. */
const minutesArb = fc.array(fc.tuple(readingArb, readingArb, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 30 });

/** Runs a sequence and checks `check` on every decision, with the minute's readings and time. */
function everyDecision(svc: ScaledService, start: number, minutes: Array<[PolicyReading, PolicyReading, number]>, check: (d: ReturnType<typeof decideScale>, now: Date, readings: PolicyReading[]) => void) {
  let desired = start;
  let history: ScalingHistory = EMPTY_HISTORY;
  let now = T0.getTime();
  for (const [a, b, gap] of minutes) {
    now += gap * 60_000;
    const d = decideScale(svc, { desired, running: desired, readings: [a, b, undefined] }, history, new Date(now));
    check(d, new Date(now), [a, b]);
    desired = d.desired;
    history = d.history;
  }
}

describe('decideScale properties', () => {
  it('always decides a count within the configured min and max and the open schedule window', () => {
    fc.assert(
      fc.property(configuredArb, fc.integer({ min: 0, max: 60 }), minutesArb, ({ svc, configured }, start, minutes) => {
        everyDecision(svc, start, minutes, (d, now) => {
          const { lowest, ceiling } = configuredBounds(configured, now);
          expect(d.desired).toBeLessThanOrEqual(ceiling);
          expect(d.desired).toBeGreaterThanOrEqual(lowest);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never scales in by more than the configured step (from a count within the configured ceiling)', () => {
    fc.assert(
      fc.property(configuredArb, fc.integer({ min: 0, max: 60 }), minutesArb, ({ svc, configured }, start, minutes) => {
        everyDecision(svc, start, minutes, (d, now) => {
          // Above the ceiling (a window closed, max lowered) the bound applies at once, whatever the step.
          if (d.current <= configuredBounds(configured, now).ceiling) expect(d.current - d.desired).toBeLessThanOrEqual(configuredScaleInStep(configured.downStep, d.current));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never scales in while any load policy is unreadable, whatever the readable ones ask (only a lowered ceiling brings it down)', () => {
    // Some minutes have one policy unreadable and the other readable (at any value), some both.
    const partlyMissing = fc.array(
      fc.tuple(fc.constantFrom<Array<'a' | 'b'>>(['a'], ['b'], ['a', 'b']), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 5 })).map(([missing, value, gap]): [PolicyReading, PolicyReading, number] => [
        missing.includes('a') ? unreadable : { value },
        missing.includes('b') ? unreadable : { value },
        gap,
      ]),
      { minLength: 1, maxLength: 20 },
    );
    fc.assert(
      fc.property(configuredArb, fc.integer({ min: 1, max: 60 }), fc.array(fc.oneof(partlyMissing, minutesArb), { minLength: 1, maxLength: 3 }), ({ svc, configured }, start, runs) => {
        everyDecision(svc, start, runs.flat(), (d, now, readings) => {
          if (!readings.some((r) => 'error' in r)) return;
          const { ceiling } = configuredBounds(configured, now);
          expect(d.desired).toBeGreaterThanOrEqual(Math.min(d.current, ceiling));
          if (d.current > 0 && ceiling > 0) expect(d.desired).toBeGreaterThan(0);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('cron windows', () => {
  it('names the field at fault', () => {
    expect(() => parseCron('0 25 * * *')).toThrow(/hour '25'/);
    expect(() => parseCron('0 8 * *')).toThrow(/5 fields/);
    expect(() => parseCron('0 8 * * FUNDAY')).toThrow(/day-of-week/);
  });

  it('reads day of month or day of week when both are restricted, and 7 as Sunday', () => {
    const cron = parseCron('0 0 1 * 7');
    expect(windowOpen(cron, 'UTC', 60, at('2026-12-01T00:00:30Z'))).toBe(true); // the 1st, a Tuesday
    expect(windowOpen(cron, 'UTC', 60, at('2026-11-29T00:00:30Z'))).toBe(true); // a Sunday
    expect(windowOpen(cron, 'UTC', 60, at('2026-11-30T00:00:30Z'))).toBe(false);
  });

  it('follows the time zone across daylight saving: 08:00 in New York is 13:00 UTC in winter, 12:00 in summer', () => {
    const cron = parseCron('0 8 * * *');
    expect(windowOpen(cron, 'America/New_York', 3600, at('2026-01-15T13:10:00Z'))).toBe(true);
    expect(windowOpen(cron, 'America/New_York', 3600, at('2026-01-15T12:10:00Z'))).toBe(false);
    expect(windowOpen(cron, 'America/New_York', 3600, at('2026-07-15T12:10:00Z'))).toBe(true);
  });
});
