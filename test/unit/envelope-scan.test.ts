// The envelope scanner (shared/intake/envelope-scan.ts, wasm/envelope-scan.ts) reads a piece of
// events instead of JSON.parse, and the record builder copies the literals it found instead of
// escaping the text again. JSON.parse and the builder without the scanner are the oracles: for
// any events, any bytes, the scanner gives what JSON.parse gives (or declines), and the records
// are byte for byte what they were.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEnvelopeScan, envelopeScanModule } from '../../scripts/build-wasm.js';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecordSlices, emptyBuildStats, RecordBuilder } from '../../shared/decide/logs/build-records.js';
import { BUILT_IN_RULES } from '../../shared/decide/logs/redact.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { type LogEvent, type RecordSource, ScannedFlag, ScannedRow, scannedLiteralsOf } from '../../shared/decide/logs/types.js';
import { scanLogEvents } from '../../shared/intake/envelope-scan.js';
import { ENVELOPE_SCAN_WASM } from '../../shared/intake/envelope-scan.wasm.js';
import { LogPayloadReader } from '../../shared/intake/log-payload-reader.js';
import { JAVA_TRACE, NODE_TRACE, PRIVATE_KEY, PYTHON_TRACE, SECRETS } from '../fixtures/logs/ecs-lines.js';

/** Runs of a property: as written, or more under `npm run fuzz` (FUZZ_RUNS). */
const runs = (n: number) => Math.max(n, Number(process.env.FUZZ_RUNS ?? 0) || 0);

const scan = (events: unknown, text = JSON.stringify(events)) => {
  const bytes = Buffer.from(text, 'utf8');
  return scanLogEvents(bytes, 0, bytes.length);
};

/** Text with what makes scanning hard: escapes of every kind, non-ASCII, emoji, lone surrogates, quotes, secrets' beginnings. */
const hardText = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', 'é', '😀', '\ud800', 'a', ' ', ':', 'A', 'K', 'S', 's', 'e', 'c', 'B', 'b', 'P', 'R', '{', '}', ',') }),
  fc.string({ unit: 'binary' }),
  fc.string(),
);
/**
 * A JSON literal of `text` escaped as another writer might: "/" as "\/" and letters as \u00XX
 * where `coins` say so, the rest as JSON.stringify escapes it (one UTF-16 unit at a time).
 */
function otherLiteral(text: string, coins: boolean[]): string {
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    const coin = coins[i % Math.max(1, coins.length)] ?? false;
    if (coin && c === '/') out += '\\/';
    else if (coin && /[A-Za-z]/.test(c)) out += `\\u00${c.charCodeAt(0).toString(16)}`;
    else out += JSON.stringify(c).slice(1, -1);
  }
  return `${out}"`;
}
const coins = fc.array(fc.boolean(), { maxLength: 7 });

const printableId = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const logEvent = fc.record({ id: fc.oneof(fc.stringMatching(/^[0-9]{1,56}$/), printableId), timestamp: fc.oneof(fc.integer({ min: 0, max: 2e12 }), fc.constant(8.64e15)), message: hardText });

describe('envelope scanner', () => {
  it('is the WebAssembly its source compiles to (run `npm run build:wasm` after changing wasm/envelope-scan.ts)', async () => {
    const compiled = await compileEnvelopeScan();
    expect(Buffer.from(compiled).toString('base64')).toBe(ENVELOPE_SCAN_WASM);
    expect(readFileSync(new URL('../../shared/intake/envelope-scan.wasm.ts', import.meta.url), 'utf8')).toBe(envelopeScanModule(compiled));
  }, 60_000);

  it('takes events in CloudWatch Logs\' shape, whatever their text, and gives what JSON.parse gives', () => {
    fc.assert(
      fc.property(fc.array(logEvent, { maxLength: 30 }), (events) => {
        const ids = events.every((e) => !/["\\]/.test(e.id));
        const read = scan(events);
        // Every id here is printable ASCII: the scanner declines only ids with a quote or backslash.
        if (ids) expect(read).toBeDefined();
        if (read) expect(read).toEqual(JSON.parse(JSON.stringify(events)));
      }),
      { numRuns: runs(1500) },
    );
  });

  it('gives what JSON.parse gives for literals escaped otherwise ("\\/", \\u0041)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(logEvent, coins), { maxLength: 20 }), (pairs) => {
        const text = `[${pairs.map(([e, c]) => `{"id":${JSON.stringify(e.id)},"timestamp":${e.timestamp},"message":${otherLiteral(e.message, c)}}`).join(',')}]`;
        const read = scan(undefined, text);
        if (pairs.every(([e]) => !/["\\]/.test(e.id))) expect(read).toBeDefined();
        if (read) expect(read).toEqual(JSON.parse(text));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('declines, or agrees with JSON.parse, on any byte dropped, doubled or replaced', () => {
    fc.assert(
      fc.property(fc.array(logEvent, { minLength: 1, maxLength: 6 }), fc.nat(), fc.constantFrom('drop', 'double', 'replace'), fc.integer({ min: 0, max: 255 }), (events, at, how, byte) => {
        const bytes = Buffer.from(JSON.stringify(events), 'utf8');
        const i = at % bytes.length;
        const broken = how === 'drop' ? Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]) : how === 'double' ? Buffer.concat([bytes.subarray(0, i + 1), bytes.subarray(i)]) : Buffer.from(bytes).fill(byte, i, i + 1);
        const read = scanLogEvents(broken, 0, broken.length);
        if (read === undefined) return;
        expect(read).toEqual(JSON.parse(broken.toString('utf8')));
      }),
      { numRuns: runs(8000) },
    );
  });

  it('declines other shapes and values JSON.parse reads differently, which then go to JSON.parse', () => {
    const declined = [
      '[{"id":"1","message":"a","timestamp":1}]', // another order
      '[{"id":"1", "timestamp":1,"message":"a"}]', // whitespace
      '[{"id":"1","timestamp":1.5,"message":"a"}]',
      '[{"id":"1","timestamp":-1,"message":"a"}]',
      '[{"id":"1","timestamp":01,"message":"a"}]',
      '[{"id":"1","timestamp":1e3,"message":"a"}]',
      '[{"id":"1","timestamp":8640000000000001,"message":"a"}]',
      '[{"id":"1","timestamp":1,"message":"a","extracted":{}}]',
      '[{"id":"\\u0031","timestamp":1,"message":"a"}]',
      '[{"id":"1","timestamp":1,"message":"a\tb"}]', // a raw tab: not JSON
      '[{"id":"1","timestamp":1,"message":"\\x"}]',
      '[{"id":"1","timestamp":1,"message":"\\u12"}]',
      '[{"id":"1","timestamp":1,"message":"\\u\u001001f"}]', // a control character is no hex digit (found by the property below)
      '[{"id":"1","timestamp":1,"message":"a"},]',
      '[{"id":"1","timestamp":1,"message":"a"}',
      '[{"id":"1","timestamp":1,"message":"a"}] ',
    ];
    for (const text of declined) expect(scan(undefined, text), text).toBeUndefined();
    expect(scan([])).toEqual([]);
  });

  it('flags every message in which a built-in redaction trigger may start, escapes and all', () => {
    const trigger = new RegExp(BUILT_IN_RULES.flatMap((r) => r.triggers!).join('|'));
    const words = fc.constantFrom('://', 'PRIVATE KEY', 'AKIA', 'ASIA', 'A3T', 'secret', 'SeCrEt', 'bearer', 'BEARER', ':/', 'sec', 'bea', 'AKI', 'A');
    const message = fc.array(fc.oneof(words, hardText), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(message, coins), { minLength: 1, maxLength: 8 }), (pairs) => {
        const messages = pairs.map(([m]) => m);
        const read = scan(undefined, `[${pairs.map(([m, c], i) => `{"id":"${i}","timestamp":${i},"message":${otherLiteral(m, c)}}`).join(',')}]`)!;
        expect(read.map((e) => e.message)).toEqual(messages);
        const literals = scannedLiteralsOf(read)!;
        messages.forEach((m, i) => {
          const flags = literals.rows[literals.rowBase + i * ScannedRow.ints + ScannedRow.flags]!;
          if (trigger.test(m)) expect(flags & (ScannedFlag.mayHoldSecret | ScannedFlag.unicodeEscape)).not.toBe(0);
        });
      }),
      { numRuns: runs(2000) },
    );
    // And says so where there is nothing of the kind: plain lines are not checked again.
    const read = scan([{ id: '1', timestamp: 1, message: 'GET /health 200 in 3 ms' }])!;
    const literals = scannedLiteralsOf(read)!;
    expect(literals.rows[literals.rowBase + ScannedRow.flags]).toBe(0);
  });

  it('marks the literals of a piece stale once the next piece is scanned', () => {
    const first = scan([{ id: '1', timestamp: 1, message: 'a' }])!;
    expect(scannedLiteralsOf(first)!.live).toBe(true);
    scan([{ id: '2', timestamp: 2, message: 'b' }]);
    expect(scannedLiteralsOf(first)!.live).toBe(false);
    expect(first).toEqual([{ id: '1', timestamp: 1, message: 'a' }]);
  });
});

describe('records built from scanned pieces', () => {
  const source: RecordSource = { logGroup: '/ecs/api', logStream: 'ecs/api/abc', owner: '123456789012', container: 'api', taskId: 'abc' };
  const secretLines = [`calling upstream with Authorization: Bearer ${SECRETS.bearer}`, `{"aws_access_key_id":"${SECRETS.accessKeyId}","msg":"x"}`, `https://u:${SECRETS.urlPassword}@host/`, `aws_secret_access_key=${SECRETS.secretAccessKey}`];
  const line = fc.oneof(
    fc.constantFrom(...JAVA_TRACE, ...PYTHON_TRACE, ...NODE_TRACE, ...PRIVATE_KEY, ...secretLines, '{"level":"warn","msg":"slow","n":1}', 'plain line', 'ELB-HealthChecker/2.0', ''),
    hardText,
  );
  const ending = fc.constantFrom('', '\n', '\r\n', '\n\n', '\\n');

  /** The NDJSON and stats of the events read by a reader (scanner on or off), in pieces of pieceBytes. */
  function build(events: LogEvent[], scanner: boolean, pieceBytes: number, rules: ReturnType<typeof compileShipRules>) {
    const reader = new LogPayloadReader({ pieceBytes, scan: scanner });
    const bytes = Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: events }), 'utf8');
    const stats = emptyBuildStats();
    const builder = new RecordBuilder(source, rules, stats);
    const lines: string[] = [];
    let scanned = 0;
    const take = (slices: Iterable<{ line: Buffer }[]>) => {
      for (const slice of slices) for (const record of slice) lines.push(record.line.toString('utf8'));
    };
    for (const piece of [...reader.push(bytes), ...reader.end()]) {
      if (scannedLiteralsOf(piece as LogEvent[])) scanned += 1;
      take(builder.add(piece as LogEvent[]));
    }
    take(builder.finish());
    return { lines, stats, scanned };
  }

  for (const [name, config] of [
    ['built-in redaction', {}],
    ['a pattern of its own (every line checked)', { redact: { patterns: ['order [0-9]+'] } }],
    ['no redaction', { redact: { builtIn: false } }],
    ['start patterns', { multiline: { startPatterns: ['^\\d{4}-'] } }],
  ] as const) {
    it(`are byte for byte those built from JSON.parse's events, traces cut between pieces included (${name})`, () => {
      const rules = compileShipRules(validateConfig({ ship: { drop: ['ELB-HealthChecker'], ...config } }, 'test').ship);
      let scannedPieces = 0;
      fc.assert(
        fc.property(fc.array(fc.tuple(line, ending), { maxLength: 60 }), fc.integer({ min: 1, max: 2000 }), (parts, pieceBytes) => {
          const events = parts.map(([text, end], i) => ({ id: `38611265981470216571934617384529165213436592178130${String(i).padStart(6, '0')}`, timestamp: 1_700_000_000_000 + i, message: text + end }));
          const scanned = build(events, true, pieceBytes, rules);
          const parsed = build(events, false, pieceBytes, rules);
          expect(scanned.lines).toEqual(parsed.lines);
          expect(scanned.stats).toEqual(parsed.stats);
          scannedPieces += scanned.scanned;
        }),
        { numRuns: runs(400) },
      );
      expect(scannedPieces).toBeGreaterThan(100);
    });
  }

  it('copies an unchanged record from its literals and escapes only what changed (a redacted or JSON line)', () => {
    const rules = compileShipRules(validateConfig({ ship: {} }, 'test').ship);
    const events = [...JAVA_TRACE, 'ok\r\n', `token Bearer ${SECRETS.bearer}`, '{"msg":"a\\"b"}'].map((message, i) => ({ id: String(i), timestamp: i, message }));
    const piece = scan(events)!;
    const lines = [...buildRecordSlices(piece, source, rules, emptyBuildStats())].flat().map((r) => JSON.parse(r.line.toString('utf8')) as { body: string });
    expect(lines.map((l) => l.body)).toEqual([JAVA_TRACE.join('\n'), 'ok', 'token Bearer [REDACTED]', 'a"b']);
  });
});
