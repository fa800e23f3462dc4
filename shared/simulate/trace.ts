// A load trace: one row per minute. The CLI reads it from CSV (header: time, arrivals, optional
// per_task) or builds it from CloudWatch; the simulation script synthesises a day.

export interface TracePoint {
  time: Date;
  /** Messages (or requests) arriving in that minute. */
  arrivals: number;
  /** What one task handles per minute; undefined: the --per-task default. */
  perTask?: number;
}

/** Parses the CSV trace; every error names the line and the column. */
export function parseTraceCsv(text: string, source: string): TracePoint[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const [timeAt, arrivalsAt, perTaskAt] = [column('time'), column('arrivals'), column('per_task')];
  if (timeAt < 0 || arrivalsAt < 0) throw new Error(`${source}: the header must name the columns time and arrivals (optionally per_task), got '${header.join(',')}'`);
  const points = lines.map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const where = `${source}:${i + 2}`;
    const time = new Date(cells[timeAt] ?? '');
    if (Number.isNaN(time.getTime())) throw new Error(`${where}: time '${cells[timeAt]}' is not an ISO 8601 time`);
    const arrivals = Number(cells[arrivalsAt]);
    if (!Number.isFinite(arrivals) || arrivals < 0) throw new Error(`${where}: arrivals '${cells[arrivalsAt]}' is not a number of at least 0`);
    const point: TracePoint = { time, arrivals };
    const perTaskCell = perTaskAt >= 0 ? cells[perTaskAt] : undefined;
    if (perTaskCell) {
      const perTask = Number(perTaskCell);
      if (!Number.isFinite(perTask) || perTask <= 0) throw new Error(`${where}: per_task '${perTaskCell}' is not a positive number`);
      point.perTask = perTask;
    }
    return point;
  });
  if (points.length === 0) throw new Error(`${source}: the trace has no rows`);
  return points.sort((a, b) => a.time.getTime() - b.time.getTime());
}

/**
 * A synthetic day, deterministic: a daily curve (quiet night, busy afternoon), a spike of ten
 * minutes at 14:00, and a stop from 21:00 (nothing arrives: a chance to scale to zero).
 */
export function syntheticDay(start = new Date('2026-11-23T00:00:00Z')): TracePoint[] {
  return Array.from({ length: 24 * 60 }, (_, minute) => {
    const hour = minute / 60;
    const daily = hour < 21 ? 300 + 1500 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 15)) : 0;
    // Deterministic jitter of +-10% so that the scaler sees a noisy signal, as in production.
    const jitter = 1 + 0.1 * Math.sin(minute * 12.9898) * Math.cos(minute * 78.233);
    const spike = minute >= 14 * 60 && minute < 14 * 60 + 10 ? 8000 : 0;
    return { time: new Date(start.getTime() + minute * 60_000), arrivals: Math.round(daily * jitter) + spike };
  });
}
