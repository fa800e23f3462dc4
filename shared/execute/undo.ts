// Reverses one remediation from its audit record, the way `ecs-autopilot undo ID` runs it: only an
// action that was carried out, only once, and only while the target still looks the way the action
// left it (someone may have fixed things by hand since; undoing then would break their fix).
import type { RemediationEcs } from '../adapters/ecs-remediation.js';
import { describeStrategy, sameStrategy } from '../decide/remediation/playbooks/capacity-fallback.js';
import type { AuditRecord, StateStore } from '../state/store.js';
import type { UndoSpec } from './remediate-event.js';

export class UndoRefused extends Error {
  override readonly name = 'UndoRefused';
}

const AUDIT_SCAN = 1000;
const UNDO_RETENTION_SECONDS = 90 * 86400;

export async function undoRemediation(id: string, deps: { store: StateStore; ecs: RemediationEcs; now: Date; by: string }): Promise<AuditRecord> {
  const records = await deps.store.listAudit(AUDIT_SCAN);
  const record = records.find((r) => r.id === id);
  if (!record) throw new UndoRefused(`no audit record '${id}' among the last ${AUDIT_SCAN} (ecs-autopilot audit lists them)`);
  const detail = (record.detail ?? {}) as { outcome?: string; undo?: UndoSpec };
  // `acting` is the intent written before the change: its invocation may have died right after
  // the write, so it can be undone too; the checks below make sure the change is really there.
  if (detail.outcome !== 'acted' && detail.outcome !== 'acting') throw new UndoRefused(`${id} was ${detail.outcome ?? 'not an action'}: nothing was changed, so there is nothing to undo`);
  if (detail.outcome === 'acting') {
    const settled = records.find((r) => r.id !== id && (r.detail as { actionKey?: string } | undefined)?.actionKey === (record.detail as { actionKey?: string }).actionKey);
    const outcome = (settled?.detail as { outcome?: string } | undefined)?.outcome;
    if (outcome === 'acted') throw new UndoRefused(`${id} is the intent of ${settled!.id}, which acted: undo ${settled!.id}`);
    if (outcome === 'failed') throw new UndoRefused(`${id} is the intent of ${settled!.id}, which failed: nothing was changed`);
  }
  const undone = records.find((r) => r.action === 'undo' && (r.detail as { undoes?: string } | undefined)?.undoes === id);
  if (undone) throw new UndoRefused(`${id} was already undone at ${undone.time} (audit ${undone.id})`);
  const undo = detail.undo;
  if (!undo || undo.kind === 'none') throw new UndoRefused(`${record.action} of ${record.target} cannot be undone: ${undo?.kind === 'none' ? undo.why : 'no undo recorded'}`);

  if (undo.kind === 'update-service') {
    const now = await deps.ecs.describeService(undo.cluster, undo.service);
    if (!now) throw new UndoRefused(`service ${undo.cluster}/${undo.service} no longer exists`);
    if (undo.expect.taskDefinition && now.taskDefinition !== undo.expect.taskDefinition) {
      throw new UndoRefused(`${undo.cluster}/${undo.service} now runs ${now.taskDefinition}, not ${undo.expect.taskDefinition} as ${id} left it: changed since, not undoing`);
    }
    if (undo.expect.desiredCount !== undefined && now.desiredCount !== undo.expect.desiredCount) {
      throw new UndoRefused(`${undo.cluster}/${undo.service} now wants ${now.desiredCount} tasks, not ${undo.expect.desiredCount} as ${id} left it: changed since, not undoing`);
    }
    if (undo.expect.capacityProviderStrategy && !sameStrategy(now.capacityProviderStrategy, undo.expect.capacityProviderStrategy)) {
      throw new UndoRefused(
        `${undo.cluster}/${undo.service} now uses the capacity provider strategy ${describeStrategy(now.capacityProviderStrategy)}, not ${describeStrategy(undo.expect.capacityProviderStrategy)} as ${id} left it: changed since, not undoing`,
      );
    }
    await deps.ecs.updateService(undo.cluster, undo.service, undo.change);
  } else {
    // Only a drain that still stands is undone: an instance someone set ACTIVE again, or that is
    // gone or deregistering, is left as it is.
    const expected = undo.expect?.status ?? 'DRAINING';
    const instance = await deps.ecs.describeInstance(undo.cluster, undo.containerInstance);
    if (!instance) throw new UndoRefused(`container instance ${undo.containerInstance} no longer exists in ${undo.cluster}`);
    if (instance.status !== expected) {
      throw new UndoRefused(`container instance ${undo.containerInstance} is now ${instance.status}, not ${expected} as ${id} left it: changed since, not undoing`);
    }
    await deps.ecs.setInstanceStatus(undo.cluster, undo.containerInstance, undo.status);
  }
  const receipt: AuditRecord = {
    id: `undo-${id}`,
    time: deps.now.toISOString(),
    actor: `cli:${deps.by}`,
    action: 'undo',
    target: record.target,
    reason: `undo of ${record.action} ${id} (${record.reason})`,
    eventIds: record.eventIds,
    detail: { undoes: id, outcome: 'acted', applied: undo },
  };
  await deps.store.appendAudit(receipt, UNDO_RETENTION_SECONDS);
  return receipt;
}
