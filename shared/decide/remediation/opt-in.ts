// Who may be acted on: a playbook enabled in autopilot.yml AND a target opted in, by
// `remediate.optIn` (CLUSTER or CLUSTER/SERVICE globs) or by the `ecs-autopilot:remediate` tag on
// the service (`on`/`all`, or a comma-separated list of playbooks). The tag `off` wins over config.
import type { PlaybookName, RemediateConfig } from '../../config/schema-remediate.js';
import { SERVICE_TAG_PREFIX } from '../../config/service-tags.js';
import { matchesGlob } from '../../glob.js';

export const REMEDIATE_TAG = `${SERVICE_TAG_PREFIX}remediate`;

const TAG_NAMES: Record<string, PlaybookName> = {
  'crash-loop': 'crashLoop',
  'failed-deployment': 'failedDeployment',
  'disconnected-agent': 'disconnectedAgent',
  'unhealthy-targets': 'unhealthyTargets',
  'capacity-fallback': 'capacityFallback',
  'oom-resize': 'oomResize',
};

/** The playbook's name as tags, audit records and metrics spell it (crash-loop). */
export const playbookLabel = (name: PlaybookName) => Object.entries(TAG_NAMES).find(([, n]) => n === name)![0];

export function enabledPlaybooks(config: RemediateConfig): PlaybookName[] {
  return (Object.keys(config.playbooks) as PlaybookName[]).filter((name) => config.playbooks[name].enabled);
}

export interface OptIn {
  playbooks: PlaybookName[];
  /** Why, in words: which config entry or tag opted the target in, or why not. */
  because: string;
  /** A tag value that could not be read, named with the valid values. */
  warning?: string;
}

/**
 * The playbooks that may act on `cluster` / `service` (a container instance: service undefined).
 * `tags` are the service's tags, undefined when unknown (offline, or a container instance).
 */
export function optedInPlaybooks(config: RemediateConfig, cluster: string, service: string | undefined, tags: Record<string, string> | undefined): OptIn {
  const enabled = enabledPlaybooks(config);
  const where = service ? `${cluster}/${service}` : cluster;
  if (enabled.length === 0) return { playbooks: [], because: 'no playbook is enabled under remediate.playbooks' };
  const tag = tags?.[REMEDIATE_TAG]?.trim().toLowerCase();
  if (tag === 'off') return { playbooks: [], because: `${where} has ${REMEDIATE_TAG}=off` };
  const byConfig = config.optIn.find((glob) => (glob.includes('/') ? service !== undefined && matchesGlob(glob, `${cluster}/${service}`) : matchesGlob(glob, cluster)));
  if (tag === undefined || tag === '') {
    return byConfig ? { playbooks: enabled, because: `remediate.optIn '${byConfig}'` } : { playbooks: [], because: `${where} is not opted in (remediate.optIn or the ${REMEDIATE_TAG} tag)` };
  }
  if (tag === 'on' || tag === 'all') return { playbooks: enabled, because: `${REMEDIATE_TAG}=${tag}` };
  const listed = tag.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = listed.filter((name) => !TAG_NAMES[name]);
  const chosen = listed.map((name) => TAG_NAMES[name]).filter((name): name is PlaybookName => !!name && enabled.includes(name));
  const warning = unknown.length ? `tag ${REMEDIATE_TAG}=${tags![REMEDIATE_TAG]} names unknown playbooks (${unknown.join(', ')}); valid: on, off, all or a list of ${Object.keys(TAG_NAMES).join(', ')}` : undefined;
  if (chosen.length === 0 && byConfig) return { playbooks: enabled, because: `remediate.optIn '${byConfig}'`, ...(warning ? { warning } : {}) };
  return { playbooks: chosen, because: `${REMEDIATE_TAG}=${tag}`, ...(warning ? { warning } : {}) };
}
