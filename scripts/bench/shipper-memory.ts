// Peak memory of shipping one batch, in a fresh process, the way a warm Lambda container does it:
// the event (as Lambda holds it) is read first, a small batch is shipped once so that code is
// loaded and compiled, then the big batch is shipped end to end through the executor: decode,
// records, and delivery to three destinations at once whose transports are stubbed right at the
// network: Firehose and S3 through the real SDK clients (request serialisation, base64 of every
// record, signing, gzip of the S3 object), HTTP _bulk through the real destination (body, gzip).
// What is reported:
//   rssPeakBytes   the kernel's high-water mark of the resident set (getrusage maxrss) over the
//                  resident set just before the batch: everything, garbage included, at its worst;
//   heapPeakBytes  V8 heap used + external memory (buffers), sampled at every request a stub
//                  receives and at the end, over the same starting point, without forcing a GC;
//                  run with --expose-gc, a full GC before each sample: the live set, what the
//                  batch itself holds at once (garbage left out);
//   steadyRssPeakBytes  the same high-water mark after WARM_BATCHES more batches like it, one
//                  after another as a busy container gets them: what a warm container settles at,
//                  once V8's heap has grown to its working size and garbage of one batch meets
//                  the next (also over the resident set before the first big batch).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { createFirehoseDestination } from '../../shared/adapters/destinations/firehose.js';
import { createHttpDestination } from '../../shared/adapters/destinations/http.js';
import { createS3Destination } from '../../shared/adapters/destinations/s3.js';
import { validateConfig } from '../../shared/config/validate.js';
import { SlabStore } from '../../shared/decide/logs/line-writer.js';
import { shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { ecsPayload } from '../../test/fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../../test/fixtures/logs/make-subscription-event.js';
import { benchRules } from './shipper.js';

const event: unknown = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));

let heapStart = 0;
let heapPeak = 0;
const collect = (globalThis as { gc?: () => void }).gc;
const sample = () => {
  collect?.();
  const { heapUsed, external } = process.memoryUsage();
  heapPeak = Math.max(heapPeak, heapUsed + external - heapStart);
};

/** Answers every SDK request 200 without a network, after the SDK has built (and signed) it. */
const stubHandler = (answer: (body: unknown) => string) => ({
  handle: async (request: { body?: unknown }) => {
    sample();
    const body = answer(request.body);
    return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(body)]) } };
  },
});
const clientOptions = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const firehose = new FirehoseClient({ ...clientOptions, requestHandler: stubHandler(() => '{"FailedPutCount":0,"RequestResponses":[]}') });
const s3 = new S3Client({ ...clientOptions, requestHandler: stubHandler(() => '') });
const http = validateConfig({ ship: { destinations: { search: { http: { url: 'https://search.invalid/_bulk', format: 'opensearch-bulk' } } }, backup: { bucket: 'bench-backup', prefix: 'p/' } } }, 'bench').ship.destinations.search!.http!;
const fetchStub = (async () => {
  sample();
  return new Response(`{"errors":false,"items":[]}`); // errors false: every item was created
}) as unknown as typeof fetch;

const deps = {
  rules: benchRules(),
  destinations: [
    createFirehoseDestination('stream', firehose, { deliveryStream: 'logs' }),
    createS3Destination('archive', s3, { bucket: 'archive', prefix: 'logs/' }),
    createHttpDestination('search', http, { fetch: fetchStub, now: () => new Date() }),
  ],
  clock: { remainingMs: () => 60_000, sleep: async () => {}, random: () => 0 },
  now: () => new Date(),
  slabs: new SlabStore(),
};

await shipLogEvent(makeSubscriptionEvent(ecsPayload(50_000)), deps);
const rssBefore = process.memoryUsage().rss;
const { heapUsed, external } = process.memoryUsage();
heapStart = heapUsed + external;
heapPeak = 0; // the warm-up batch sampled from zero
const outcome = await shipLogEvent(event, deps);
sample();
const rssPeakBytes = process.resourceUsage().maxRSS * 1024 - rssBefore;
const heapPeakBytes = heapPeak;
/** Batches after the first big one, for the warm container's figure. */
const WARM_BATCHES = 8;
for (let i = 0; i < WARM_BATCHES; i += 1) await shipLogEvent(event, deps);
const steadyRssPeakBytes = process.resourceUsage().maxRSS * 1024 - rssBefore;
const delivered = outcome.destinations.map((d) => d.delivered);
process.stdout.write(JSON.stringify({ rssPeakBytes, heapPeakBytes, steadyRssPeakBytes, warmBatches: WARM_BATCHES, delivered, records: outcome.stats.records - outcome.stats.dropped }));
