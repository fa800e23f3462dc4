// The soak's judgement (scripts/soak/run.ts compareRuns): what counts as a duplicate, a missing or
// an extra action, and what is set apart because an answer was lost without a fault injected.
import { describe, expect, it } from 'vitest';
import { compareRuns, type RunCounts } from '../../scripts/soak/run.js';

function run(effects: Record<string, number>, extra: Partial<RunCounts> = {}): RunCounts {
  const none = { notify: 0, remediate: 0, scale: 0, ship: 0 };
  return {
    seconds: 1,
    deliveries: 1,
    worldChanges: 0,
    invocations: none,
    retries: none,
    handled: none,
    deadLetter: {},
    deadLetterInvocations: [],
    handledInvocations: [],
    lost: [],
    notifications: new Map(Object.entries(effects)),
    bySource: {},
    faults: undefined,
    slackFaults: undefined,
    lostAnswerEvents: [],
    unevaluated: [],
    ...extra,
  };
}

const SNS = 'everything|c|s|crash-loop|new|1|event=soak-7-1';
const RESTART = 'remediate|restart:acted|svc|event=soak-7-2';

describe('the soak comparison', () => {
  it('counts an effect seen twice as a duplicate, and names it', () => {
    const result = compareRuns(run({ [SNS]: 1, [RESTART]: 1 }), run({ [SNS]: 2, [RESTART]: 1 }));
    expect(result.duplicateNotifications).toBe(1);
    expect(result.duplicatedNotifications).toEqual([`${SNS} (2x)`]);
    expect(result.excused.faulty).toEqual([]);
  });

  it('sets apart a repeat by an event whose call lost its answer with no fault injected, in either run', () => {
    const faulty = run({ [SNS]: 2, [RESTART]: 1 }, { lostAnswerEvents: ['soak-7-1'] });
    const result = compareRuns(run({ [SNS]: 1, [RESTART]: 1 }), faulty);
    expect(result.duplicateNotifications).toBe(0);
    expect(result.excused.faulty).toEqual([`${SNS} (2x)`]);
    // Another event's lost answer excuses nothing: ids match whole (soak-7-1 is not soak-7-12).
    const other = compareRuns(run({ [SNS]: 1 }), run({ [SNS]: 2 }, { lostAnswerEvents: ['soak-7-12'] }));
    expect(other.duplicateNotifications).toBe(1);
    const clean = compareRuns(run({ [SNS]: 2 }, { lostAnswerEvents: ['soak-7-1'] }), run({ [SNS]: 1 }));
    expect(clean.cleanDuplicateNotifications).toBe(0);
    expect(clean.excused.clean).toEqual([`${SNS} (2x)`]);
  });

  it('judges actions against the fault-free run: more is a duplicate, new is extra, fewer is missing', () => {
    const twice = 'remediate|restart:acted|svc|event=soak-7-3';
    const rollback = 'remediate|rollback:acted|svc|event=soak-7-4';
    const result = compareRuns(run({ [RESTART]: 1, [rollback]: 1 }), run({ [RESTART]: 1, [twice]: 1, 'scale|svc|1->2|event=soak-7-5': 1 }));
    expect(result.duplicatedActions).toEqual(['remediate|restart:acted|svc']);
    expect(result.duplicateActions).toBe(1);
    expect(result.extraActions).toEqual(['scale|svc|1->2']);
    expect(result.missingActions).toEqual(['remediate|rollback:acted|svc']);
  });

  it('does not compare the counts of an action one of whose events lost an answer, and lists it', () => {
    const twice = 'remediate|restart:acted|svc|event=soak-7-3';
    const result = compareRuns(run({ [RESTART]: 1 }), run({ [RESTART]: 1, [twice]: 1 }, { lostAnswerEvents: ['soak-7-3'] }));
    expect(result.duplicateActions).toBe(0);
    expect(result.excused.faulty).toEqual(['remediate|restart:acted|svc (2 events, fault-free 1)']);
    // A lost answer in the fault-free run makes its count no reference either.
    const missing = compareRuns(run({ [RESTART]: 1, [twice]: 1 }, { lostAnswerEvents: ['soak-7-3'] }), run({}));
    expect(missing.missingActions).toEqual([]);
    expect(missing.excused.faulty).toEqual(['remediate|restart:acted|svc (0 events, fault-free 2)']);
  });

  it('does not compare the scaling of a service a tick could not evaluate (the next tick decides), in either run', () => {
    const out = 'scale|RUN-c0/worker|3->7|event=soak-7-8';
    const back = 'scale|RUN-c0/worker|7->1|event=soak-7-9';
    const direct = 'scale|RUN-c0/worker|3->1|event=soak-7-9';
    const other = 'scale|RUN-c1/worker|1->2|event=soak-7-9';
    const clean = run({ [out]: 1, [back]: 1, [other]: 1 });
    const faulty = run({ [direct]: 1 }, { unevaluated: ['RUN-c0/worker'] });
    const result = compareRuns(clean, faulty);
    expect(result.missingActions).toEqual(['scale|RUN-c1/worker|1->2']);
    expect(result.extraActions).toEqual([]);
    expect(result.excused.faulty.sort()).toEqual(['scale|RUN-c0/worker|3->1 (1 events, fault-free 0)', 'scale|RUN-c0/worker|3->7 (0 events, fault-free 1)', 'scale|RUN-c0/worker|7->1 (0 events, fault-free 1)']);
    // Without the failed tick, the same runs are judged: the path differs.
    expect(compareRuns(clean, run({ [direct]: 1 })).extraActions).toEqual(['scale|RUN-c0/worker|3->1']);
  });

  it('excuses a missing action only when no delivery of its event was handled with faults', () => {
    const clean = run({ [RESTART]: 1 });
    const deadLettered = run({}, { deadLetterInvocations: ['remediate|soak-7-2'] });
    expect(compareRuns(clean, deadLettered).missingActions).toEqual([]);
    const otherCopyHandled = run({}, { deadLetterInvocations: ['remediate|soak-7-2'], handledInvocations: ['remediate|soak-7-2'] });
    expect(compareRuns(clean, otherCopyHandled).missingActions).toEqual(['remediate|restart:acted|svc']);
  });
});
