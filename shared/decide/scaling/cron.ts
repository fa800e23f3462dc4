// Five-field cron expressions (minute hour day-of-month month day-of-week) read in an IANA time
// zone through Intl, with no dependency: `*`, lists `1,5`, ranges `1-5`, steps `*/15`, `8-18/2`,
// day and month names (MON, JAN). As in Vixie cron, when both day fields are restricted a day
// matching either one matches.

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, name: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> {
  const values = new Set<number>();
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron ${name} '${token}' is not a value from ${min} to ${max}${names.length ? ` or a name (${names.join(', ')})` : ''}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron ${name} step '${stepText}' must be a positive whole number`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a), value(b)];
      if (from > to) throw new Error(`cron ${name} range '${range}' runs backwards`);
    } else [from, to] = [value(range), stepText === undefined ? value(range) : max];
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses "0 8 * * MON-FRI"; throws an error that names the field at fault. */
export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron '${expression}' must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const daysOfWeek = parseField(dow, 'day-of-week', 0, 7, DAYS);
  // 7 is Sunday too, as in most crons.
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  return {
    minutes: parseField(minute, 'minute', 0, 59),
    hours: parseField(hour, 'hour', 0, 23),
    daysOfMonth: parseField(dom, 'day-of-month', 1, 31),
    months: parseField(month, 'month', 1, 12, MONTHS, 1),
    daysOfWeek,
    dayOfMonthRestricted: dom !== '*',
    dayOfWeekRestricted: dow !== '*',
  };
}

/** Minutes east of UTC of `timeZone` at `at` (e.g. 60 for Europe/Berlin in winter). */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** Whether a wall-clock minute (given as a UTC Date holding local fields) matches. */
function matchesWallClock(cron: CronSchedule, wall: Date): boolean {
  if (!cron.minutes.has(wall.getUTCMinutes()) || !cron.hours.has(wall.getUTCHours()) || !cron.months.has(wall.getUTCMonth() + 1)) return false;
  const dom = cron.daysOfMonth.has(wall.getUTCDate());
  const dow = cron.daysOfWeek.has(wall.getUTCDay());
  if (cron.dayOfMonthRestricted && cron.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}

/**
 * Whether a window that opens at each cron match and lasts `durationSeconds` is open at `now`.
 * The zone's offset is taken at `now`: around a daylight-saving change a window may open or
 * close up to an hour off for that one day.
 */
export function windowOpen(cron: CronSchedule, timeZone: string, durationSeconds: number, now: Date): boolean {
  const wallNow = Math.floor(now.getTime() / 60_000) * 60_000 + zoneOffsetMinutes(timeZone, now) * 60_000;
  const minutes = Math.ceil(durationSeconds / 60);
  for (let back = 0; back < minutes; back += 1) {
    if (matchesWallClock(cron, new Date(wallNow - back * 60_000))) return true;
  }
  return false;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
