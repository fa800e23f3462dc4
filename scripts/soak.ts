// npm run soak [-- --events N] [--seed S] [--fault-rate R]: the full soak (10,000 events by default).
import { formatSoakReport, runSoak } from './soak/run.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number, got '${process.argv[at + 1]}'`);
  return value;
}

const report = await runSoak({
  events: option('events', 10_000),
  seed: option('seed', 20261125),
  faultRate: option('fault-rate', 0.12),
  log: (line) => process.stderr.write(`${line}\n`),
});
console.log(formatSoakReport(report));
const failed = report.faulty.lost.length + report.duplicateActions + report.duplicateNotifications + report.missingActions.length + report.extraActions.length > 0;
if (report.missingActions.length) console.error(`missing: ${report.missingActions.slice(0, 10).join('; ')}`);
if (report.extraActions.length) console.error(`extra: ${report.extraActions.slice(0, 10).join('; ')}`);
process.exitCode = failed ? 1 : 0;
