// Durations in the configuration: "30s", "5m", "4h", "1d", or a number of seconds; read as seconds.
import * as z from 'zod/mini';

/** "30s", "5m", "4h", "1d", or a number of seconds. */
export const duration = z.pipe(
  z.union([z.int().check(z.minimum(0)), z.string().check(z.regex(/^\d+(s|m|h|d)$/, 'a duration such as 30s, 5m, 4h or 1d'))]),
  z.transform((value: number | string) => {
    if (typeof value === 'number') return value;
    const amount = Number(value.slice(0, -1));
    return amount * { s: 1, m: 60, h: 3600, d: 86400 }[value.slice(-1) as 's' | 'm' | 'h' | 'd'];
  }),
);

