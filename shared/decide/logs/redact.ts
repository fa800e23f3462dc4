// Redaction before anything leaves: one regular expression that is every rule at once, so a
// record is scanned once however many rules there are, plus a cheap pre-check that skips the scan
// for the (usual) record with none of the rules' trigger characters sequences.
//
// Built-in rules (each replaces the secret, keeping the words that name it):
//   aws-access-key-id      AKIA/ASIA/... followed by 16 upper-case letters or digits
//   aws-secret-access-key  the value after aws_secret_access_key / SecretAccessKey / secret_key = or :
//                          (quotes around the name may be JSON-escaped: the line may be a JSON string)
//   bearer-token           the token after "Bearer "
//   url-password           the password of scheme://user:password@host
//   private-key            a PEM private key, BEGIN to END (or to the end of the record when cut)
// A value stops at base64 padding, so a key followed by "=" and the next secret leaves that secret's
// context word in place.
// Known limit: a rule that needs a context word (secret key, bearer) cannot see it when the
// previous match swallowed it ("Bearer aws_secret_access_key=..." loses the second context); the
// bearer rule then still redacts the token itself.

export interface RedactionRule {
  name: string;
  /** Source of the regex; a group `(?<KEEP>...)` that opens it is kept verbatim. */
  source: string;
  /**
   * Regex sources of which one occurs in any match (the pre-check); none = always scan. One with no
   * regex syntax is looked for with String#includes, which scans far faster than the regex engine.
   */
  triggers?: string[];
}

/** Case-insensitive text without the `i` flag, which would also make [A-Z] match lower case in other rules. */
const anyCase = (word: string) => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');

export const BUILT_IN_RULES: readonly RedactionRule[] = [
  { name: 'aws-access-key-id', source: '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}', triggers: ['A(?:3T|KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA)'] },
  {
    name: 'aws-secret-access-key',
    source: `(?<KEEP>${anyCase('secret')}[_.-]?(?:${anyCase('access')}[_.-]?)?${anyCase('key')}(?:\\\\?["'])?\\s*(?:[:=]|=>)\\s*(?:\\\\?["'])?)[A-Za-z0-9/+]{16,}={0,2}`,
    triggers: [anyCase('secret')],
  },
  { name: 'bearer-token', source: `(?<KEEP>${anyCase('bearer')}\\s+)[A-Za-z0-9\\-._~+/]+=*`, triggers: [anyCase('bearer')] },
  // Anchored on "://" rather than the scheme, so the scan jumps from colon to colon.
  { name: 'url-password', source: '(?<KEEP>://[^\\s/:@]*:)[^\\s/@]+(?=@)', triggers: ['://'] },
  { name: 'private-key', source: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)', triggers: ['PRIVATE KEY'] },
];

export interface Redactor {
  /** The text with every secret replaced; adds how many were to `tally` (no result object per line). */
  redact(text: string, tally: { redactions: number }): string;
  /**
   * Only the built-in rules: a text in which the envelope scanner saw nothing that may start one
   * of their triggers (ScannedFlag.mayHoldSecret) has nothing to redact, and is not checked again.
   */
  readonly builtInOnly: boolean;
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|]/;
/** A pattern with no regex syntax in it: String#includes finds it an order of magnitude faster than the regex engine. */
export const isPlainText = (pattern: string): boolean => pattern.length > 0 && !REGEX_SYNTAX.test(pattern);

/** Whether a text holds one of the triggers: the literal ones by includes(), the rest by one regex. */
function triggerTest(sources: string[]): { test(text: string): boolean } {
  const literals = sources.filter(isPlainText);
  const patterns = sources.filter((s) => !isPlainText(s));
  const regex = patterns.length > 0 ? new RegExp(patterns.join('|')) : undefined;
  return {
    test(text) {
      for (const literal of literals) if (text.includes(literal)) return true;
      return regex !== undefined && regex.test(text);
    },
  };
}

export function compileRedactor(options: { builtIn: boolean; patterns: string[]; replacement: string }): Redactor {
  const rules: RedactionRule[] = [...(options.builtIn ? BUILT_IN_RULES : []), ...options.patterns.map((source, i) => ({ name: `pattern-${i}`, source }))];
  if (rules.length === 0) return { redact: (text) => text, builtInOnly: false };
  // Numbered groups, not named ones: a named group makes the engine build a groups object per
  // match. A rule's KEEP group opens its source, so it is the first group of that alternative;
  // user patterns are wrapped so their own alternations (and groups) stay inside them.
  const keepAt: number[] = [];
  let groups = 0;
  const sources = rules.map((rule) => {
    const keeps = rule.source.startsWith('(?<KEEP>');
    if (!keeps && rule.source.includes('(?<KEEP>')) throw new Error(`redaction rule ${rule.name}: its KEEP group must open the pattern`);
    const source = keeps ? `(${rule.source.slice('(?<KEEP>'.length)}` : rule.source;
    if (keeps) keepAt.push(groups + 1);
    groups += new RegExp(`(?:${source})|`).exec('')!.length - 1;
    return `(?:${source})`;
  });
  const combined = new RegExp(sources.join('|'), 'g');
  // The pre-check: one scan for any trigger, far cheaper than the full expression (no `i` flag:
  // case-folding every character doubles the scan).
  const triggers = rules.every((r) => r.triggers) ? triggerTest(rules.flatMap((r) => r.triggers!)) : undefined;
  const replacement = options.replacement;
  // One replacer for every call (no closure per line); it counts into the tally of the current call.
  let current = { redactions: 0 };
  const replacer = function (): string {
    current.redactions += 1;
    for (const at of keepAt) {
      // The groups by number, read from `arguments`: no array per match.
      const kept: unknown = arguments[at];
      if (kept !== undefined) return `${kept as string}${replacement}`;
    }
    return replacement;
  };
  return {
    builtInOnly: options.builtIn && options.patterns.length === 0,
    redact(text, tally) {
      if (triggers && !triggers.test(text)) return text;
      current = tally;
      return text.replace(combined, replacer);
    },
  };
}
