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
// Each missing action with the event that took it in the fault-free run, to look for in the faulty one.
const takenBy = (action: string) => [...report.clean.notifications.keys()].filter((identity) => identity.startsWith(`${action}|event=`)).map((identity) => identity.slice(action.length + 7));
if (report.missingActions.length) console.error(`missing: ${report.missingActions.slice(0, 10).map((a) => `${a} (${takenBy(a).join(', ')})`).join('; ')}`);
const takenByFaulty = (action: string) => [...report.faulty.notifications.keys()].filter((identity) => identity.startsWith(`${action}|event=`)).map((identity) => identity.slice(action.length + 7));
if (report.duplicatedActions.length) console.error(`duplicated: ${report.duplicatedActions.slice(0, 10).map((a) => `${a} (fault-free: ${takenBy(a).join(', ')}; with faults: ${takenByFaulty(a).join(', ')})`).join('; ')}`);
if (report.duplicatedNotifications.length) console.error(`duplicate notifications: ${report.duplicatedNotifications.slice(0, 10).join('; ')}`);
if (report.extraActions.length) console.error(`extra: ${report.extraActions.slice(0, 10).join('; ')}`);
process.exitCode = failed ? 1 : 0;
