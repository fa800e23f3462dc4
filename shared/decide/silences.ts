// Silences mute matching notifications until a time: from the config (notify.silences) or written
// to the state table by `ecs-autopilot silence add`. Matching uses the route's label globs.
import { matchesGlob } from '../glob.js';
import type { Labels, RouteLabel } from './route.js';

export interface Silence {
  match: Partial<Record<RouteLabel, string[]>>;
  until: string;
  comment?: string;
  createdBy?: string;
}

/** Silences from both places that have not yet expired, each with a name for notes. */
export function activeSilences(fromConfig: Silence[], fromTable: Array<{ id: string; value: Silence }>, now: Date): Array<{ name: string; silence: Silence }> {
  const all = [
    ...fromConfig.map((silence, index) => ({ name: `notify.silences[${index}]`, silence })),
    ...fromTable.map(({ id, value }) => ({ name: `silence ${id}`, silence: value })),
  ];
  return all.filter(({ silence }) => Date.parse(silence.until) > now.getTime());
}

/** The name of the first silence that mutes these labels, with its expiry; undefined if none does. */
export function silencedBy(silences: Array<{ name: string; silence: Silence }>, labels: Labels): string | undefined {
  for (const { name, silence } of silences) {
    const entries = Object.entries(silence.match);
    if (entries.length === 0) continue; // a silence that matches everything is a mistake, not a mute
    const matches = entries.every(([label, globs]) => {
      const value = labels[label as RouteLabel];
      return value !== undefined && (globs ?? []).some((glob) => matchesGlob(glob, value));
    });
    if (matches) return `${name} until ${silence.until}${silence.comment ? ` (${silence.comment})` : ''}`;
  }
  return undefined;
}
