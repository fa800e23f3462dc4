// What changed between two revisions of a task definition, in the terms an on-call engineer checks
// first after a bad deploy: the image, memory and CPU, and which environment variables and secrets
// appeared, disappeared or changed. Names only: values are never compared in the clear (the facts
// hold fingerprints) and never shown.
import type { TaskDefinitionFacts } from './diagnosis-facts.js';

export interface TaskDefinitionChange {
  /** The container the change is in; absent for the task level (task cpu and memory). */
  container?: string;
  field: 'container' | 'image' | 'cpu' | 'memory' | 'memoryReservation' | 'environment' | 'secrets';
  from?: string;
  to?: string;
  added?: string[];
  removed?: string[];
  /** Keys whose value (or secret reference) differs; the values themselves are not known here. */
  changed?: string[];
}

const text = (value: string | number | undefined) => (value === undefined ? undefined : String(value));

function keyChanges(before: Record<string, string>, after: Record<string, string>) {
  const added = Object.keys(after).filter((k) => !(k in before)).sort();
  const removed = Object.keys(before).filter((k) => !(k in after)).sort();
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]).sort();
  return { added, removed, changed };
}

export function diffTaskDefinitions(previous: TaskDefinitionFacts, current: TaskDefinitionFacts): TaskDefinitionChange[] {
  const changes: TaskDefinitionChange[] = [];
  for (const field of ['cpu', 'memory'] as const) {
    if (text(previous[field]) !== text(current[field])) changes.push({ field, ...optional('from', previous[field]), ...optional('to', current[field]) });
  }
  const before = new Map(previous.containers.map((c) => [c.name, c]));
  for (const after of current.containers) {
    const old = before.get(after.name);
    if (!old) {
      changes.push({ container: after.name, field: 'container', added: [after.name] });
      continue;
    }
    for (const field of ['image', 'cpu', 'memory', 'memoryReservation'] as const) {
      if (text(old[field]) !== text(after[field])) changes.push({ container: after.name, field, ...optional('from', old[field]), ...optional('to', after[field]) });
    }
    for (const field of ['environment', 'secrets'] as const) {
      const { added, removed, changed } = keyChanges(old[field], after[field]);
      if (added.length + removed.length + changed.length > 0) {
        changes.push({ container: after.name, field, ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}), ...(changed.length ? { changed } : {}) });
      }
    }
  }
  const current_ = new Set(current.containers.map((c) => c.name));
  for (const old of previous.containers) if (!current_.has(old.name)) changes.push({ container: old.name, field: 'container', removed: [old.name] });
  return changes;
}

function optional(key: 'from' | 'to', value: string | number | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: String(value) };
}

const UNITS: Partial<Record<TaskDefinitionChange['field'], string>> = { memory: ' MiB', memoryReservation: ' MiB', cpu: ' units' };

/** One line per change: "container web: image nginx:1.25 -> nginx:1.27", "environment: added FEATURE_X". */
export function describeChange(change: TaskDefinitionChange): string {
  const where = change.container ? `container ${change.container}: ` : 'task: ';
  if (change.field === 'container') return change.added ? `container ${change.container} added` : `container ${change.container} removed`;
  if (change.field === 'environment' || change.field === 'secrets') {
    const label = change.field === 'environment' ? 'environment' : 'secrets';
    const parts = [
      change.added ? `added ${change.added.join(', ')}` : '',
      change.removed ? `removed ${change.removed.join(', ')}` : '',
      change.changed ? `${change.field === 'environment' ? 'value' : 'source'} changed for ${change.changed.join(', ')}` : '',
    ].filter(Boolean);
    return `${where}${label} ${parts.join('; ')}`;
  }
  const unit = UNITS[change.field] ?? '';
  return `${where}${change.field} ${change.from ?? '(unset)'}${change.from ? unit : ''} -> ${change.to ?? '(unset)'}${change.to ? unit : ''}`;
}
