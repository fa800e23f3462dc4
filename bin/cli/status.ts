// `ecs-autopilot status [--config FILE] [--cluster NAME] [--json]`: one line per watched service
// (the clusters the configuration watches): health, the last hour's failures by cause, actions taken
// and held back, scaling, silences. The rows are pure (shared/decide/service-status.ts).
import { resolve } from 'node:path';
import { isClusterWatched } from '../../shared/config/cluster-filter.js';
import { loadConfigFile } from '../../shared/config/load-file.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { serviceStatus, type StatusRow } from '../../shared/decide/service-status.js';
import { renderStatusTable } from '../../shared/render/status-table.js';
import { parseArgs } from './args.js';
import { diagnosisSources, reportFailures } from './diagnosis-sources.js';

const STATUS_CONCURRENCY = 4;

export async function runStatus(argv: string[], defaultConfig: () => AutopilotConfig, now = new Date()): Promise<number> {
  const args = parseArgs(argv, ['config', 'cluster']);
  const explicit = args.flags.get('config');
  const config = typeof explicit === 'string' ? loadConfigFile(resolve(explicit)) : defaultConfig();
  const only = args.flags.get('cluster');
  return reportFailures('status', async () => {
    const sources = diagnosisSources();
    const watched = (cluster: string) => isClusterWatched(config.clusters, cluster) && (typeof only !== 'string' || cluster === only);
    const services = await sources.reader.services(watched);
    const rows: StatusRow[] = new Array(services.length);
    // A few services at a time: quick for a big account, gentle on ECS's request rate.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < services.length; i = next++) {
        const { cluster, service } = services[i]!;
        const [facts, stoppedTasks, state] = await Promise.all([
          sources.reader.service(cluster, service),
          sources.reader.stoppedTasks(cluster, service),
          sources.stateOf(cluster, service, now),
        ]);
        rows[i] = serviceStatus({ service: facts, stoppedTasks, ...(state ? { state } : {}), now });
      }
    };
    await Promise.all(Array.from({ length: STATUS_CONCURRENCY }, worker));
    if (args.flags.has('json')) process.stdout.write(`${JSON.stringify({ at: now.toISOString(), services: rows }, null, 2)}\n`);
    else process.stdout.write(`${renderStatusTable(rows)}${sources.hasState ? '' : 'STATE_TABLE is not set: actions, scaling and silences are not shown\n'}`);
    return 0;
  });
}
