// Redaction: the built-in rules, configured patterns, and the property that matters: a secret
// embedded anywhere in a line never reaches the output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecords } from '../../shared/decide/logs/build-records.js';
import { compileRedactor } from '../../shared/decide/logs/redact.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { recordJson } from '../../shared/decide/logs/types.js';

const redactor = compileRedactor({ builtIn: true, patterns: ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b'], replacement: '[REDACTED]' });
const redact = (text: string) => redactor.redact(text, { redactions: 0 });

const upperDigits = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 16, maxLength: 16 });
const base64ish = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'), minLength: min, maxLength: max });
const passwordChars = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%^*_-~.'), minLength: 6, maxLength: 24 });

/** A secret, the text around it as a logger would write it, and the secret part that must disappear. */
const secret = fc.oneof(
  fc.tuple(fc.constantFrom('AKIA', 'ASIA'), upperDigits).map(([p, s]) => ({ line: p + s, secret: p + s })),
  fc.tuple(fc.constantFrom('aws_secret_access_key=', 'AWS_SECRET_ACCESS_KEY: ', '"SecretAccessKey":"', "secret_key='"), base64ish(40, 40)).map(([k, v]) => ({ line: k + v, secret: v })),
  fc.tuple(fc.constantFrom('Authorization: Bearer ', 'bearer '), base64ish(20, 60)).map(([k, v]) => ({ line: k + v, secret: v })),
  fc.tuple(fc.constantFrom('postgres', 'https', 'redis', 'amqp'), fc.constantFrom('admin', 'svc', ''), passwordChars).map(([scheme, user, pw]) => ({ line: `${scheme}://${user}:${pw}@db.internal:5432/app`, secret: `:${pw}@` })),
  base64ish(40, 64).map((body) => ({ line: `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`, secret: body })),
  base64ish(40, 64).map((body) => ({ line: `-----BEGIN PRIVATE KEY-----\n${body}`, secret: body })),
  fc.tuple(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1000, max: 9999 })).map(([a, b]) => ({ line: `${a}-${b}-${b}-${a}`, secret: `${a}-${b}-${b}-${a}` })),
);
/** Text around a secret: anything printable, cut off from the secret by a separator a logger would write. */
const noise = fc.string({ maxLength: 40 });
const separator = fc.constantFrom(' ', '\t', '"', "'", ',', ';', '(', '[', '=', ' | ');

describe('redaction', () => {
  it('removes each built-in kind and keeps the words that name it', () => {
    expect(redact('key AKIAIOSFODNN7EXAMPLE used')).toBe('key [REDACTED] used');
    expect(redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key = [REDACTED]');
    expect(redact('Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('connecting to postgres://app:s3cr3t@db:5432/orders')).toBe('connecting to postgres://app:[REDACTED]@db:5432/orders');
    expect(redact('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- done')).toBe('[REDACTED] done');
    expect(redact('card 4111-1111-1111-1111')).toBe('card [REDACTED]');
    expect(redact('nothing to see https://example.com/path GET 200')).toBe('nothing to see https://example.com/path GET 200');
  });

  it('counts redactions and honours builtIn: false and the replacement', () => {
    const only = compileRedactor({ builtIn: false, patterns: ['token-\\w+'], replacement: '***' });
    const tally = { redactions: 0 };
    expect(only.redact('token-abc AKIAIOSFODNN7EXAMPLE token-def', tally)).toBe('*** AKIAIOSFODNN7EXAMPLE ***');
    expect(tally.redactions).toBe(2);
  });

  it('never lets a secret embedded anywhere in a line through, alone or several at once', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, separator, secret, separator), { minLength: 1, maxLength: 4 }), noise, (parts, tail) => {
        const line = parts.map(([before, s1, { line: secretText }, s2]) => `${before}${s1}${secretText}${s2}`).join('') + tail;
        const out = redact(line);
        for (const [, , { secret: value }] of parts) expect(out).not.toContain(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets a secret through the whole pipeline, in JSON lines or plain lines', () => {
    const rules = compileShipRules(validateConfig({ ship: { redact: { patterns: ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b'] } } }, 'test').ship);
    fc.assert(
      fc.property(noise, secret, noise, fc.boolean(), (before, { line: secretText, secret: value }, after, asJson) => {
        const message = asJson ? JSON.stringify({ level: 'error', msg: `${before} ${secretText} ${after}` }) : `${before} ${secretText} ${after}`;
        const { records } = buildRecords([{ id: '1', timestamp: 0, message }], { logGroup: 'g', logStream: 's', owner: '' }, rules);
        const out = records.map((r) => JSON.parse(recordJson(r)) as { body: string }).map((r) => r.body).join('\n');
        expect(out).not.toContain(value);
      }),
      { numRuns: 1000 },
    );
  });
});
