// Amazon Data Firehose: PutRecordBatch, one NDJSON line per Firehose record (so S3 objects behind
// the stream are NDJSON). Firehose answers 200 with FailedPutCount when some records failed; only
// those are reported, so the executor re-sends only them.
import { type FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { base64Length } from '../../decide/logs/base64-into.js';
import { writeLineBase64 } from '../../decide/logs/line-writer.js';
import type { ShipRecord } from '../../decide/logs/types.js';
import type { IamGrant } from '../iam.js';
import { DeliveryError, type Destination, type RecordFailure } from './destination.js';
import { type Allocate, freshBuffer, ScratchBuffer } from './scratch-buffer.js';

/** https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html */
export const FIREHOSE_LIMITS = { maxRecordsPerCall: 500, maxBytesPerCall: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 } as const;

export const firehoseGrants = (deliveryStream: string): IamGrant[] => [
  { purpose: `ship log records to Firehose stream ${deliveryStream}`, actions: ['firehose:PutRecordBatch'], resource: `firehose-stream:${deliveryStream}` },
];

// Errors of the request itself that no retry can fix.
const PERMANENT = new Set(['ResourceNotFoundException', 'InvalidArgumentException', 'AccessDeniedException', 'InvalidKMSResourceException', 'ValidationException']);

const RECORD_OPEN = Buffer.from('{"Data":"', 'latin1');
const RECORD_CLOSE = Buffer.from('"},', 'latin1');

/**
 * The PutRecordBatch request body (what the SDK's JSON serializer would write), built straight into
 * one buffer: each line is base64-encoded from its slab into the body, with no string made. The
 * SDK's own serializer holds a base64 string of every record of the call (5.6 MB for a full 4 MiB
 * call) until the whole JSON text exists, then that text, then its bytes: live across collections,
 * that is what grew the heap of a shipment (npm run bench, peak memory); a base64 string per record,
 * even dropped at once, was 37 MB of young garbage for the largest batch.
 */
export function putRecordBatchBody(deliveryStream: string, records: readonly ShipRecord[], allocate: Allocate = freshBuffer): Buffer {
  const head = Buffer.from(`{"DeliveryStreamName":${JSON.stringify(deliveryStream)},"Records":[`, 'utf8');
  let size = head.length + 2;
  for (const record of records) size += RECORD_OPEN.length + base64Length(record.bytes) + RECORD_CLOSE.length;
  const body = allocate(size);
  let at = head.copy(body, 0);
  for (const record of records) {
    at += RECORD_OPEN.copy(body, at);
    at = writeLineBase64(record, body, at);
    at += RECORD_CLOSE.copy(body, at);
  }
  if (records.length > 0) at -= 1; // the last record's comma
  body[at] = 93; // ]
  body[at + 1] = 125; // }
  return body.subarray(0, at + 2);
}

/** Sends `body` in place of what the serializer would write for `Records` (the command's input keeps them, for mocks and logs). */
function withBody(command: PutRecordBatchCommand, body: Buffer): PutRecordBatchCommand {
  command.middlewareStack.add((next) => (args) => next({ ...args, input: { ...(args.input as PutRecordBatchCommandInput), Records: [] } }), { step: 'serialize', priority: 'high', name: 'ecsAutopilotRecordsSerializedOnce' });
  command.middlewareStack.add(
    (next) => (args) => {
      (args.request as { body?: unknown }).body = body;
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'ecsAutopilotRecordsBody' },
  );
  return command;
}

export function createFirehoseDestination(name: string, client: FirehoseClient, options: { deliveryStream: string }): Destination {
  const scratch = new ScratchBuffer();
  return {
    name,
    kind: 'firehose',
    limits: FIREHOSE_LIMITS,
    async send(chunk) {
      let response;
      try {
        const command = new PutRecordBatchCommand({ DeliveryStreamName: options.deliveryStream, Records: chunk.map((record) => ({ Data: record.line })) });
        // The body's buffer is written over by the next call only once this one has settled.
        response = await scratch.lend((allocate) => client.send(withBody(command, putRecordBatchBody(options.deliveryStream, chunk, allocate))));
      } catch (error) {
        const errorName = (error as Error).name || 'Error';
        throw new DeliveryError(`Firehose ${options.deliveryStream}: ${errorName}: ${(error as Error).message}`, !PERMANENT.has(errorName));
      }
      if (!response.FailedPutCount) return [];
      const failures: RecordFailure[] = [];
      (response.RequestResponses ?? []).forEach((result, index) => {
        if (result.ErrorCode) failures.push({ index, reason: `Firehose ${options.deliveryStream}: ${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim(), retryable: true });
      });
      return failures;
    },
  };
}
