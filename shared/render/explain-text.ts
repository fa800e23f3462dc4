// `ecs-autopilot explain` as text for a terminal: one screen, the cause first, then the evidence an
// engineer would otherwise gather from five console tabs.
import type { ServiceDiagnosis } from '../decide/explain-service.js';
import type { CooldownState, RemediationLimits } from '../decide/remediation-limits.js';
import type { TaskDiagnosis } from '../decide/explain-task.js';
import { describeChange } from '../decide/task-definition-diff.js';

/** 2026-11-20T10:01:05.000Z -> 2026-11-20 10:01:05Z */
export const shortTime = (iso: string | undefined) => (iso ? `${iso.slice(0, 19).replace('T', ' ')}Z` : '?');
const oneLine = (text: string, max = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function renderTaskDiagnosis(d: TaskDiagnosis): string {
  const out: string[] = [];
  const where = d.task.service ? `${d.task.cluster}/${d.task.service}` : d.task.cluster;
  out.push(`task ${d.task.id} (${where}): ${d.task.lastStatus}${d.task.stoppedAt ? ` at ${shortTime(d.task.stoppedAt)}` : ''}`);
  if (d.cause) {
    out.push(`cause: ${d.cause} (${d.severity}): ${d.meaning}`);
    out.push(`why: ${d.evidence}`);
    out.push(`do: ${d.hint}`);
  } else {
    out.push('cause: none yet, the task has not stopped');
  }
  if (d.task.stopCode || d.task.stoppedReason) out.push(`stopped: ${[d.task.stopCode ? `stop code ${d.task.stopCode}` : '', d.task.stoppedReason ? `reason: ${oneLine(d.task.stoppedReason)}` : ''].filter(Boolean).join('; ')}`);
  out.push('containers:');
  const width = Math.max(...d.containers.map((c) => c.name.length), 4);
  for (const c of d.containers) {
    const exit = c.exitCode !== undefined ? `exit ${c.exitCode}` : 'no exit code';
    out.push(`  ${c.name.padEnd(width)}  ${exit.padEnd(12)}${c.image ? `  ${c.image}` : ''}${c.reason ? `  ${oneLine(c.reason, 100)}` : ''}${c.name === d.failedContainer ? '  <-' : ''}`);
  }
  const td = d.taskDefinition;
  out.push(`task definition: ${td.revision ?? '?'}${td.previousRevision ? ` (changes since ${td.previousRevision}${td.changes.length ? '' : ': none'})` : ''}`);
  for (const change of td.changes) out.push(`  ${describeChange(change)}`);
  if (td.note && td.changes.length === 0 && !td.note.startsWith('no change')) out.push(`  ${td.note}`);
  if (d.logTail) {
    if ('unavailable' in d.logTail) out.push(`last log lines of '${d.failedContainer ?? '?'}': unavailable: ${d.logTail.unavailable}`);
    else {
      out.push(`last log lines of '${d.failedContainer ?? '?'}' (${d.logTail.logGroup} ${d.logTail.logStream}):`);
      for (const l of d.logTail.lines) out.push(`  | ${l}`);
      if (d.logTail.lines.length === 0) out.push('  (the stream is empty)');
    }
  }
  return `${out.join('\n')}\n`;
}

const minutes = (seconds: number) => `${Math.max(1, Math.ceil(seconds / 60))}m`;

function cooldownText(c: CooldownState, now: Date): string {
  return c.until ? `cooldown until ${shortTime(c.until)} (${minutes((Date.parse(c.until) - now.getTime()) / 1000)} left)` : `no cooldown running (${minutes(c.seconds)} after acting)`;
}

/** The remediation limits: which playbooks may act, the global budget, and per playbook its cooldown and budget left this hour. */
function renderLimits(limits: RemediationLimits, now: Date): string[] {
  if ('none' in limits) return [`  remediation: none (${limits.none})`];
  const ks = limits.killSwitch;
  const killSwitch = !ks ? '' : `; kill switch ${ks.parameter} ${'engaged' in ks ? `ENGAGED (${ks.engaged}): no action is taken` : 'off' in ks ? 'off' : `unknown: ${oneLine(ks.unreadable, 100)}`}`;
  const out = [
    `  remediation${limits.dryRun ? ' (dry-run, counted apart)' : ''}: ${limits.playbooks.map((p) => p.playbook).join(', ')} (opted in by ${limits.optedIn})${killSwitch}`,
    `  budgets left this hour (${limits.hour.slice(11)}:00Z): global ${limits.global.left}/${limits.global.limit}`,
  ];
  const width = Math.max(...limits.playbooks.map((p) => p.playbook.length));
  for (const p of limits.playbooks) {
    out.push(`    ${p.playbook.padEnd(width)}  ${p.budget.left}/${p.budget.limit} left; ${cooldownText(p.cooldown, now)}${p.restoreCooldown?.until ? `; moving back: ${cooldownText(p.restoreCooldown, now)}` : ''}`);
  }
  return out;
}

/** `now` dates the cooldowns left; the default is fine for a terminal. */
export function renderServiceDiagnosis(d: ServiceDiagnosis, now = new Date()): string {
  const out: string[] = [];
  out.push(`service ${d.cluster}/${d.service} (${d.status ?? '?'}): running ${d.tasks.running}/${d.tasks.desired}${d.tasks.pending ? `, ${d.tasks.pending} pending` : ''}${d.taskDefinition ? `, task definition ${d.taskDefinition}` : ''}`);
  out.push('deployments:');
  for (const dep of d.deployments) {
    out.push(
      `  ${dep.status.padEnd(8)} ${dep.taskDefinition}  ${dep.rolloutState ?? ''}  running ${dep.running}/${dep.desired}${dep.failedTasks ? `, ${dep.failedTasks} failed tasks` : ''}${dep.createdAt ? `, since ${shortTime(dep.createdAt)}` : ''}${dep.rolloutStateReason ? `: ${oneLine(dep.rolloutStateReason, 100)}` : ''}`.replace(/  +$/, ''),
    );
  }
  if (d.deployments.length === 0) out.push('  (none)');
  const failures = d.failures.filter((f) => f.failure);
  const routine = d.failures.filter((f) => !f.failure);
  out.push(`failures (stopped tasks ECS still lists, about the last hour): ${failures.length ? '' : 'none'}`.trimEnd());
  for (const f of failures) out.push(`  ${f.cause.padEnd(17)} ${String(f.count).padStart(3)}  last${f.lastAt ? ` ${shortTime(f.lastAt)}` : ''} task ${f.lastTaskId}: ${oneLine(f.evidence, 110)}`);
  if (routine.length) out.push(`  routine stops: ${routine.map((f) => `${f.cause} ${f.count}`).join(', ')}`);
  out.push(`events: ${d.events.length ? '' : 'none'}`.trimEnd());
  for (const e of d.events) out.push(`  ${shortTime(e.at)}  ${oneLine(e.message, 140)}`);
  if ('unavailable' in d.alarms) out.push(`alarms: unavailable: ${d.alarms.unavailable}`);
  else {
    out.push(`alarms: ${d.alarms.length ? '' : 'none on ClusterName/ServiceName dimensions'}`.trimEnd());
    for (const a of d.alarms) out.push(`  ${a.state.padEnd(17)} ${a.name}${a.reason ? `: ${oneLine(a.reason, 110)}` : ''}`);
  }
  const ap = d.autopilot;
  if ('unavailable' in ap) out.push(`ecs-autopilot: ${ap.unavailable}`);
  else {
    const outcomes = Object.entries(ap.outcomes).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`ecs-autopilot: ${ap.failing ? `failing since ${shortTime(ap.failing.failingSince)} (${ap.failing.failures} failures, last ${ap.failing.lastCause})` : 'not marked failing'}; actions: ${outcomes || 'none'}`);
    for (const a of ap.actions) out.push(`  ${shortTime(a.time)}  ${a.actor}  ${a.action}  ${a.outcome}: ${oneLine(a.reason, 100)}`);
    out.push(`  scaling: ${ap.scaling ? `${ap.scaling.action} (${ap.scaling.outcome}) at ${shortTime(ap.scaling.time)}` : 'no scaling record'}`);
    out.push(`  silences: ${ap.silences.length ? '' : 'none'}`.trimEnd());
    for (const s of ap.silences) {
      const match = Object.entries(s.match).map(([k, v]) => `${k}=${(v ?? []).join('|')}`).join(',');
      out.push(`    ${s.id} ${match} until ${shortTime(s.until)}${s.comment ? ` (${s.comment})` : ''}${s.createdBy ? ` by ${s.createdBy}` : ''}`);
    }
    if (ap.limits) out.push(...renderLimits(ap.limits, now));
  }
  return `${out.join('\n')}\n`;
}
