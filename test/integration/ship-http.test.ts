// The shipper's HTTP destination against local receivers (node:http on 127.0.0.1) and the
// emulator's Secrets Manager and S3: a valid OpenSearch _bulk body and a valid Loki push body, with
// the credential read from Secrets Manager; a receiver failing half of the requests still ends with
// every record delivered exactly once or backed up; a receiver that is down ends in the S3 backup.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_ENV } from '../../scripts/lib/emulator.js';
import { type FaultProxy, startFaultProxy } from '../../scripts/lib/fault-proxy.js';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { validateConfig } from '../../shared/config/validate.js';
import { buildRecords } from '../../shared/decide/logs/build-records.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import { decodeLogBatch, shipLogEvent, sourceOf } from '../../shared/execute/ship/ship-batch.js';
import { shipDependencies } from '../../functions/ship/wiring.js';
import { uniqueName } from '../support/lambda.js';
import { burstPayload } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';

interface Receiver {
  url: string;
  /** Documents by _id (bulk) or log.record.uid (loki, ndjson), with how many times each arrived. */
  stored: Map<string, number>;
  authorizations: string[];
  problems: string[];
  /** How many of the next _bulk requests are applied and then answered 503, as if the answer were lost. */
  failAfterApplying: number;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  // Every format is sent gzip-compressed (the default): a body that is not is a failure.
  if (request.headers['content-encoding'] !== 'gzip') throw new Error(`body without content-encoding: gzip (${String(request.headers['content-encoding'])})`);
  return gunzipSync(raw).toString('utf8');
}

const uidOf = (line: string) => (JSON.parse(line) as { attributes: { 'log.record.uid': string } }).attributes['log.record.uid'];

/** A receiver speaking _bulk, Loki push and NDJSON, that checks each body the way the real ones parse it. */
async function startReceiver(): Promise<Receiver> {
  const stored = new Map<string, number>();
  const authorizations: string[] = [];
  const problems: string[] = [];
  const keep = (id: string) => stored.set(id, (stored.get(id) ?? 0) + 1);
  const state = { failAfterApplying: 0 };
  const server: Server = createServer((request, response) => {
    void body(request).then((text) => {
      authorizations.push(String(request.headers.authorization ?? ''));
      try {
        if (request.url === '/_bulk') {
          const lines = text.split('\n');
          if (lines.pop() !== '') throw new Error('_bulk body must end with a newline');
          const items = [];
          for (let i = 0; i < lines.length; i += 2) {
            const action = JSON.parse(lines[i]!) as { create?: { _index?: string; _id?: string } };
            if (!action.create?._index || !action.create._id) throw new Error(`line ${i}: not a create action with _index and _id`);
            if (uidOf(lines[i + 1]!) !== action.create._id) throw new Error(`line ${i + 1}: _id is not the record's log.record.uid`);
            const exists = stored.has(action.create._id);
            if (!exists) keep(action.create._id);
            // As OpenSearch does: `create` with an _id that is already there is a 409 for that item.
            items.push({ create: { _index: action.create._index, _id: action.create._id, status: exists ? 409 : 201 } });
          }
          if (state.failAfterApplying > 0) {
            state.failAfterApplying -= 1;
            response.writeHead(503).end('applied, but the answer is lost');
            return;
          }
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: items.some((x) => x.create.status !== 201), items }));
          return;
        }
        if (request.url === '/loki/api/v1/push') {
          if (request.headers['content-type'] !== 'application/json') throw new Error('loki push must be application/json');
          const push = JSON.parse(text) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
          for (const stream of push.streams) {
            if (typeof stream.stream.service_name !== 'string') throw new Error('stream without service_name label');
            for (const [ns, line] of stream.values) {
              if (!/^\d{19}$/.test(ns)) throw new Error(`timestamp ${ns} is not nanoseconds`);
              keep(uidOf(line));
            }
          }
          response.writeHead(204).end();
          return;
        }
        for (const line of text.split('\n').filter(Boolean)) keep(uidOf(line));
        response.writeHead(200).end('ok');
      } catch (error) {
        problems.push((error as Error).message);
        response.writeHead(400).end((error as Error).message);
      }
    }, (error: Error) => {
      problems.push(error.message);
      response.writeHead(400).end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stored,
    authorizations,
    problems,
    get failAfterApplying() {
      return state.failAfterApplying;
    },
    set failAfterApplying(n: number) {
      state.failAfterApplying = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let endpoint: string;
let s3: S3Client;
let receiver: Receiver;
let proxy: FaultProxy | undefined;
const name = uniqueName('ship-http');
const backupBucket = `${name}-backup`.toLowerCase();
const secretName = `${name}/search`;

const subscriptionEvent = (from: number, bursts: number) => makeSubscriptionEvent(burstPayload({ from, bursts, logGroup: `/ecs/${name}`, logStream: 'ecs/api/c0ffee00d15ea5e0b16b00b5deadbeef' }));

function deps(http: Record<string, unknown>, retry = { baseMs: 10, capMs: 200, maxAttempts: 12, reserveMs: 1_000 }) {
  const config = validateConfig({ ship: { destinations: { search: { http } }, backup: { bucket: backupBucket }, taskMetadata: false } }, 'test');
  return { ...shipDependencies({ region: 'us-east-1', endpointUrl: endpoint }, config, () => 60_000, () => new Date()), retry };
}

async function backedUp(): Promise<Array<{ destination: string; reason: string; record: { attributes: Record<string, string> } }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: backupBucket }));
  const objects = await Promise.all((listed.Contents ?? []).map(async ({ Key }) => gunzipSync(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: backupBucket, Key }))).Body!.transformToByteArray())).toString()));
  return objects.flatMap((text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

beforeAll(async () => {
  endpoint = inject('awsEndpoint');
  Object.assign(process.env, EMULATOR_ENV);
  s3 = new S3Client({ ...clientOptions(endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: backupBucket }));
  const secrets = new SecretsManagerClient(clientOptions(endpoint));
  await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ token: 'search-token-1' }) }));
  await secrets.send(new CreateSecretCommand({ Name: `${secretName}-basic`, SecretString: JSON.stringify({ userpass: 'shipper:pa55:word' }) }));
  await secrets.send(new CreateSecretCommand({ Name: `${secretName}-apikey`, SecretString: 'a2V5aWQ6c2VjcmV0' }));
  receiver = await startReceiver();
});

afterAll(async () => {
  await proxy?.stop();
  await receiver?.close();
});

describe('ship over HTTP', () => {
  it('sends a valid _bulk body (create, ids from the log event ids) with the bearer token from Secrets Manager', async () => {
    receiver.stored.clear();
    const outcome = await shipLogEvent(subscriptionEvent(0, 10), deps({ url: `${receiver.url}/_bulk`, format: 'opensearch-bulk', auth: { type: 'bearer', secret: `secretsmanager:${secretName}#token` } }));
    expect(receiver.problems).toEqual([]);
    expect(outcome.destinations[0]).toMatchObject({ delivered: outcome.stats.records, failed: 0 });
    expect(receiver.stored.size).toBe(outcome.stats.records);
    expect(receiver.authorizations.at(-1)).toBe('Bearer search-token-1');
  });

  it('sends basic and api-key credentials from Secrets Manager; the receiver refuses a body that is not gzip', async () => {
    receiver.stored.clear();
    await shipLogEvent(subscriptionEvent(200, 2), deps({ url: `${receiver.url}/ingest`, format: 'ndjson', auth: { type: 'basic', secret: `secretsmanager:${secretName}-basic#userpass` } }));
    expect(receiver.authorizations.at(-1)).toBe(`Basic ${Buffer.from('shipper:pa55:word').toString('base64')}`);
    await shipLogEvent(subscriptionEvent(300, 2), deps({ url: `${receiver.url}/_bulk`, format: 'opensearch-bulk', auth: { type: 'api-key', secret: `secretsmanager:${secretName}-apikey` } }));
    expect(receiver.authorizations.at(-1)).toBe('ApiKey a2V5aWQ6c2VjcmV0');
    expect(receiver.problems).toEqual([]);
    // The receiver really refuses a body that is not gzip-compressed.
    const plain = await shipLogEvent(subscriptionEvent(400, 1), deps({ url: `${receiver.url}/ingest`, format: 'ndjson', gzip: false }));
    expect(plain.backups).toHaveLength(1);
    expect(receiver.problems.at(-1)).toMatch(/without content-encoding: gzip/);
    receiver.problems.length = 0;
  });

  it('does not index a record twice when _bulk applied a request but its answer was lost', async () => {
    receiver.stored.clear();
    receiver.failAfterApplying = 2;
    const outcome = await shipLogEvent(subscriptionEvent(500, 10), deps({ url: `${receiver.url}/_bulk`, format: 'opensearch-bulk', maxBatchBytes: 8 * 1024 }));
    expect(receiver.failAfterApplying).toBe(0);
    expect(receiver.problems).toEqual([]);
    expect(outcome.backups).toEqual([]);
    expect(outcome.destinations[0]).toMatchObject({ delivered: outcome.stats.records, failed: 0 });
    expect(outcome.destinations[0]!.attempts).toBeGreaterThan(Math.ceil(outcome.destinations[0]!.bytes / (8 * 1024)));
    expect(receiver.stored.size).toBe(outcome.stats.records);
    expect([...receiver.stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('sends a valid Loki push body', async () => {
    receiver.stored.clear();
    const outcome = await shipLogEvent(subscriptionEvent(100, 10), deps({ url: `${receiver.url}/loki/api/v1/push`, format: 'loki' }));
    expect(receiver.problems).toEqual([]);
    expect(outcome.destinations[0]).toMatchObject({ delivered: outcome.stats.records, failed: 0 });
    expect([...receiver.stored.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.stored.size).toBe(outcome.stats.records);
  });

  it('with half of the requests failing, ends with every record delivered exactly once or backed up', async () => {
    receiver.stored.clear();
    proxy = await startFaultProxy({ upstream: receiver.url, seed: 20261125, rate: 0.5, kinds: ['server-error', 'throttle', 'unavailable', 'reset'] });
    // The records the pipeline makes of these batches (the same pure code, offline): each must end
    // up at the receiver exactly once or in the backup, never both, never neither.
    const rules = compileShipRules(validateConfig({}, 'test').ship);
    const expected: string[] = [];
    let backups = 0;
    for (const [format, path] of [['opensearch-bulk', '/_bulk'], ['ndjson', '/ingest']] as const) {
      for (let batch = 0; batch < 3; batch += 1) {
        const from = 1000 + batch * 100 + (format === 'ndjson' ? 5000 : 0);
        const event = subscriptionEvent(from, 30);
        const decoded = decodeLogBatch(event);
        expected.push(...buildRecords(decoded.logEvents, sourceOf(decoded), rules).records.map((r) => r.uid));
        const outcome = await shipLogEvent(event, deps({ url: `${proxy.url}${path}`, format, maxBatchBytes: 8 * 1024 }));
        backups += outcome.backups.reduce((sum, b) => sum + b.records, 0);
      }
    }
    expect(proxy.counts().faulted).toBeGreaterThan(20);
    expect(receiver.problems).toEqual([]);
    expect([...receiver.stored.values()].every((n) => n === 1)).toBe(true);
    const inBackup = (await backedUp()).map((b) => b.record.attributes['log.record.uid']!).filter((uid) => expected.includes(uid));
    expect(inBackup).toHaveLength(backups);
    expect([...receiver.stored.keys(), ...inBackup].sort()).toEqual([...expected].sort());
  }, 120_000);

  it('puts the whole batch in the S3 backup, with the reason, when the destination is down', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const outcome = await shipLogEvent(subscriptionEvent(9000, 5), deps({ url: `http://127.0.0.1:${port}/_bulk`, format: 'opensearch-bulk' }, { baseMs: 10, capMs: 50, maxAttempts: 3, reserveMs: 1_000 }));
    expect(outcome.destinations[0]).toMatchObject({ delivered: 0, failed: outcome.stats.records });
    expect(outcome.backups).toEqual([{ destination: 'search', records: outcome.stats.records, key: expect.stringMatching(/^ecs-autopilot-backup\/destination=search\/dt=\d{4}-\d{2}-\d{2}\/9000\d+-\d+\.ndjson\.gz$/) }]);
    const mine = (await backedUp()).filter((b) => b.record.attributes['log.record.uid']?.startsWith('9000'));
    expect(mine).toHaveLength(outcome.stats.records);
    for (const entry of mine) {
      expect(entry.destination).toBe('search');
      expect(entry.reason).toMatch(/no answer .*\(gave up after 3 attempts\)/);
    }
  });
});
