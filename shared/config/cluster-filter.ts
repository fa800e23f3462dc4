// Which clusters are watched, decided once from clusters.include / clusters.exclude and used twice:
// as EventBridge pattern fragments (so events from other clusters never invoke Lambda) and as an
// in-process check (so replay and any event that slips through agree with the patterns).
import { matchesGlob } from '../glob.js';
import type { AutopilotConfig } from './schema.js';

type ClusterSelection = AutopilotConfig['clusters'];

export function isClusterWatched(selection: ClusterSelection, clusterName: string): boolean {
  const included = selection.include.some((glob) => matchesGlob(glob, clusterName));
  return included && !selection.exclude.some((glob) => matchesGlob(glob, clusterName));
}

const watchesEverything = (selection: ClusterSelection) => selection.include.includes('*');

/**
 * EventBridge matchers for a field holding an ARN that ends in `<prefix>/<cluster>[/...]`, such as
 * detail.clusterArn (`:cluster/NAME`) or resources (`:service/NAME/SERVICE`). Returns undefined
 * when every cluster is watched, so the pattern leaves the field out.
 */
export function clusterArnMatchers(selection: ClusterSelection, arnKind: 'cluster' | 'service'): unknown[] | undefined {
  const tail = arnKind === 'service' ? '/*' : '';
  const wildcard = (glob: string) => `*:${arnKind}/${glob}${tail}`;
  if (watchesEverything(selection) && selection.exclude.length === 0) return undefined;
  const excluded = selection.exclude.map(wildcard);
  if (watchesEverything(selection)) return [{ 'anything-but': { wildcard: excluded } }];
  // EventBridge ORs the entries of a list but cannot AND an include with an exclude on one field;
  // the exclusion is re-checked in the handler (isClusterWatched) for that rare combination.
  return selection.include.map((glob) => ({ wildcard: wildcard(glob) }));
}
