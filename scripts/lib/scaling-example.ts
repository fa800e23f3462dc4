// The simulation the README shows: the worker policy of examples/autopilot.yml through a
// synthetic day. One definition for `npm run simulate:scaling` and the test that keeps the README
// and docs/scaling-simulation.svg in step with it.
import { join } from 'node:path';
import { loadConfigFile } from '../../shared/config/load-file.js';
import { renderSimulationSvg } from '../../shared/simulate/chart.js';
import { type SimulationResult, simulate } from '../../shared/simulate/report.js';
import { syntheticDay } from '../../shared/simulate/trace.js';
import { projectRoot } from './emulator.js';

export const EXAMPLE_CHART = join(projectRoot, 'docs', 'scaling-simulation.svg');

export function runExampleDay(): { result: SimulationResult; svg: string } {
  const config = loadConfigFile(join(projectRoot, 'examples', 'autopilot.yml'));
  const service = config.scale?.services.find((s) => s.service === 'worker');
  if (!service) throw new Error('examples/autopilot.yml has no scaled service named worker');
  const options = { perTask: 100, startupMinutes: 1, rateSeconds: config.scale!.rate };
  const result = simulate(service, syntheticDay(), options);
  const title = `worker (examples/autopilot.yml): a synthetic day, ${options.perTask} messages per task-minute, ${options.startupMinutes} min start-up`;
  return { result, svg: renderSimulationSvg(title, result.samples.autopilot, result.samples.baseline) };
}
