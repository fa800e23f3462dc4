// The `ship:` configuration compiled once per container into what the pure stages use: regexes
// built once, the redactor's combined expression, the sampling table.
import type { ShipConfig } from '../../config/schema-ship.js';
import type { MultilineOptions } from './multiline.js';
import { compileRedactor, isPlainText, type Redactor } from './redact.js';
import type { SamplingRule } from './sampling.js';

/** What a drop filter needs of a pattern. */
export interface LineTest {
  test(line: string): boolean;
}

export interface ShipRules {
  multiline: MultilineOptions;
  redactor: Redactor;
  drop: LineTest[];
  sampling: SamplingRule[];
}

/** CloudWatch Logs events are at most 256 KiB; a joined record stops growing at 1 MiB characters. */
const MAX_RECORD_CHARS = 1 << 20;

// A pattern with no regex syntax in it (ELB-HealthChecker) is found by String#includes.
export function lineTest(pattern: string): LineTest {
  if (isPlainText(pattern)) return { test: (line) => line.includes(pattern) };
  return new RegExp(pattern);
}

export function compileShipRules(ship: ShipConfig): ShipRules {
  return {
    multiline: { startPatterns: ship.multiline.startPatterns.map((p) => new RegExp(p)), maxLines: ship.multiline.maxLines, maxChars: MAX_RECORD_CHARS },
    redactor: compileRedactor(ship.redact),
    drop: ship.drop.map(lineTest),
    sampling: ship.sampling,
  };
}
