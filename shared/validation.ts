// One way to turn zod issues into sentences a person can act on, shared by event intake and
// configuration loading: every message names the path of the field and what was expected.
// (zod/mini ships no message locale, which keeps bundles small; the sentences are built here.)
import type { core } from 'zod/mini';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing (the field is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'string') return `the string ${JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)}`;
  if (typeof input === 'object') return 'an object';
  return `${typeof input} ${String(input)}`;
}

const GENERIC = 'Invalid input';

function describeIssue(issue: core.$ZodIssue): string {
  const custom = issue.message && issue.message !== GENERIC ? issue.message : undefined;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describeInput(issue.input)}`;
    case 'invalid_type':
      return `expected ${issue.expected}, got ${describeInput(issue.input)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
      if (issue.origin === 'array') return `must have at least ${min} entr${min === 1 ? 'y' : 'ies'}`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${min}, got ${describeInput(issue.input)}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      if (issue.origin === 'array') return `must have at most ${max} entries`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}, got ${describeInput(issue.input)}`;
    }
    case 'invalid_format':
      return `must be ${custom ?? `a valid ${issue.format}`}, got ${describeInput(issue.input)}`;
    case 'invalid_union': {
      // A discriminated union (scale policies' `type`) names the values it accepts.
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      const input = issue.input;
      const value = discriminator && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : input;
      if (options?.length) return `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeInput(value)}`;
      return custom ?? `is not valid (${issue.code}), got ${describeInput(issue.input)}`;
    }
    default:
      return custom ?? `is not valid (${issue.code}), got ${describeInput((issue as { input?: unknown }).input)}`;
  }
}

/** "detail.clusterArn: expected string, got nothing (the field is missing)" for each issue. */
export function describeIssues(
  error: { issues: core.$ZodIssue[] },
  validKeysAt?: (path: ReadonlyArray<PropertyKey>) => string[] | undefined,
): string[] {
  return error.issues.map((issue) => {
    let text = `${formatPath(issue.path)}: ${describeIssue(issue)}`;
    if (issue.code === 'unrecognized_keys' && validKeysAt) {
      const valid = validKeysAt(issue.path);
      if (valid?.length) text += `; valid keys here: ${valid.join(', ')}`;
    }
    return text;
  });
}
