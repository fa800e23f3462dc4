// The inputs and output of the scaling decision. Everything here is plain data: the decision is
// a pure function of (service policy, observations, history, now), so the scaler, the simulation
// and the CLI all run the same code.
import type { ScaledService, ScalingPolicy } from '../../config/schema-scale.js';

export type { ScaledService, ScalingPolicy };

/** What a load policy read this time: a value, or why it could not be read. */
export type PolicyReading = { value: number } | { error: string };

export interface ScalingObservations {
  /** The service's desired count now: what the decision moves from. */
  desired: number;
  /** Tasks running now (for the explanation; the decision works on the desired count). */
  running: number;
  /** One entry per policy of the service, in order; undefined for policies that read nothing (schedule). */
  readings: Array<PolicyReading | undefined>;
  /** The `ecs-autopilot:scale-paused` service tag is set. */
  pausedByTag?: boolean;
}

/** What the scaler remembers per service between decisions (state table, versioned). Times in epoch seconds. */
export interface ScalingHistory {
  /** Recent recommendations, for the stabilisation windows. */
  recommendations: Array<{ at: number; count: number }>;
  lastScaleOutAt?: number;
  lastScaleInAt?: number;
  /** Since when every load policy has been at or under its activation threshold (scale to zero). */
  idleSince?: number;
  /** Since when demand has exceeded max, and the demand then. */
  aboveMaxSince?: number;
  aboveMaxDemand?: number;
  /** The at-max notification of this episode went out. */
  notifiedAtMax?: boolean;
  /** Since when at least one load policy has been unreadable (the count cannot scale in). */
  missingSince?: number;
  /** The missing-data notification of this episode went out. */
  notifiedMissing?: boolean;
}

export const EMPTY_HISTORY: ScalingHistory = { recommendations: [] };

/** The rule that set or held the final count; `none` when the policies' recommendation went through as is. */
export type ScalingBound = 'none' | 'min' | 'max' | 'schedule' | 'step' | 'stabilization' | 'cooldown' | 'tolerance' | 'pause' | 'missing-data' | 'scale-to-zero';

export interface PolicyEvaluation {
  /** "sqs-backlog jobs", "metric AWS/ApplicationELB RequestCount", "schedule 0 8 * * MON-FRI Europe/Berlin". */
  policy: string;
  /** The value read (load policies). */
  value?: number;
  /** The count this policy asks for (load policies with a value). */
  count?: number;
  /** value / targetPerTask before rounding up: the tolerance compares it with the current count. */
  demand?: number;
  /** Why the value could not be read. */
  missing?: string;
  /** Above the activation threshold (wakes a service from zero). */
  active?: boolean;
  /** An open schedule window's limits. */
  limits?: { min?: number; max?: number };
  /** One sentence. */
  explanation: string;
}

export interface ScalingDecision {
  current: number;
  desired: number;
  direction: 'up' | 'down' | 'hold';
  bound: ScalingBound;
  /** The highest count any policy asked for (or the fallback when nothing could be read). */
  recommended: number;
  floor: number;
  ceiling: number;
  policies: PolicyEvaluation[];
  /** Each rule that changed or held the count, in order, as sentences. */
  steps: string[];
  /** One line: from, to, why. Goes into the audit record. */
  reason: string;
  history: ScalingHistory;
  /** Demand has exceeded max for the configured time: notify (once per episode). */
  notifyAtMax?: { sinceSeconds: number; demand: number };
  /** A load policy has been unreadable for missingData.notifyAfter: notify (once per episode). */
  notifyMissingData?: { sinceSeconds: number; policies: string[]; errors: string[] };
}
