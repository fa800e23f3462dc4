// Every playbook, in the order they are consulted. A new playbook is one file in this folder plus
// one line here (test/unit/remediation.test.ts fails when a file is missing from this list).
import type { PlaybookName } from '../../../config/schema-remediate.js';
import type { Playbook } from '../types.js';
import { capacityFallback } from './capacity-fallback.js';
import { crashLoop } from './crash-loop.js';
import { disconnectedAgent } from './disconnected-agent.js';
import { failedDeployment } from './failed-deployment.js';
import { oomResize } from './oom-resize.js';
import { unhealthyTargets } from './unhealthy-targets.js';

export const PLAYBOOKS: { [N in PlaybookName]: Playbook<N> } = {
  crashLoop,
  failedDeployment,
  disconnectedAgent,
  unhealthyTargets,
  capacityFallback,
  oomResize,
};

export const PLAYBOOK_FILES: Record<PlaybookName, string> = {
  crashLoop: 'crash-loop.ts',
  failedDeployment: 'failed-deployment.ts',
  disconnectedAgent: 'disconnected-agent.ts',
  unhealthyTargets: 'unhealthy-targets.ts',
  capacityFallback: 'capacity-fallback.ts',
  oomResize: 'oom-resize.ts',
};
