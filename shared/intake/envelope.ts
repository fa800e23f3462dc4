// The EventBridge envelope every AWS service event shares. Only what routing needs is required.
import * as z from 'zod/mini';
import { describeIssues } from '../validation.js';
import { IntakeError } from './errors.js';

export const eventEnvelopeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  time: z.string().check(z.minLength(1)),
  region: z._default(z.string(), ''),
  account: z._default(z.string(), ''),
  resources: z._default(z.array(z.string()), []),
  detail: z.record(z.string(), z.unknown()),
});

export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

/** Validates `value` against `schema`, or throws an IntakeError whose problems name each field. */
export function parseOrThrow<T extends z.ZodMiniType>(schema: T, value: unknown, eventId: string, detailType: string, pathPrefix = ''): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = describeIssues(result.error).map((p) => (pathPrefix ? `${pathPrefix}.${p}` : p));
  throw new IntakeError(eventId, detailType, problems);
}
