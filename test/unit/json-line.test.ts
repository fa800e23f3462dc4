// JSON log lines: the one-pass scan (shared/decide/logs/json-line.ts) must take exactly the lines
// JSON.parse takes as objects, and give what JSON.parse's fields would: the body, the other
// fields, the level, with the fields named like the record's own attributes left out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonObject, mayBeJsonObject, parseJsonLine } from '../../shared/decide/logs/json-line.js';
import { severityOfFields } from '../../shared/decide/logs/level.js';

const RESERVED = new Set(['service.name', 'aws.ecs.task.id', 'log.record.uid']);
const BODY_KEYS = ['message', 'msg', 'log', '@message'];

/** What JSON.parse says the line holds, or undefined when it is not a JSON object. */
function oracle(line: string) {
  const fields = mayBeJsonObject(line) ? jsonObject(line) : undefined;
  if (fields === undefined) return undefined;
  const bodyKey = BODY_KEYS.find((key) => typeof fields[key] === 'string');
  const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => key !== bodyKey && !RESERVED.has(key)));
  return { body: bodyKey ? (fields[bodyKey] as string) : line, bodyKey, rest, severity: severityOfFields(fields) };
}

function expectAsJsonParse(line: string): void {
  const expected = oracle(line);
  const got = parseJsonLine(line, RESERVED);
  if (expected === undefined) {
    expect(got, line).toBeUndefined();
    return;
  }
  expect(got, line).toBeDefined();
  expect(got!.body, line).toBe(expected.body);
  expect(got!.bodyKey, line).toBe(expected.bodyKey);
  if (expected.bodyKey) expect(JSON.parse(got!.bodyJson!), line).toBe(expected.body);
  else expect(got!.bodyJson, line).toBeUndefined();
  // The members parse back to the fields without the body and the reserved keys, and fit on one line.
  // (Compared as JSON text gives them: a number beyond a double's range is Infinity to JSON.parse, null once re-serialised.)
  const asJson = (fields: unknown) => JSON.parse(JSON.stringify(fields)) as unknown;
  expect(asJson(JSON.parse(`{${got!.fieldsJson}}`)), line).toEqual(asJson(expected.rest));
  expect(got!.fieldsJson, line).not.toMatch(/[\n\r]/);
  expect(got!.severity, line).toEqual(expected.severity);
}

const key = fc.oneof(fc.constantFrom(...BODY_KEYS, 'level', 'severity', 'lvl', 'levelname', 'log.level', 'loglevel', ...RESERVED, 'time', 'a.b', 'n'), fc.string({ maxLength: 8 }));
const level = fc.oneof(fc.constantFrom('info', 'WARN', 'error', 'Fatal', 'nonsense'), fc.integer({ min: 0, max: 70 }), fc.jsonValue({ maxDepth: 1 }));
const value = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }), level, fc.jsonValue({ maxDepth: 3 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const entries = fc.array(fc.tuple(key, value), { maxLength: 8 });
/** An object text as loggers write it (compact), or with spaces and line breaks, keys possibly repeated. */
const objectText = fc.tuple(entries, fc.constantFrom('', ' ', '\n', '\t', '\r\n'), fc.boolean()).map(([members, space, escapeKeys]) => {
  const keyText = (k: string) => (escapeKeys ? JSON.stringify(k).replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : JSON.stringify(k));
  return `{${space}${members.map(([k, v]) => `${keyText(k)}${space}:${space}${JSON.stringify(v, null, space === '\n' ? 1 : undefined) ?? 'null'}`).join(`,${space}`)}${space}}`;
});

describe('JSON lines', () => {
  it('give what JSON.parse gives: body, fields without the body and the attributes\' keys, level', () => {
    fc.assert(fc.property(objectText, expectAsJsonParse), { numRuns: 3000 });
  });

  it('are refused exactly where JSON.parse refuses them, however they are broken', () => {
    // Valid object texts with a character dropped, doubled or replaced anywhere.
    const broken = fc.tuple(objectText, fc.nat(), fc.constantFrom('drop', 'double', 'replace'), fc.constantFrom('"', '\\', ',', ':', '}', '{', '[', ']', ' ', '0', '-', '.', 'e', 't', '\u0001', '\u00e9')).map(([text, at, how, c]) => {
      const i = text.length > 2 ? 1 + (at % (text.length - 2)) : 0;
      if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
      if (how === 'double') return text.slice(0, i) + text[i] + text.slice(i);
      return text.slice(0, i) + c + text.slice(i + 1);
    });
    fc.assert(fc.property(broken, expectAsJsonParse), { numRuns: 5000 });
    // And anything between braces.
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (inner) => expectAsJsonParse(`{${inner}}`)), { numRuns: 3000 });
  });

  it('reads the usual lines without building their fields, and the rare ones through JSON.parse', () => {
    for (const line of [
      '{"level":"info","msg":"GET /api 200","duration_ms":12,"user":{"id":7,"roles":["a","b"]}}',
      '{"msg":"first"}',
      '{"a":1,"msg":"middle \\"quoted\\" \\u00e9","b":[true,false,null]}',
      '{"a":1,"b":2,"message":"last"}',
      '{"message":{"not":"a string"},"msg":"the body"}',
      '{"level":50,"time":1,"v":-1.5e+3}',
      '{"severity":"nonsense","lvl":"warn"}',
      '{ "level" : "debug" , "msg" : "spaced" }',
      '{"msg":"a","msg":"b"}',
      '{"service.name":"spoofed","aws.ecs.task.id":"x","msg":"hi","ok":1}',
      '{"log.level":"error","msg":"ECS logging"}',
      '{"a":\n1,"msg":"line break between tokens"}',
      '{}',
      '{"deep":' + '['.repeat(2000) + ']'.repeat(2000) + '}',
      '{"a":01}',
      '{"a":1}}',
      '{"a":"raw\ttab"}',
      '{"a":1,}',
      '{"a" 1}',
      '{"a":tru}',
    ]) {
      expectAsJsonParse(line);
    }
    // Any depth: the scan keeps no stack of calls; a line left to JSON.parse and too deep for JSON.stringify is a plain line.
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(parseJsonLine(`{"msg":"deep","a":${deep}}`)?.fieldsJson).toBe(`"a":${deep}`);
    expect(() => parseJsonLine(`{"\\u0061":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`)).not.toThrow();
    expect(parseJsonLine('{"level":"warn","msg":"x"}')?.severity?.text).toBe('WARN');
    expect(parseJsonLine('{"service.name":"spoofed","msg":"hi"}', RESERVED)?.fieldsJson).toBe('');
  });
});
