// The JSON Schema editors use to validate autopilot.yml, generated from the zod schema.
import * as z from 'zod/mini';
import { configSchema } from './schema.js';

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, $id: 'https://github.com/ecs-autopilot/ecs-autopilot/schema/autopilot.schema.json', title: 'ecs-autopilot configuration' }, null, 2)}\n`;
}
