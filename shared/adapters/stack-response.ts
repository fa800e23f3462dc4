// The answer to a CloudFormation custom resource request: a PUT of a small JSON document to the
// request's pre-signed S3 URL. CloudFormation waits for it (up to an hour) before it goes on, so
// a lost answer stalls a deploy or an `sls remove`: it is retried a few times.
import type { StackRequest } from '../intake/signals.js';

export interface StackAnswer {
  status: 'SUCCESS' | 'FAILED';
  /** Shown in the stack's events; cut to fit the 4 KB response. */
  reason: string;
  physicalResourceId: string;
  data?: Record<string, string>;
}

const MAX_REASON = 2000;

export function stackAnswerBody(request: StackRequest, answer: StackAnswer): string {
  return JSON.stringify({
    Status: answer.status,
    Reason: answer.reason.length > MAX_REASON ? `${answer.reason.slice(0, MAX_REASON - 1)}…` : answer.reason,
    PhysicalResourceId: answer.physicalResourceId,
    StackId: request.stackId,
    RequestId: request.requestId,
    LogicalResourceId: request.logicalResourceId,
    ...(answer.data ? { Data: answer.data } : {}),
  });
}

export async function answerStackRequest(request: StackRequest, answer: StackAnswer, options: { fetch?: typeof fetch; attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<void> {
  const send = options.fetch ?? fetch;
  const attempts = options.attempts ?? 4;
  const body = stackAnswerBody(request, answer);
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      // The URL is signed without a content type: sending one would break the signature.
      const response = await send(request.responseUrl, { method: 'PUT', body, headers: { 'content-type': '' }, signal: AbortSignal.timeout(10_000) });
      if (response.ok) return;
      last = new Error(`CloudFormation response URL answered ${response.status}`);
      if (response.status < 500) break;
    } catch (error) {
      last = error;
    }
    if (attempt < attempts) await (options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(250 * 2 ** attempt);
  }
  throw new Error(`could not answer CloudFormation (${request.requestType} of ${request.logicalResourceId}): ${(last as Error).message}`);
}
