// npm run simulate:scaling: a synthetic day (daily curve, a spike at 14:00, a stop at 21:00) through
// the worker policy of examples/autopilot.yml, the ideal scaler and ECS target tracking; prints
// the report and writes docs/scaling-simulation.svg (shown in the README). Deterministic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { reportLines } from '../shared/simulate/report.js';
import { EXAMPLE_CHART, runExampleDay } from './lib/scaling-example.js';

const { result, svg } = runExampleDay();
for (const line of reportLines(result)) console.log(line);
mkdirSync(dirname(EXAMPLE_CHART), { recursive: true });
writeFileSync(EXAMPLE_CHART, svg);
console.log(`chart: ${EXAMPLE_CHART}`);
