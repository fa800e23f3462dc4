// A local evaluator of the EventBridge pattern operators this project emits (exact values,
// prefix, wildcard, anything-but with a value, a list, a prefix or wildcards, and $or), following
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// Tests use it to check that what EventBridge drops is what decide() would ignore anyway, and
// the demo to show which events never reach Lambda.

import { matchesGlob } from '../../shared/glob.js';

function matchesAnythingBut(value: unknown, spec: unknown): boolean {
  if (value === undefined) return false;
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    const s = spec as { prefix?: string; wildcard?: string | string[] };
    if (s.prefix !== undefined) return typeof value === 'string' && !value.startsWith(s.prefix);
    if (s.wildcard !== undefined) return typeof value === 'string' && ![s.wildcard].flat().some((w) => matchesGlob(w, value));
    throw new Error(`unsupported anything-but ${JSON.stringify(spec)}`);
  }
  return ![spec].flat().includes(value as never);
}

function matchesOne(value: unknown, matcher: unknown): boolean {
  if (typeof matcher !== 'object' || matcher === null) return value === matcher;
  const m = matcher as Record<string, unknown>;
  if ('prefix' in m) return typeof value === 'string' && value.startsWith(String(m.prefix));
  if ('wildcard' in m) return typeof value === 'string' && matchesGlob(String(m.wildcard), value);
  if ('anything-but' in m) return matchesAnythingBut(value, m['anything-but']);
  throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
}

export function matchesPattern(event: unknown, pattern: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    // `$or`: any of the listed sub-patterns, each applied at this level.
    if (key === '$or') return (expected as Array<Record<string, unknown>>).some((sub) => matchesPattern(event, sub));
    const value = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      const values = Array.isArray(value) ? value : [value];
      return values.some((v) => expected.some((m) => matchesOne(v, m)));
    }
    // A nested pattern over an array of objects (an alarm's configuration.metrics) matches when
    // one of its elements does, as EventBridge flattens arrays.
    if (Array.isArray(value)) return value.some((element) => matchesPattern(element, expected as Record<string, unknown>));
    return matchesPattern(value, expected as Record<string, unknown>);
  });
}
