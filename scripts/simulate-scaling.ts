// npm run simulate:scaling: a synthetic day (daily curve, a spike at 14:00, a stop at 21:00) through
// the worker policy of examples/autopilot.yml, the ideal scaler and ECS target tracking; prints
// the report and writes docs/scaling-simulation.svg (shown in the README). Deterministic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../shared/config/load-file.js';
import { renderSimulationSvg } from '../shared/simulate/chart.js';
import { reportLines, simulate } from '../shared/simulate/report.js';
import { syntheticDay } from '../shared/simulate/trace.js';
import { projectRoot } from './lib/emulator.js';

const config = loadConfigFile(join(projectRoot, 'examples', 'autopilot.yml'));
const service = config.scale?.services.find((s) => s.service === 'worker');
if (!service) throw new Error('examples/autopilot.yml has no scaled service named worker');
const options = { perTask: 100, startupMinutes: 1, rateSeconds: config.scale!.rate };
const result = simulate(service, syntheticDay(), options);
for (const line of reportLines(result)) console.log(line);

const chart = join(projectRoot, 'docs', 'scaling-simulation.svg');
mkdirSync(join(projectRoot, 'docs'), { recursive: true });
writeFileSync(chart, renderSimulationSvg(`worker (examples/autopilot.yml): a synthetic day, ${options.perTask} messages per task-minute, ${options.startupMinutes} min start-up`, result.samples.autopilot, result.samples.baseline));
console.log(`chart: ${chart}`);
