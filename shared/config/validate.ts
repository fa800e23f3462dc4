// Validation of an already-parsed configuration object. No YAML here: Lambda bundles receive the
// configuration as JSON embedded at package time, already validated with this (shared/config/packaged.ts).
import { describeIssues } from '../validation.js';
import { receiverProblems } from './receivers.js';
import { type AutopilotConfig, configSchema, validKeysAt } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`}`);
  }
}

export function validateConfig(value: unknown, source: string): AutopilotConfig {
  const result = configSchema.safeParse(value ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(source, describeIssues(result.error, validKeysAt));
  const problems = receiverProblems(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}
