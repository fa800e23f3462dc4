// Redaction before anything leaves: one regular expression that is every rule at once, so a
// record is scanned once however many rules there are, plus a cheap pre-check that skips the scan
// for the (usual) record with none of the rules' trigger characters sequences.
//
// Built-in rules (each replaces the secret, keeping the words that name it):
//   aws-access-key-id      AKIA/ASIA/... followed by 16 upper-case letters or digits
//   aws-secret-access-key  the value after aws_secret_access_key / SecretAccessKey / secret_key = or :
//   bearer-token           the token after "Bearer "
//   url-password           the password of scheme://user:password@host
//   private-key            a PEM private key, BEGIN to END (or to the end of the record when cut)
// Known limit: a rule that needs a context word (secret key, bearer) cannot see it when the
// previous match swallowed it ("Bearer aws_secret_access_key=..." loses the second context); the
// bearer rule then still redacts the token itself.

export interface RedactionRule {
  name: string;
  /** Source of the regex; a named group `keep<N>` (numbered by the compiler) is kept verbatim. */
  source: string;
  /** Lower-case strings of which at least one occurs in any match (the pre-check); none = always scan. */
  triggers?: string[];
}

/** Case-insensitive text without the `i` flag, which would also make [A-Z] match lower case in other rules. */
const anyCase = (word: string) => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');

export const BUILT_IN_RULES: readonly RedactionRule[] = [
  { name: 'aws-access-key-id', source: '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}', triggers: ['a3t', 'akia', 'asia', 'abia', 'acca', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva'] },
  {
    name: 'aws-secret-access-key',
    source: `(?<KEEP>${anyCase('secret')}[_.-]?(?:${anyCase('access')}[_.-]?)?${anyCase('key')}["']?\\s*(?:[:=]|=>)\\s*["']?)[A-Za-z0-9/+=]{16,}`,
    triggers: ['secret'],
  },
  { name: 'bearer-token', source: `(?<KEEP>${anyCase('bearer')}\\s+)[A-Za-z0-9\\-._~+/]+=*`, triggers: ['bearer'] },
  { name: 'url-password', source: '(?<KEEP>[A-Za-z][A-Za-z0-9+.-]*://[^\\s/:@]*:)[^\\s/@]+(?=@)', triggers: ['://'] },
  { name: 'private-key', source: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)', triggers: ['private key'] },
];

export interface Redactor {
  /** The text with every secret replaced, and how many were. */
  redact(text: string): { text: string; redactions: number };
}

export function compileRedactor(options: { builtIn: boolean; patterns: string[]; replacement: string }): Redactor {
  const rules: RedactionRule[] = [...(options.builtIn ? BUILT_IN_RULES : []), ...options.patterns.map((source, i) => ({ name: `pattern-${i}`, source }))];
  if (rules.length === 0) return { redact: (text) => ({ text, redactions: 0 }) };
  // Each rule's KEEP group gets its own name (a name may appear once per regex); user patterns are
  // wrapped so their own alternations stay inside them.
  const combined = new RegExp(rules.map((rule, i) => `(?:${rule.source.replace('(?<KEEP>', `(?<keep${i}>`)})`).join('|'), 'g');
  const keepNames = rules.map((_, i) => `keep${i}`);
  const triggers = rules.every((r) => r.triggers) ? [...new Set(rules.flatMap((r) => r.triggers!))] : undefined;
  const replacement = options.replacement;
  return {
    redact(text) {
      if (triggers) {
        const lower = text.toLowerCase();
        if (!triggers.some((t) => lower.includes(t))) return { text, redactions: 0 };
      }
      let redactions = 0;
      const out = text.replace(combined, (...args: unknown[]) => {
        redactions += 1;
        const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
        if (groups) for (const name of keepNames) if (groups[name] !== undefined) return groups[name] + replacement;
        return replacement;
      });
      return { text: out, redactions };
    },
  };
}
