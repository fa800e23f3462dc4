/**
 * Thrown for an event that is truly malformed (a required field missing or of the wrong type).
 * The handler lets it fail the invocation, so the event lands in the dead-letter queue with this
 * message as its reason. Unknown fields and new enum values are never a reason to throw.
 */
export class IntakeError extends Error {
  override readonly name = 'IntakeError';
  constructor(
    readonly eventId: string,
    readonly detailType: string,
    readonly problems: string[],
  ) {
    super(`${detailType || 'event'}${eventId ? ` ${eventId}` : ''} is malformed: ${problems.join('; ')}`);
  }
}
