// The reduced soak CI runs (npm run soak runs the full 10,000): the same events through the real
// handlers (notify, remediate, scale, ship) with and without faults, and the bar of RELIABILITY.md.
import { describe, expect, inject, it } from 'vitest';
import { FUNCTIONS } from '../../scripts/soak/events.js';
import { formatSoakReport, runSoak } from '../../scripts/soak/run.js';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 1000);
// CI's seed is fixed; SOAK_SEED tries another.
const CI_SEED = 20261125;
const SEED = Number(process.env.SOAK_SEED ?? CI_SEED);

describe('soak (reduced)', () => {
  it(`loses no event and duplicates nothing across ${EVENTS} events with faults on 12% of calls`, async () => {
    const report = await runSoak({ events: EVENTS, seed: SEED, faultRate: 0.12, endpoint: inject('awsEndpoint') });
    const table = formatSoakReport(report);
    console.log(table);
    expect(report.faulty.faults!.faulted / report.faulty.faults!.total).toBeGreaterThanOrEqual(0.1);
    // Every capability took part, and acted: messages, remediations, scaling changes, log records.
    for (const fn of FUNCTIONS) expect(report.faulty.handled[fn], fn).toBeGreaterThan(0);
    for (const source of ['sns', 'slack', 'remediation', 'scaling', 'log records']) expect(report.clean.bySource[source], source).toBeGreaterThan(0);
    // CI's seed makes a rollback, a pause and a restart in 1,000 events; another seed may not
    // reach every playbook in so few (seed 7 makes no rollback), and is judged on the bar alone.
    if (SEED === CI_SEED && EVENTS >= 1000) {
      for (const action of ['rollback', 'pause', 'restart']) {
        expect([...report.clean.notifications.keys()].some((identity) => identity.startsWith(`remediate|${action}:acted|`)), action).toBe(true);
      }
    }
    // An effect repeated by an event whose call lost its answer with no fault injected (the
    // emulator outlasted the client's timeout on a busy machine) is listed, not judged: nothing
    // can keep an SNS publish whose answer was lost from being published again (RELIABILITY.md).
    // Everything is accounted for: every invocation handled or in the dead-letter queue with a
    // reason, every log record of a handled batch delivered or backed up.
    expect(report.clean.lost.slice(0, 20)).toEqual([]);
    expect(report.faulty.lost.slice(0, 20)).toEqual([]);
    expect(report.duplicateActions, report.duplicatedActions.join('; ')).toBe(0);
    expect(report.duplicateNotifications, report.duplicatedNotifications.join('; ')).toBe(0);
    // Every action of the fault-free run happens with faults too, unless its event is in the
    // dead-letter queue with a reason (and no delivery of it was handled).
    expect(report.missingActions, report.missingActions.join('; ')).toEqual([]);
    expect(report.extraActions, report.extraActions.join('; ')).toEqual([]);
    expect(table.split('\n').at(-1)).toMatch(/^soak: \d+ events, lost 0, duplicate actions 0, duplicate notifications 0, dead-letter \d+$/);
  }, 900_000);
});
