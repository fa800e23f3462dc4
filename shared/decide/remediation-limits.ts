// What the remediation executor's safety limits still allow on a service, for `explain
// CLUSTER/SERVICE`: for each opted-in playbook, whether the service's cooldown holds it back and how
// much of its hourly cap is left, and the global budget.
//
// The keys are the ones the executor writes (shared/execute/remediate-event.ts, carryOut); they are
// built here, in one place, and test/integration/explain-status-cli.test.ts runs the real executor
// and checks that what it wrote is read back, so a change of layout there fails a test here.
import type { AutopilotConfig } from '../config/schema.js';
import type { PlaybookName } from '../config/schema-remediate.js';
import { optedInPlaybooks, playbookLabel } from './remediation/opt-in.js';

/** The executor's budget period: the clock hour, as in its keys (2026-11-25T06). */
export const budgetHourOf = (now: Date) => now.toISOString().slice(0, 13);

/** Dry-run counts in keys of its own, so the executor reads (and `explain` shows) those. */
const prefixOf = (dryRun: boolean) => (dryRun ? 'dry-run#' : '');

export interface LimitKeys {
  cooldown: string;
  /** capacity-fallback's move back has its own cooldown. */
  restoreCooldown?: string;
  budget: string;
}

/**
 * The state keys of one playbook's limits on one target (CLUSTER/SERVICE) at `now`. The cooldown
 * and the hourly cap are the target's, shared by every playbook: whichever acted starts the
 * cooldown (its length is that playbook's) and takes a slot of the cap, which each playbook checks
 * against its own maxPerHour. Only capacity-fallback's move back has a cooldown of its own.
 */
export function remediationLimitKeys(playbook: PlaybookName, target: string, now: Date, dryRun: boolean): LimitKeys {
  const prefix = prefixOf(dryRun);
  return {
    cooldown: `${prefix}remediate#target#${target}`,
    ...(playbook === 'capacityFallback' ? { restoreCooldown: `${prefix}remediate#${playbookLabel(playbook)}-restore#${target}` } : {}),
    budget: `${prefix}remediate#target#${target}#${budgetHourOf(now)}`,
  };
}

export const globalBudgetKey = (now: Date, dryRun: boolean) => `${prefixOf(dryRun)}remediate#global#${budgetHourOf(now)}`;

/** The kill switch as read: its value when engaged, off, or why it could not be read. */
export type KillSwitchReading = { engaged: string } | { off: true } | { unreadable: string };

/**
 * What the state table holds under those keys: running cooldowns (ISO end) and slots taken, by key
 * (a key absent is free), and the kill switch, which stops every action whatever the budgets say.
 */
export interface LimitReadings {
  cooldownUntil: Record<string, string>;
  slotsTaken: Record<string, number>;
  killSwitch?: KillSwitchReading;
}

export interface Budget {
  limit: number;
  used: number;
  left: number;
}

export interface CooldownState {
  /** The configured cooldown, in seconds. */
  seconds: number;
  /** When the running cooldown ends; absent when none runs (the playbook may act now). */
  until?: string;
}

export interface PlaybookLimits {
  playbook: string;
  cooldown: CooldownState;
  restoreCooldown?: CooldownState;
  budget: Budget;
}

export type RemediationLimits =
  | {
      dryRun: boolean;
      /** The clock hour the budgets count in. */
      hour: string;
      /** Why these playbooks may act on the service (opt-in by configuration or tag). */
      optedIn: string;
      /** The remediate.killSwitchParameter and its state; absent when it was not read. */
      killSwitch?: { parameter: string } & KillSwitchReading;
      global: Budget;
      playbooks: PlaybookLimits[];
    }
  | { none: string };

/** Playbooks whose target is a service (disconnected-agent acts on container instances). */
const actsOnServices = (name: PlaybookName) => name !== 'disconnectedAgent';

const budget = (limit: number, used: number): Budget => ({ limit, used, left: Math.max(0, limit - used) });

/** The playbooks that may act on the service (enabled, opted in, acting on services), with the keys to read. */
export function limitsToRead(config: AutopilotConfig, target: { cluster: string; service: string; tags?: Record<string, string> }, now: Date) {
  const remediate = config.remediate;
  const optIn = optedInPlaybooks(remediate, target.cluster, target.service, target.tags);
  const where = `${target.cluster}/${target.service}`;
  const playbooks = optIn.playbooks.filter(actsOnServices).map((name) => ({ name, keys: remediationLimitKeys(name, where, now, remediate.dryRun) }));
  // Each key once: playbooks share the target's.
  const cooldownKeys = [...new Set(playbooks.flatMap((p) => [p.keys.cooldown, ...(p.keys.restoreCooldown ? [p.keys.restoreCooldown] : [])]))];
  const budgetKeys = [...new Set([...playbooks.map((p) => p.keys.budget), globalBudgetKey(now, remediate.dryRun)])];
  return { optIn, playbooks, cooldownKeys: playbooks.length ? cooldownKeys : [], budgetKeys: playbooks.length ? budgetKeys : [] };
}

/**
 * The limits of the playbooks that may act on cluster/service: enabled in the configuration and
 * opted in (remediate.optIn, or the service's ecs-autopilot:remediate tag when it is known).
 */
export function remediationLimits(config: AutopilotConfig, target: { cluster: string; service: string; tags?: Record<string, string> }, readings: LimitReadings, now: Date): RemediationLimits {
  const remediate = config.remediate;
  const { optIn, playbooks } = limitsToRead(config, target, now);
  if (playbooks.length === 0) return { none: optIn.playbooks.length ? 'only disconnected-agent is opted in, and it acts on container instances' : optIn.because };
  const cooldown = (key: string, seconds: number): CooldownState => ({ seconds, ...(readings.cooldownUntil[key] ? { until: readings.cooldownUntil[key] } : {}) });
  return {
    dryRun: remediate.dryRun,
    hour: budgetHourOf(now),
    optedIn: optIn.because,
    ...(readings.killSwitch ? { killSwitch: { parameter: remediate.killSwitchParameter, ...readings.killSwitch } } : {}),
    global: budget(remediate.maxActionsPerHour, readings.slotsTaken[globalBudgetKey(now, remediate.dryRun)] ?? 0),
    playbooks: playbooks.map(({ name, keys }) => {
      const settings = remediate.playbooks[name];
      return {
        playbook: playbookLabel(name),
        cooldown: cooldown(keys.cooldown, settings.cooldown),
        ...(keys.restoreCooldown ? { restoreCooldown: cooldown(keys.restoreCooldown, settings.cooldown) } : {}),
        budget: budget(settings.maxPerHour, readings.slotsTaken[keys.budget] ?? 0),
      };
    }),
  };
}
