// What one scaling policy type is: a file exporting a PolicyDefinition, listed in ./index.ts.
import type { PolicyEvaluation, PolicyReading, ScalingPolicy } from './types.js';

export interface PolicyDefinition<T extends ScalingPolicy['type']> {
  type: T;
  describe(policy: Extract<ScalingPolicy, { type: T }>): string;
  /** Pure: the reading (undefined for policies that read nothing) and the clock in, an evaluation out. */
  evaluate(policy: Extract<ScalingPolicy, { type: T }>, reading: PolicyReading | undefined, now: Date): PolicyEvaluation;
}
