import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../scripts/lib/emulator.js';

export const fixturesDir = join(projectRoot, 'test', 'fixtures');

export type RawEvent = Record<string, unknown> & { id: string; detail: Record<string, unknown> };

export function loadFixture(relativePath: string): RawEvent {
  return JSON.parse(readFileSync(join(fixturesDir, relativePath), 'utf8')) as RawEvent;
}

export function listFixtures(folder: string): string[] {
  return readdirSync(join(fixturesDir, folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${folder}/${f}`);
}

/** A copy of an ECS task event moved to another cluster/service (and id), for tests that share one emulator. */
export function retargetTaskEvent(event: RawEvent, scope: { cluster: string; service?: string; id?: string }): RawEvent {
  const copy = structuredClone(event);
  const detail = copy.detail as Record<string, unknown>;
  const clusterArn = String(detail.clusterArn).replace(/cluster\/.*$/, `cluster/${scope.cluster}`);
  detail.clusterArn = clusterArn;
  detail.taskArn = String(detail.taskArn).replace(/task\/[^/]+\//, `task/${scope.cluster}/`);
  if (scope.service) detail.group = `service:${scope.service}`;
  if (scope.id) copy.id = scope.id;
  return copy;
}
