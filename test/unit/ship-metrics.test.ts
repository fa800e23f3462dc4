// The ship function's EMF metrics, as CloudWatch would extract them: a real shipment through two
// destinations (one takes everything, one refuses some records for good, which go to the backup),
// published with a real Powertools Metrics instance; the EMF lines are read back for the metric
// names, their dimensions and their values, checked against what the destinations received.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Destination } from '../../shared/adapters/destinations/destination.js';
import type { LogBackup } from '../../shared/adapters/log-backup.js';
import { validateConfig } from '../../shared/config/validate.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { createMetrics } from '../../shared/lambda/metrics.js';
import { publishShipMetrics } from '../../functions/ship/ship-metrics.js';
import { ecsPayload } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { type Emitted, emittedMetrics } from '../support/emf.js';

let output: Captured;
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  output = captureOutput([process.stdout], false);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const emitted = () => emittedMetrics(output);

const one = (all: Emitted[], name: string, dimensions: Record<string, string> = {}) => {
  const found = all.filter((m) => m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v));
  expect(found, `${name} ${JSON.stringify(dimensions)}`).toHaveLength(1);
  return found[0]!;
};

describe('ship metrics (EMF)', () => {
  it('publishes records in, dropped, redactions, backups, and per destination shipped records, bytes and failures', async () => {
    const received = { all: 0, allBytes: 0, picky: 0, refused: 0 };
    const limits = { maxRecordsPerCall: 500, maxBytesPerCall: 4 << 20, maxRecordBytes: 1 << 20 };
    const all: Destination = { name: 'archive', kind: 's3', limits, send: async (chunk) => ((received.all += chunk.length), (received.allBytes += chunk.reduce((n, r) => n + r.line.length, 0)), []) };
    // Refuses (for good) every record whose body is a Python traceback.
    const picky: Destination = {
      name: 'search',
      kind: 'http',
      limits,
      send: async (chunk) => {
        const failures = chunk.flatMap((r, index) => (r.line.includes('Traceback (most recent call last)') ? [{ index, reason: '_bulk item 400 mapper_parsing_exception', retryable: false }] : []));
        received.picky += chunk.length - failures.length;
        received.refused += failures.length;
        return failures;
      },
    };
    const backedUp: number[] = [];
    const backup: LogBackup = { write: async (_d, failed) => (backedUp.push(failed.length), { bucket: 'b', key: 'k' }) };
    const rules = compileShipRules(validateConfig({ ship: { drop: ['ELB-HealthChecker'] } }, 't').ship);
    const outcome = await shipLogEvent(makeSubscriptionEvent(ecsPayload(40_000)), {
      rules,
      destinations: [all, picky],
      backup,
      clock: { remainingMs: () => 60_000, sleep: async () => {}, random: () => 0 },
      now: () => new Date(),
    });

    const metrics = createMetrics('ship', 'unittest');
    publishShipMetrics(metrics, outcome);
    metrics.publishStoredMetrics();
    const emf = emitted();

    const base = { service: 'ecs-autopilot-ship', stage: 'unittest' };
    expect(received.refused).toBeGreaterThan(0);
    expect(one(emf, 'ShipperRecordsIn', base)).toMatchObject({ unit: 'Count', value: outcome.stats.records });
    expect(outcome.stats.dropped).toBeGreaterThan(0);
    expect(one(emf, 'ShipperRecordsDropped', base).value).toBe(outcome.stats.dropped);
    // The fixture's secrets: every burst's URL password, and more every 13th and 29th burst.
    expect(one(emf, 'ShipperRedactions', base).value).toBeGreaterThan(0);
    expect(one(emf, 'ShipperRedactions', base).value).toBe(outcome.stats.redactions);
    expect(one(emf, 'ShipperBackups', base).value).toBe(received.refused);
    expect(backedUp).toEqual([received.refused]);

    expect(one(emf, 'ShipperRecordsShipped', { ...base, destination: 'archive' }).value).toBe(received.all);
    expect(received.all).toBe(outcome.stats.records - outcome.stats.dropped);
    expect(one(emf, 'ShipperBytesShipped', { ...base, destination: 'archive' })).toMatchObject({ unit: 'Bytes', value: received.allBytes });
    expect(one(emf, 'ShipperFailures', { ...base, destination: 'archive' }).value).toBe(0);
    expect(one(emf, 'ShipperRecordsShipped', { ...base, destination: 'search' }).value).toBe(received.picky);
    expect(one(emf, 'ShipperFailures', { ...base, destination: 'search' }).value).toBe(received.refused);
  });

  it('publishes nothing for a control message', () => {
    const metrics = createMetrics('ship', 'unittest');
    publishShipMetrics(metrics, { id: 'x', outcome: 'control-message', stats: { events: 1, records: 0, dropped: 0, sampledOut: 0, redactions: 0 }, destinations: [], backups: [] });
    expect(metrics.hasStoredMetrics()).toBe(false);
    expect(emitted()).toEqual([]);
  });
});
