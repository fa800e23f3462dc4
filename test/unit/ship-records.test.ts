// The shipper's pure core: stream naming, multiline joining, levels, JSON fields, enrichment,
// drop filters and sampling, on real-shaped ECS lines.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecords, buildRecordSlices, buildRecordSlicesFrom, emptyBuildStats } from '../../shared/decide/logs/build-records.js';
import { bodyBytesOf, bulkBody, gzippedBulkBody } from '../../shared/adapters/destinations/http-formats.js';
import { detachRecord, SlabStore, writeLineBase64 } from '../../shared/decide/logs/line-writer.js';
import { joinMultiline } from '../../shared/decide/logs/multiline.js';
import { severityOfText } from '../../shared/decide/logs/level.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { parseAwslogsStream } from '../../shared/decide/logs/stream-name.js';
import { keptBySampling, unitHash } from '../../shared/decide/logs/sampling.js';
import { recordJson, type LogEvent, type RecordSource, type ShipRecord, type TaskMetadata } from '../../shared/decide/logs/types.js';
import { decodeLogBatch, sourceOf } from '../../shared/execute/ship/ship-batch.js';
import { JAVA_TRACE, NODE_TRACE, PYTHON_TRACE, SECRETS } from '../fixtures/logs/ecs-lines.js';

const rules = (ship: Record<string, unknown> = {}) => compileShipRules(validateConfig({ ship }, 'test').ship);
const events = (lines: string[], t0 = 1_795_168_798_000): LogEvent[] => lines.map((message, i) => ({ id: `3861126598147021657193461738452916521343659217813${String(i).padStart(7, '0')}`, timestamp: t0 + i, message }));
const messages = (lines: string[], options = rules().multiline) => joinMultiline(events(lines), options).map((r) => r.message);
const source: RecordSource = { logGroup: '/ecs/orders-api', logStream: 'ecs/api/c0ffee00d15ea5e0b16b00b5deadbeef', owner: '123456789012', container: 'api', taskId: 'c0ffee00d15ea5e0b16b00b5deadbeef' };
const task: TaskMetadata = {
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/c0ffee00d15ea5e0b16b00b5deadbeef',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
  family: 'orders-api',
  revision: '42',
  serviceName: 'orders',
};
const parsed = (lines: string[], r = rules(), s: RecordSource = source) => buildRecords(events(lines), s, r).records.map((x) => JSON.parse(recordJson(x)) as { timestamp: string; severity_text?: string; severity_number: number; body: string; attributes: Record<string, unknown> });

describe('awslogs stream names', () => {
  it('reads prefix, container and task id, old UUID ids included', () => {
    expect(parseAwslogsStream('ecs/api/c0ffee00d15ea5e0b16b00b5deadbeef')).toEqual({ prefix: 'ecs', container: 'api', taskId: 'c0ffee00d15ea5e0b16b00b5deadbeef' });
    expect(parseAwslogsStream('my/prefix/web/4d0a6bd1-7f43-4c3f-a3a1-6c1d1e6f1a2b')?.prefix).toBe('my/prefix');
    expect(parseAwslogsStream('i-0abc/var/log/messages')).toBeUndefined();
    expect(parseAwslogsStream('c0ffee00d15ea5e0b16b00b5deadbeef')).toBeUndefined();
  });
});

describe('multiline', () => {
  it('joins Java, Python and Node.js traces that arrive one line per event, and keeps other lines apart', () => {
    const out = messages(['INFO start', ...JAVA_TRACE, 'INFO next', ...PYTHON_TRACE, 'INFO again', ...NODE_TRACE, 'INFO done']);
    expect(out).toEqual(['INFO start', JAVA_TRACE.join('\n'), 'INFO next', PYTHON_TRACE.join('\n'), 'INFO again', NODE_TRACE.join('\n'), 'INFO done']);
  });

  it('joins chained Python tracebacks into one record', () => {
    const chained = [...PYTHON_TRACE, '', 'During handling of the above exception, another exception occurred:', '', ...PYTHON_TRACE];
    expect(messages([...chained, 'INFO after'])).toEqual([chained.join('\n'), 'INFO after']);
  });

  it('never joins a JSON line to the line before', () => {
    expect(messages(['Traceback (most recent call last):', '  File "x.py", line 1', '{"level":"info"}'])).toHaveLength(2);
  });

  it('uses configured start patterns instead of the built-in rules', () => {
    const r = rules({ multiline: { startPatterns: ['^\\d{4}-\\d{2}-\\d{2} '] } }).multiline;
    expect(messages(['2026-11-20 10:00:00 one', 'not indented continuation', '2026-11-20 10:00:01 two'], r)).toEqual(['2026-11-20 10:00:00 one\nnot indented continuation', '2026-11-20 10:00:01 two']);
  });

  it('marks the first record of a batch that starts mid-trace as continued (a trace split over two batches)', () => {
    const joined = joinMultiline(events(JAVA_TRACE.slice(3)), rules().multiline);
    expect(joined[0]!.continued).toBe(true);
    expect(parsed(JAVA_TRACE.slice(3))[0]!.attributes['log.record.continued']).toBe(true);
    expect(joinMultiline(events(JAVA_TRACE), rules().multiline)[0]!.continued).toBe(false);
  });

  it('stops a record at maxLines', () => {
    const r = rules({ multiline: { maxLines: 3 } }).multiline;
    expect(messages(['Error: x', '    at a', '    at b', '    at c'], r)).toEqual(['Error: x\n    at a\n    at b', '    at c']);
  });
});

describe('levels', () => {
  it('reads JSON level fields (words and pino numbers), level words near the start, logfmt, and traces', () => {
    const [a, b, c, d, e, f] = parsed(['{"level":"warn","msg":"x"}', '{"level":50,"msg":"y"}', '2026-11-20 ERROR boom', 'level=debug msg=hi', NODE_TRACE[0]!, 'no level here, only an error later']);
    expect([a, b, c, d, e, f].map((r) => r!.severity_text)).toEqual(['WARN', 'ERROR', 'ERROR', 'DEBUG', 'ERROR', undefined]);
    expect(f!.severity_number).toBe(0);
    expect(severityOfText('INFO request failed with ERROR later').text).toBe('INFO');
  });

  it('finds the level word the regex names, read without its match: every word, at any place, next to any character', () => {
    const words = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'SEVERE', 'FATAL', 'CRIT', 'CRITICAL', 'PANIC', 'EMERG', 'ERRORS', 'INFOS', 'WARNIN', 'EMERGE'];
    const word = /\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|SEVERE|FATAL|CRIT(?:ICAL)?|PANIC|EMERG)\b/;
    const text = fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ unit: fc.constantFrom(' ', '_', '-', 'a', 'Z', '1', '[', ':', '\t') })), { maxLength: 10 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const found = word.exec(t.length > 120 ? t.slice(0, 120) : t);
        const severity = severityOfText(t);
        if (found && !t.includes('level=')) expect(severity.text).toBe(severityOfText(found[1]!).text);
        if (!found && !t.includes('level=')) expect(['', 'ERROR']).toContain(severity.text);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('records', () => {
  it('follow the OpenTelemetry log data model with the ECS and CloudWatch Logs attributes', () => {
    const [record] = parsed(['{"level":"info","msg":"GET /api/orders 200","duration_ms":41,"trace_id":"abc"}'], rules(), { ...source, task });
    expect(record).toEqual({
      timestamp: '2026-11-20T09:59:58.000Z',
      severity_text: 'INFO',
      severity_number: 9,
      body: 'GET /api/orders 200',
      attributes: {
        'log.record.uid': '38611265981470216571934617384529165213436592178130000000',
        'service.name': 'orders',
        'cloud.account.id': '123456789012',
        'cloud.region': 'us-east-1',
        'aws.log.group.names': ['/ecs/orders-api'],
        'aws.log.stream.names': ['ecs/api/c0ffee00d15ea5e0b16b00b5deadbeef'],
        'container.name': 'api',
        'aws.ecs.task.id': 'c0ffee00d15ea5e0b16b00b5deadbeef',
        'aws.ecs.task.arn': task.taskArn,
        'aws.ecs.cluster.arn': task.clusterArn,
        'aws.ecs.task.family': 'orders-api',
        'aws.ecs.task.revision': '42',
        level: 'info',
        duration_ms: 41,
        trace_id: 'abc',
      },
    });
  });

  it('keeps a JSON line whole when its message is escaped, and never lets a field shadow an enrichment attribute', () => {
    const [a, b] = parsed(['{"msg":"say \\"hi\\"\\n","n":1}', '{"message":"m","service.name":"spoofed","x":{"y":[1,2]}}']);
    expect(a!.body).toBe('say "hi"\n');
    expect(a!.attributes.n).toBe(1);
    expect(b!.attributes['service.name']).toBe('api');
    expect(b!.attributes.x).toEqual({ y: [1, 2] });
  });

  it('gives back each record\'s uid as the event id, whatever characters the id holds (read back from the line it was written into)', () => {
    const r = rules({});
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.string({ unit: fc.constantFrom('"', '\\', '1', 'a', '\n', '\u0000', '\u007f', 'é', '\ud800', '😀'), maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 24 })), fc.constantFrom('plain', '{"msg":"json"}', '\tat trace')), { minLength: 1, maxLength: 12 }), (pairs) => {
        const ids = pairs.map(([id], i) => `${id}#${i}`);
        const evs = pairs.map(([, message], i) => ({ id: ids[i]!, timestamp: 1_700_000_000_000 + i, message: i === 0 ? 'first' : message }));
        // A small slice, so records fall in several slices; each slice's records are read before the next is asked for.
        const seen: string[] = [];
        for (const slice of buildRecordSlices(evs, source, r, emptyBuildStats(), { sliceBytes: 2048 })) {
          for (const record of slice) {
            seen.push(record.uid);
            expect(JSON.parse(recordJson(record)).attributes['log.record.uid']).toBe(record.uid);
            // Destinations read the uid's literal and the line from the slab: the same bytes as from the strings.
            const base64 = Buffer.alloc(record.bytes * 2 + 8);
            expect(base64.toString('latin1', 3, writeLineBase64(record, base64, 3))).toBe(record.line.toString('base64'));
          }
          const bulk = Buffer.concat(slice.flatMap((record) => [Buffer.from(`{"create":{"_index":"logs-é","_id":${JSON.stringify(record.uid)}}}\n`), record.line]));
          expect(bulkBody('logs-é', slice)).toEqual(bulk);
          expect(bulkBody('logs-é', slice.map(detachRecord))).toEqual(bulk);
          expect(gunzipSync(gzippedBulkBody('logs-é', slice))).toEqual(bulk);
          const sizeOf = bodyBytesOf('opensearch-bulk', 'logs-é')!;
          expect(slice.reduce((sum, record) => sum + sizeOf(record), 0)).toBe(bulk.length);
        }
        const firsts = joinMultiline(evs, r.multiline).map((x) => x.first.id);
        expect(seen).toEqual(firsts);
      }),
    );
  });

  it('treats text that only looks like JSON as text', () => {
    expect(parsed(['{not json}'])[0]!.body).toBe('{not json}');
    expect(parsed(['[1,2]'])[0]!.body).toBe('[1,2]');
  });

  it('drops lines matching a drop filter and samples a service deterministically by log event id', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}`);
    const r = rules({ drop: ['^line 1\\d*$'], sampling: [{ service: 'api', rate: 0.25 }] });
    const first = buildRecords(events(lines), source, r);
    const again = buildRecords(events(lines), source, r);
    expect(first.records.map((x) => x.uid)).toEqual(again.records.map((x) => x.uid));
    expect(first.stats.dropped).toBe(1 + 10 + 100);
    expect(first.stats.sampledOut + first.records.length).toBe(400 - first.stats.dropped);
    expect(first.records.length).toBeGreaterThan(40);
    expect(first.records.length).toBeLessThan(110);
    expect(keptBySampling(0, 'x')).toBe(false);
    expect(keptBySampling(1, 'x')).toBe(true);
    expect(unitHash('a')).not.toBe(unitHash('b'));
  });

  it('ship the real-shaped fixture with no secret left, traces joined, stream facts attached', () => {
    const batch = decodeLogBatch(JSON.parse(readFileSync(new URL('../fixtures/logs/logs-ecs-api.json', import.meta.url), 'utf8')));
    const { records, stats } = buildRecords(batch.logEvents, sourceOf(batch), rules());
    const text = records.map(recordJson).join('\n');
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(stats.redactions).toBeGreaterThan(0);
    expect(stats.records).toBeLessThan(stats.events);
    expect(text).toContain(JSON.stringify(JAVA_TRACE.slice(1).join('\n')).slice(1, -1));
    for (const record of records) expect(JSON.parse(recordJson(record)).attributes['aws.ecs.task.id']).toBe('c0ffee00d15ea5e0b16b00b5deadbeef');
  });
});

describe('multiline after a JSON line', () => {
  it('keeps a JSON record whole: a raw trace after it is a record of its own', () => {
    expect(messages(['{"level":"error","msg":"boom"}', 'java.lang.IllegalStateException: x', '\tat a.B.c(B.java:1)'])).toEqual([
      '{"level":"error","msg":"boom"}',
      'java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)',
    ]);
  });
});

describe('slices sharing one buffer', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `2026-11-20 09:59:58.104  INFO 1 --- [main] c.e.Orders : order ${i} ${'x'.repeat(i % 50)}`);
  const sliced = (slabs?: SlabStore) => buildRecordSlices(events(lines), source, rules(), emptyBuildStats(), { sliceBytes: 8 * 1024, ...(slabs ? { slabs } : {}) });

  it('writes every slice into the same buffer, each record line intact while its slice is current', () => {
    const slabs = new SlabStore();
    const bodies: string[] = [];
    const kept: ShipRecord[] = [];
    let slices = 0;
    for (const slice of sliced(slabs)) {
      slices += 1;
      for (const record of slice) bodies.push((JSON.parse(recordJson(record)) as { body: string }).body);
      kept.push(slice[0]!, ...slice.slice(1, 2).map(detachRecord));
    }
    expect(slices).toBeGreaterThan(3);
    expect(bodies).toEqual(lines);
    // A record read after its slice was written over refuses, rather than showing another line.
    expect(() => kept[0]!.line).toThrow(/buffer was reused; a record kept past its slice must be detached/);
    // A detached one keeps its own copy.
    expect((JSON.parse(recordJson(kept[1]!)) as { body: string }).body).toBe(lines[1]);
    expect(slabs.slab).toBeDefined();
  });

  it('events in pieces give the same records as in one array, a trace cut between two pieces included', async () => {
    const traced = [...lines.slice(0, 150), ...JAVA_TRACE, ...lines.slice(150)];
    async function* pieces() {
      const all = events(traced);
      // Cut inside the trace (its 3rd line), and elsewhere.
      for (const [from, to] of [[0, 152], [152, 300], [300, all.length]] as const) yield all.slice(from, to);
    }
    const fromPieces: string[] = [];
    for await (const slice of buildRecordSlicesFrom(pieces(), source, rules(), emptyBuildStats(), { sliceBytes: 8 * 1024 })) fromPieces.push(...slice.map(recordJson));
    expect(fromPieces).toEqual(buildRecords(events(traced), source, rules()).records.map(recordJson));
  });

  it('gives the buffer back to its store when the events fail part-way, or the consumer stops early', async () => {
    async function* failing() {
      yield events(lines).slice(0, 200);
      throw new Error('corrupt gzip stream');
    }
    const slabs = new SlabStore();
    await expect((async () => {
      for await (const slice of buildRecordSlicesFrom(failing(), source, rules(), emptyBuildStats(), { sliceBytes: 8 * 1024, slabs })) expect(slice.length).toBeGreaterThan(0);
    })()).rejects.toThrow('corrupt gzip stream');
    expect(slabs.slab).toBeDefined();
    async function* whole() {
      yield events(lines);
    }
    const again = new SlabStore();
    for await (const slice of buildRecordSlicesFrom(whole(), source, rules(), emptyBuildStats(), { sliceBytes: 8 * 1024, slabs: again })) {
      expect(slice.length).toBeGreaterThan(0);
      break;
    }
    expect(again.slab).toBeDefined();
  });

  it('without a store, every slice has its own buffer and records stay readable', () => {
    const all = [...sliced()].flat();
    expect(all.map((r) => (JSON.parse(recordJson(r)) as { body: string }).body)).toEqual(lines);
  });
});
