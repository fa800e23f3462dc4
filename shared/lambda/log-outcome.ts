// A middy middleware that logs how each invocation ended, so handlers need no try/catch of their own.
// Errors are logged with their reason and re-thrown: the invocation fails, Lambda retries it, and
// after the retries the event lands in the on-failure destination with that same reason.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

export function logOutcome(logger: Logger): MiddlewareObj<unknown, unknown> {
  return {
    before: (request) => {
      logger.addContext(request.context as Parameters<Logger['addContext']>[0]);
    },
    after: (request) => {
      const response = request.response as { id?: string; outcome?: string; actions?: unknown[]; notes?: string[]; batchItemFailures?: unknown[] } | undefined;
      if (response?.batchItemFailures) {
        logger.info('timer batch handled', { failed: response.batchItemFailures.length });
        return;
      }
      logger.info('event handled', {
        eventId: response?.id,
        outcome: response?.outcome,
        actions: response?.actions?.length ?? 0,
        notes: response?.notes,
      });
    },
    onError: (request) => {
      const error = request.error as Error | undefined;
      logger.error('event failed', { errorName: error?.name, reason: error?.message });
    },
  };
}
