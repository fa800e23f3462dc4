// Fuzzing the remediation pipeline (remediateEvent offline: memory store, every playbook enabled
// and every service opted in) with arbitrary values shaped like events and with mutations of every
// real fixture. For every input: it resolves, or rejects with an IntakeError that names a field and
// leaves the state untouched; no action on malformed input; every planned action is of a type its
// playbook declares, on a target the configuration opted in. FUZZ_RUNS and FUZZ_SEED as fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { PLAYBOOKS } from '../../shared/decide/remediation/playbooks/index.js';
import { type RemediationDependencies, remediateEvent } from '../../shared/execute/remediate-event.js';
import { IntakeError } from '../../shared/intake/index.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import type { StateStore } from '../../shared/state/store.js';
import { arbitraryEvent, describeForReport, mutatedFixture } from '../support/fuzz-arbitraries.js';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 200) || 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125) || 20261125;
const params = { seed: SEED, numRuns: RUNS };

const config = validateConfig(
  {
    remediate: {
      optIn: ['*'],
      playbooks: {
        crashLoop: { enabled: true, failures: 2, pauseTo: 0, cooldown: 0 },
        failedDeployment: { enabled: true, cooldown: 0 },
        disconnectedAgent: { enabled: true, after: 60 },
        unhealthyTargets: { enabled: true },
        capacityFallback: { enabled: true, interruptions: 1 },
        oomResize: { enabled: true, kills: 1 },
      },
    },
  },
  'fuzz: every playbook',
);

/** Counts every write the pipeline makes to its state. */
function countingStore(): { store: StateStore; writes: () => number } {
  const inner = new MemoryStateStore();
  let writes = 0;
  const counted = new Set(['claimEvent', 'completeEvent', 'putRecord', 'appendAudit', 'acquireCooldown', 'reserveSlot', 'countInWindow', 'putInCollection']);
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (counted.has(String(key))) writes += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, writes: () => writes };
}

function dependencies(store: StateStore): RemediationDependencies {
  return { config, store, now: () => new Date('2026-11-20T10:05:00Z'), dryRun: false };
}

let actionsSeen = 0;

async function check(event: unknown, store: StateStore, writes: () => number): Promise<void> {
  const before = writes();
  try {
    const outcome = await remediateEvent(event, dependencies(store));
    actionsSeen += outcome.actions.length;
    for (const action of outcome.actions) {
      const playbook = PLAYBOOKS[action.playbook];
      expect(playbook.actionTypes, describeForReport(event)).toContain(action.type);
      expect(action.service ?? action.containerInstance, 'an action names its target').toBeTruthy();
      expect(action.reason.length).toBeGreaterThan(0);
    }
  } catch (error) {
    expect(error, `${describeForReport(event)} threw ${String(error)}`).toBeInstanceOf(IntakeError);
    expect((error as IntakeError).message).toMatch(/[\w\]]: |expected/);
    expect(writes(), 'a malformed event wrote state').toBe(before);
  }
}

describe(`remediation fuzz (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`, () => {
  it('arbitrary values shaped like events, timer records and log subscriptions', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryEvent, async (event) => {
        const { store, writes } = countingStore();
        await check(event, store, writes);
      }),
      params,
    );
  }, Math.max(60_000, RUNS * 100));

  it('sequences of mutated real fixtures through one store: state carries over, nothing breaks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedFixture(), { minLength: 1, maxLength: 8 }), async (events) => {
        const { store, writes } = countingStore();
        for (const { event } of events) await check(event, store, writes);
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 4)) },
    );
    // The properties are about actions: the run must have planned some, or it proved nothing.
    expect(actionsSeen).toBeGreaterThan(0);
  }, Math.max(60_000, RUNS * 100));
});
