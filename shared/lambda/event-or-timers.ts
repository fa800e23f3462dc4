// A function that takes EventBridge events and its own SQS timer queue: an event is handled as
// one; a timer batch record by record, where a failed record goes back to its queue (and after
// its retries to the dead-letter queue) without failing the others (ReportBatchItemFailures).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';

function isSqsBatch(event: unknown): event is { Records: Array<{ messageId: string }> } {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as { eventSource?: unknown })?.eventSource === 'aws:sqs');
}

export function eventOrTimers<R>(handleOne: (event: unknown) => Promise<R>, logger: Logger): (event: unknown) => Promise<R | SQSBatchResponse> {
  return async (event) => {
    if (!isSqsBatch(event)) return handleOne(event);
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        await handleOne(record);
      } catch (error) {
        logger.error('timer failed', { messageId: record.messageId, errorName: (error as Error).name, reason: (error as Error).message });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
