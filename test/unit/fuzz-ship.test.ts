// Fuzzing the log shipper (shipLogEvent with a recording destination and backup, the default
// rules: built-in redaction, multi-line joining) with arbitrary subscription events and with
// valid batches of hostile log lines: huge lines, deep JSON, odd Unicode, lone surrogates, control
// characters, Slack control sequences, with secrets between them. For every input: it resolves, or
// rejects with the documented decode error (an IntakeError naming awslogs.data or the payload) and
// then delivered nothing; a valid batch is delivered whole (every record once, each a JSON line
// with its uid), and no secret survives redaction. FUZZ_RUNS and FUZZ_SEED as fuzz.test.ts.
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../shared/adapters/destinations/destination.js';
import type { LogBackup } from '../../shared/adapters/log-backup.js';
import { validateConfig } from '../../shared/config/validate.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { type ShipDependencies, shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { IntakeError } from '../../shared/intake/index.js';
import { SECRETS } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';
import { arbitraryEvent, deeplyNested, describeForReport, hostileText, hugeText, logsSubscriptionEvent, ODD_UNICODE, SLACK_SEQUENCES } from '../support/fuzz-arbitraries.js';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 200) || 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125) || 20261125;
const params = { seed: SEED, numRuns: RUNS };

const rules = compileShipRules(validateConfig({ ship: {} }, 'fuzz: default ship rules').ship);

/** A destination that takes everything (and may refuse some, to exercise the backup), and a backup: both record what they got. */
function recorder(refuseEvery = 0) {
  const delivered: Buffer[] = [];
  const backedUp: Buffer[] = [];
  let calls = 0;
  const destination: Destination = {
    name: 'recorder',
    kind: 'http',
    limits: { maxRecordsPerCall: 500, maxBytesPerCall: 4 << 20, maxRecordBytes: 1 << 20 },
    send: async (chunk) => {
      calls += 1;
      const failures = chunk.flatMap((record, index) => (refuseEvery > 0 && index % refuseEvery === 0 ? [{ index, reason: 'refused', retryable: false }] : []));
      chunk.forEach((record, index) => failures.some((f) => f.index === index) || delivered.push(record.line));
      return failures;
    },
  };
  const backup: LogBackup = {
    write: async (_destination, failed) => {
      for (const { record } of failed) backedUp.push(record.line);
      return { bucket: 'backup', key: `k${backedUp.length}` };
    },
  };
  const deps: ShipDependencies = { rules, destinations: [destination], backup, clock: { remainingMs: () => 60_000, sleep: async () => undefined, random: () => 0.5 }, now: () => new Date('2026-11-20T10:05:00Z') };
  return { deps, delivered, backedUp, calls: () => calls };
}

describe(`ship fuzz (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`, () => {
  it('arbitrary subscription events and other values: shipped, or the documented decode error and nothing delivered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(logsSubscriptionEvent, arbitraryEvent), async (event) => {
        const { deps, delivered, backedUp } = recorder();
        try {
          const outcome = await shipLogEvent(event, deps);
          expect(delivered.length + backedUp.length, describeForReport(event)).toBe(outcome.stats.records - outcome.stats.dropped - outcome.stats.sampledOut);
        } catch (error) {
          expect(error, `${describeForReport(event)} threw ${String(error)}`).toBeInstanceOf(IntakeError);
          expect((error as IntakeError).message).toMatch(/awslogs\.data[^:\s]*: |expected a CloudWatch Logs subscription event/);
          expect(delivered.length + backedUp.length, 'a batch that did not decode delivered records').toBe(0);
        }
      }),
      params,
    );
  }, Math.max(60_000, RUNS * 200));

  // Log lines a container can write: anything, and often something only almost JSON.
  const CONTROL = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('') + '\u007f\u0085';
  const hostileLine = fc.oneof(
    { arbitrary: hostileText, weight: 4 },
    { arbitrary: hugeText, weight: 1 },
    { arbitrary: fc.integer({ min: 50, max: 2000 }).map((depth) => JSON.stringify(deeplyNested(depth, 'mixed'))), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? ''), weight: 2 },
    { arbitrary: fc.constantFrom('\uD800', '\uDFFF', 'a\uD83D', '\uDE00b', CONTROL, ...ODD_UNICODE, ...SLACK_SEQUENCES), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 2 },
  );
  // Secrets as containers print them, with hostile text on either side.
  const SECRET_LINES = [
    `calling upstream with Authorization: Bearer ${SECRETS.bearer}`,
    `{"level":"error","msg":"credentials rejected","aws_access_key_id":"${SECRETS.accessKeyId}","aws_secret_access_key":"${SECRETS.secretAccessKey}"}`,
    `flushed to https://events:${SECRETS.urlPassword}@broker.internal:8443/outbox`,
  ];
  const line = fc.oneof(
    { arbitrary: hostileLine, weight: 5 },
    { arbitrary: fc.tuple(hostileLine, fc.constantFrom(...SECRET_LINES), hostileLine).map(([before, secret, after]) => `${before} ${secret} ${after}`), weight: 2 },
  );

  it('hostile log lines in a valid batch: every record delivered or backed up once, as a JSON line, with no secret left', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 2, 3), async (lines, refuseEvery) => {
        const event = makeSubscriptionEvent({
          messageType: 'DATA_MESSAGE',
          owner: '123456789012',
          logGroup: '/ecs/web',
          logStream: 'ecs/web/0123456789abcdef0123456789abcdef',
          subscriptionFilters: ['f'],
          logEvents: lines.map((message, i) => ({ id: String(1_000_000 + i), timestamp: 1_763_632_800_000 + i, message })),
        });
        // The payload survives the trip (a lone surrogate becomes U+FFFD in UTF-8, as CloudWatch Logs sends it).
        expect(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).length).toBeGreaterThan(0);
        const { deps, delivered, backedUp } = recorder(refuseEvery);
        const outcome = await shipLogEvent(event, deps);
        const out = [...delivered, ...backedUp].map((b) => b.toString('utf8'));
        expect(out.length, 'every record is delivered or backed up').toBe(outcome.stats.records);
        const uids = out.map((text) => {
          expect(text.endsWith('\n')).toBe(true);
          return (JSON.parse(text) as { attributes: Record<string, string> }).attributes['log.record.uid'];
        });
        expect(new Set(uids).size, 'a record twice').toBe(uids.length);
        const all = out.join('');
        for (const secret of Object.values(SECRETS)) expect(all, `secret ${secret.slice(0, 6)}… survived`).not.toContain(secret);
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 2)) },
    );
  }, Math.max(60_000, RUNS * 200));
});
