// `ecs-autopilot ship --offline [--config FILE] FILE...`: runs the shipper's own pipeline (decode,
// multiline, enrich from the stream name, redact, filter, sample) on subscription events as Lambda
// receives them and prints the records it would ship, one NDJSON line each. No AWS call.
import { ndjson } from '../../shared/adapters/destinations/destination.js';
import { buildRecords } from '../../shared/decide/logs/build-records.js';
import { compileShipRules } from '../../shared/decide/logs/ship-rules.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { decodeLogBatch, sourceOf } from '../../shared/execute/ship/ship-batch.js';
import { IntakeError } from '../../shared/intake/errors.js';
import { readEventFile } from './read-events.js';

export interface ShipOfflineIo {
  out: (text: Buffer) => void;
  err: (text: string) => void;
}

/** Exit status: 0, or 1 when an input could not be read or decoded (the others are still shipped). */
export function shipOffline(files: readonly string[], config: AutopilotConfig, io: ShipOfflineIo): number {
  const rules = compileShipRules(config.ship);
  let failed = 0;
  for (const file of files) {
    for (const entry of readEventFile(file)) {
      if ('error' in entry) {
        io.err(`ecs-autopilot: ${entry.error}\n`);
        failed += 1;
        continue;
      }
      let batch;
      try {
        batch = decodeLogBatch(entry.event);
      } catch (error) {
        if (!(error instanceof IntakeError)) throw error;
        io.err(`ecs-autopilot: ${entry.source}: ${error.message}\n`);
        failed += 1;
        continue;
      }
      if (batch.control) continue;
      const { records } = buildRecords(batch.logEvents, sourceOf(batch), rules);
      if (records.length > 0) io.out(ndjson(records));
    }
  }
  return failed > 0 ? 1 : 0;
}
