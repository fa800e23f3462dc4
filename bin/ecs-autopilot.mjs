#!/usr/bin/env node
// The ecs-autopilot CLI. Runs the TypeScript sources directly through tsx, so a clone needs
// nothing but `npm ci` before `npx ecs-autopilot ...` works.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
