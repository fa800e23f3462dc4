// The reduced soak CI runs (npm run soak runs the full 10,000): the same events through the real
// handler with and without faults, and the bar of RELIABILITY.md.
import { describe, expect, inject, it } from 'vitest';
import { formatSoakReport, runSoak } from '../../scripts/soak/run.js';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 1000);
// CI's seed is fixed; SOAK_SEED tries another.
const SEED = Number(process.env.SOAK_SEED ?? 20261125);

describe('soak (reduced)', () => {
  it(`loses no event and duplicates nothing across ${EVENTS} events with faults on 12% of calls`, async () => {
    const report = await runSoak({ events: EVENTS, seed: SEED, faultRate: 0.12, endpoint: inject('awsEndpoint') });
    const table = formatSoakReport(report);
    console.log(table);
    expect(report.faulty.faults!.faulted / report.faulty.faults!.total).toBeGreaterThanOrEqual(0.1);
    expect(report.faulty.lost).toEqual([]);
    expect(report.duplicateActions).toBe(0);
    expect(report.duplicateNotifications).toBe(0);
    // Every action of the fault-free run happens with faults too, unless its event is in the
    // dead-letter queue with a reason.
    expect(report.missingActions, report.missingActions.join('; ')).toEqual([]);
    expect(report.extraActions).toEqual([]);
    // Everything is accounted for: handled, or in the dead-letter queue with a reason.
    expect(report.faulty.handled + new Set(report.faulty.deadLetterIds).size).toBeGreaterThanOrEqual(EVENTS);
    expect(table.split('\n').at(-1)).toMatch(/^soak: \d+ events, lost 0, duplicate actions 0, duplicate notifications 0, dead-letter \d+$/);
  }, 900_000);
});
