// Drop filters and per-service sampling. Sampling is deterministic: a record is kept when a hash
// of its log event id falls under the rate, so a redelivered batch keeps exactly the same records.
import { matchesGlob } from '../../glob.js';

export interface SamplingRule {
  service: string;
  rate: number;
}

/** FNV-1a, 32 bits, mapped to [0, 1). Cheap, and well spread for the long decimal ids CloudWatch Logs uses. */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 4294967296;
}

/** The sampling rate for a service: the first rule whose glob matches, else 1 (keep all). */
export function samplingRate(rules: readonly SamplingRule[], service: string): number {
  for (const rule of rules) if (matchesGlob(rule.service, service)) return rule.rate;
  return 1;
}

export const keptBySampling = (rate: number, uid: string): boolean => rate >= 1 || (rate > 0 && unitHash(uid) < rate);

export function droppedByFilter(filters: readonly { test(line: string): boolean }[], line: string): boolean {
  for (const filter of filters) if (filter.test(line)) return true;
  return false;
}
