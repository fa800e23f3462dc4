// Reads events from files as EventBridge or Lambda deliver them: a JSON object, a JSON array of
// them, or NDJSON (one per line). A line that is not JSON, or an empty file, becomes an error entry,
// not a crash.
import { readFileSync } from 'node:fs';

export type EventEntry = { source: string; event: unknown } | { source: string; error: string };

export function readEventFile(path: string): EventEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return [{ source: path, error: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }];
  }
  // An empty file is more likely a failed export or a wrong path than a batch of no events ([] says that).
  if (text.trim() === '') return [{ source: path, error: `${path}: the file is empty (no events; an empty JSON array [] would say so)` }];
  try {
    const whole = JSON.parse(text) as unknown;
    return Array.isArray(whole) ? whole.map((event, i) => ({ source: `${path}[${i}]`, event })) : [{ source: path, event: whole }];
  } catch {
    // Not one JSON document: NDJSON.
  }
  const entries: EventEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const source = `${path}:${index + 1}`;
    try {
      entries.push({ source, event: JSON.parse(line) as unknown });
    } catch (error) {
      entries.push({ source, error: `${source}: not JSON (${(error as Error).message})` });
    }
  });
  return entries;
}
