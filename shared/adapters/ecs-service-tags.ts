// Reads a service's tags for per-service overrides, once per service per cache period per Lambda
// container. A failure to read them never blocks a notification: the event goes on without overrides.
import { type ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import type { IamGrant } from './iam.js';

export const serviceTagReaderGrants: IamGrant[] = [
  { purpose: 'read per-service overrides from service tags', actions: ['ecs:ListTagsForResource'], resource: 'ecs-services' },
];

export interface ServiceTagReader {
  /** The service's tags, or an error sentence when they could not be read. */
  tagsOf(serviceArn: string, now: Date): Promise<{ tags: Record<string, string>; error?: string }>;
}

export function createServiceTagReader(client: ECSClient, cacheSeconds: number): ServiceTagReader {
  const cache = new Map<string, { tags: Record<string, string>; until: number }>();
  return {
    async tagsOf(serviceArn, now) {
      const cached = cache.get(serviceArn);
      if (cached && cached.until > now.getTime()) return { tags: cached.tags };
      try {
        const result = await client.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }));
        const tags: Record<string, string> = {};
        for (const tag of result.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? '';
        cache.set(serviceArn, { tags, until: now.getTime() + cacheSeconds * 1000 });
        return { tags };
      } catch (error) {
        return { tags: {}, error: `could not read the tags of ${serviceArn} (${(error as Error).name}: ${(error as Error).message}); going on without per-service overrides` };
      }
    },
  };
}
