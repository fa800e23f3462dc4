import type { EventEnvelope } from './envelope.js';
import type { Signal } from './signals.js';

/** One parser per EventBridge event kind: it knows its source and detail-type, and yields a Signal. */
export interface EventParser {
  source: string;
  detailType: string;
  parse(envelope: EventEnvelope): Signal;
}
