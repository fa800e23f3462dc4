// The Firehose destination writes the PutRecordBatch body itself (each record base64-encoded once,
// into one buffer): it must be exactly the request the SDK would have sent, and it must be what
// the real client puts on the wire, with a matching Content-Length and signature over it.
import { Readable } from 'node:stream';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFirehoseDestination, putRecordBatchBody } from '../../shared/adapters/destinations/firehose.js';
import type { ShipRecord } from '../../shared/decide/logs/types.js';

const record = (line: Buffer, i: number): ShipRecord => ({ uid: String(i), timeMs: 0, service: 's', source: { logGroup: 'g', logStream: 's', owner: '' }, bytes: line.length, line });

describe('putRecordBatchBody', () => {
  it('is the JSON the SDK would send: the stream name and every line base64-encoded, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), fc.string({ minLength: 1, maxLength: 20 }), (lines, stream) => {
        const records = lines.map((bytes, i) => record(Buffer.from(bytes), i));
        const body = putRecordBatchBody(stream, records);
        expect(JSON.parse(body.toString('utf8'))).toEqual({ DeliveryStreamName: stream, Records: lines.map((bytes) => ({ Data: Buffer.from(bytes).toString('base64') })) });
      }),
      { numRuns: 300 },
    );
  });

  it('goes on the wire through the real client, with its length and the records the destination was given', async () => {
    const requests: Array<{ body: Buffer; headers: Record<string, string> }> = [];
    const client = new FirehoseClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestHandler: {
        handle: async (request: { body: Buffer; headers: Record<string, string> }) => {
          requests.push({ body: Buffer.from(request.body), headers: request.headers });
          const answer = JSON.stringify({ FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' }, { RecordId: 'c' }] });
          return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(answer)]) } };
        },
      },
    });
    const lines = ['{"body":"a"}\n', '{"body":"é ✓"}\n', '{"body":"ccc"}\n'].map((l) => Buffer.from(l));
    const failures = await createFirehoseDestination('stream', client, { deliveryStream: 'logs' }).send(lines.map(record));
    expect(failures).toEqual([{ index: 1, reason: 'Firehose logs: ServiceUnavailableException: slow down', retryable: true }]);
    const [sent] = requests;
    expect(JSON.parse(sent!.body.toString())).toEqual({ DeliveryStreamName: 'logs', Records: lines.map((l) => ({ Data: l.toString('base64') })) });
    expect(Number(sent!.headers['content-length'])).toBe(sent!.body.length);
    expect(sent!.headers['x-amz-target']).toBe('Firehose_20150804.PutRecordBatch');
    expect(sent!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });
});
