// A CloudFormation custom resource request (Lambda-backed): what the stack sends its resource on
// create, update and delete. CloudFormation waits (up to an hour) for an answer at ResponseURL,
// so the one thing a handler must never do with one is fail to answer.
import * as z from 'zod/mini';
import { parseOrThrow } from './envelope.js';
import type { StackRequest } from './signals.js';

const requestSchema = z.object({
  RequestType: z.string().check(z.minLength(1)),
  ResponseURL: z.string().check(z.regex(/^https?:\/\//, 'an http(s) URL')),
  StackId: z.string().check(z.minLength(1)),
  RequestId: z.string().check(z.minLength(1)),
  LogicalResourceId: z.string().check(z.minLength(1)),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z._default(z.record(z.string(), z.unknown()), {}),
  OldResourceProperties: z.optional(z.record(z.string(), z.unknown())),
});

const DETAIL_TYPE = 'CloudFormation custom resource request';

/** Whether an event is a custom resource request (it has no EventBridge envelope). */
export function isStackRequest(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'RequestType' in raw && 'ResponseURL' in raw;
}

export function parseStackRequest(raw: unknown): StackRequest {
  const requestId = typeof raw === 'object' && raw !== null && typeof (raw as { RequestId?: unknown }).RequestId === 'string' ? (raw as { RequestId: string }).RequestId : '';
  const request = parseOrThrow(requestSchema, raw, requestId, DETAIL_TYPE);
  return {
    kind: 'stack-request',
    eventId: request.RequestId,
    detailType: DETAIL_TYPE,
    time: new Date().toISOString(),
    requestType: request.RequestType,
    responseUrl: request.ResponseURL,
    stackId: request.StackId,
    requestId: request.RequestId,
    logicalResourceId: request.LogicalResourceId,
    ...(request.PhysicalResourceId ? { physicalResourceId: request.PhysicalResourceId } : {}),
    properties: request.ResourceProperties,
    ...(request.OldResourceProperties ? { oldProperties: request.OldResourceProperties } : {}),
  };
}
