// Amazon Data Firehose: PutRecordBatch, one NDJSON line per Firehose record (so S3 objects behind
// the stream are NDJSON). Firehose answers 200 with FailedPutCount when some records failed; only
// those are reported, so the executor re-sends only them.
import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { IamGrant } from '../iam.js';
import { DeliveryError, type Destination, type RecordFailure } from './destination.js';

/** https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html */
export const FIREHOSE_LIMITS = { maxRecordsPerCall: 500, maxBytesPerCall: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 } as const;

export const firehoseGrants = (deliveryStream: string): IamGrant[] => [
  { purpose: `ship log records to Firehose stream ${deliveryStream}`, actions: ['firehose:PutRecordBatch'], resource: `firehose-stream:${deliveryStream}` },
];

// Errors of the request itself that no retry can fix.
const PERMANENT = new Set(['ResourceNotFoundException', 'InvalidArgumentException', 'AccessDeniedException', 'InvalidKMSResourceException', 'ValidationException']);

export function createFirehoseDestination(name: string, client: FirehoseClient, options: { deliveryStream: string }): Destination {
  return {
    name,
    kind: 'firehose',
    limits: FIREHOSE_LIMITS,
    async send(chunk) {
      let response;
      try {
        response = await client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: options.deliveryStream, Records: chunk.map((record) => ({ Data: record.line })) }),
        );
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
