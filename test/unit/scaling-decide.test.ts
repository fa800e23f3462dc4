// The scaling decision: each rule on its own, and properties over arbitrary policies, readings
// and histories (bounds always hold, scale-in never exceeds its step, missing data never scales in).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScaledService } from '../../shared/config/schema-scale.js';
import { validateConfig } from '../../shared/config/validate.js';
import { parseCron, windowOpen } from '../../shared/decide/scaling/cron.js';
import { decideScale, maxStep } from '../../shared/decide/scaling/decide-scale.js';
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

const stepArb = fc.oneof(fc.record({ tasks: fc.integer({ min: 1, max: 10 }) }), fc.record({ percent: fc.integer({ min: 1, max: 200 }) }));
const serviceArb = fc
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
  .map((a) =>
    service({
      min: a.min,
      max: a.min + a.extra,
      scaleOut: { stabilizationWindow: a.upWindow, cooldown: a.cooldown, maxStep: 'tasks' in a.upStep ? a.upStep.tasks : `${a.upStep.percent}%` },
      scaleIn: { stabilizationWindow: a.downWindow, cooldown: a.cooldown, maxStep: 'tasks' in a.downStep ? a.downStep.tasks : `${a.downStep.percent}%` },
      ...(a.fallback !== undefined ? { missingData: { fallbackCount: a.fallback } } : {}),
      ...(a.toZero ? { scaleToZero: { idleFor: 120 } } : {}),
      policies: [
        { type: 'sqs-backlog', queue: 'jobs', targetPerTask: 50 },
        { type: 'metric', metric: { namespace: 'N', name: 'M' }, targetPerTask: 10 },
        ...(a.schedule ? [{ type: 'schedule', cron: '*/7 * * * *', duration: '3m', ...a.schedule }] : []),
      ],
    }),
  );
const readingArb = fc.oneof(fc.integer({ min: 0, max: 5000 }).map((value): PolicyReading => ({ value })), fc.constant(unreadable));
/** A sequence of minutes, each with readings for both load policies. */
const minutesArb = fc.array(fc.tuple(readingArb, readingArb, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 30 });

/** Runs a sequence and checks `check` on every decision. */
function everyDecision(svc: ScaledService, start: number, minutes: Array<[PolicyReading, PolicyReading, number]>, check: (d: ReturnType<typeof decideScale>) => void) {
  let desired = start;
  let history: ScalingHistory = EMPTY_HISTORY;
  let now = T0.getTime();
  for (const [a, b, gap] of minutes) {
    now += gap * 60_000;
    const d = decideScale(svc, { desired, running: desired, readings: [a, b, undefined] }, history, new Date(now));
    check(d);
    desired = d.desired;
    history = d.history;
  }
}

describe('decideScale properties', () => {
  it('always decides a count within its bounds, and the bounds within the configured min and max', () => {
    fc.assert(
      fc.property(serviceArb, fc.integer({ min: 0, max: 60 }), minutesArb, (svc, start, minutes) => {
        everyDecision(svc, start, minutes, (d) => {
          expect(d.desired).toBeGreaterThanOrEqual(d.floor);
          expect(d.desired).toBeLessThanOrEqual(d.ceiling);
          expect(d.ceiling).toBeLessThanOrEqual(svc.max);
          if (!svc.scaleToZero) expect(d.floor).toBeGreaterThanOrEqual(Math.min(svc.min, d.ceiling));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never scales in by more than the configured step (from a count within bounds)', () => {
    fc.assert(
      fc.property(serviceArb, fc.integer({ min: 0, max: 60 }), minutesArb, (svc, start, minutes) => {
        everyDecision(svc, start, minutes, (d) => {
          if (d.current <= d.ceiling) expect(d.current - d.desired).toBeLessThanOrEqual(maxStep(svc.scaleIn.maxStep, d.current));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never scales in on missing data, and never to zero', () => {
    fc.assert(
      fc.property(serviceArb, fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 20 }), (svc, start, gaps) => {
        everyDecision(svc, start, gaps.map((gap) => [unreadable, unreadable, gap]), (d) => {
          expect(d.desired).toBeGreaterThanOrEqual(Math.min(d.current, d.ceiling));
          if (d.current > 0 && d.ceiling > 0) expect(d.desired).toBeGreaterThan(0);
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
