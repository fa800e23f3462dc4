// npm run schema: regenerates schema/autopilot.schema.json from shared/config/schema.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../shared/config/json-schema.js';
import { projectRoot } from './lib/emulator.js';

const target = join(projectRoot, 'schema', 'autopilot.schema.json');
writeFileSync(target, configJsonSchema());
console.log(`wrote ${target}`);
