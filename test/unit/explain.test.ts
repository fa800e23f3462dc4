// The pure parts of `explain` and `status`: the task definition diff (names only), the task and
// service diagnoses, and the status row, on facts shaped like what the adapters read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { actionText, auditOf, countOutcomes, groupByCause, silencesOf } from '../../shared/decide/autopilot-activity.js';
import type { ServiceFacts, StoppedTaskFacts, TaskDefinitionFacts } from '../../shared/decide/diagnosis-facts.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { createDiagnosisReader } from '../../shared/adapters/ecs-diagnosis-reader.js';
import { explainService, SERVICE_EVENTS_SHOWN } from '../../shared/decide/explain-service.js';
import { explainTask, previousRevisionOf } from '../../shared/decide/explain-task.js';
import { limitsToRead, remediationLimitKeys, remediationLimits } from '../../shared/decide/remediation-limits.js';
import { serviceStatus } from '../../shared/decide/service-status.js';
import { describeChange, diffTaskDefinitions } from '../../shared/decide/task-definition-diff.js';
import { renderServiceDiagnosis, renderTaskDiagnosis } from '../../shared/render/explain-text.js';
import { renderStatusTable } from '../../shared/render/status-table.js';
import type { AuditRecord } from '../../shared/state/store.js';

const definition = (revision: number, web: Partial<TaskDefinitionFacts['containers'][number]> = {}): TaskDefinitionFacts => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`,
  family: 'web',
  revision,
  memory: '1024',
  containers: [{ name: 'web', image: 'web:1', memory: 512, environment: { A: 'fa' }, secrets: { S: 'fs' }, ...web }],
});

const stopped = (overrides: Partial<StoppedTaskFacts> = {}): StoppedTaskFacts => ({
  region: 'us-east-1',
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc',
  taskId: 'abc',
  cluster: 'prod',
  service: 'web',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
  family: 'web',
  revision: 2,
  lastStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  stoppedAt: '2026-11-20T10:00:00.000Z',
  containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', memory: '512' }],
  ...overrides,
});

describe('diffTaskDefinitions', () => {
  it('names image, memory, environment and secret changes, never their values', () => {
    const before = definition(1, { image: 'web:1', memory: 896, environment: { LOG_LEVEL: 'f1', OLD: 'f2' }, secrets: { DB: 'f3' } });
    const after = definition(2, { image: 'web:2', memory: 512, environment: { LOG_LEVEL: 'f9', NEW: 'f4' }, secrets: { DB: 'f3', API_KEY: 'f5' } });
    const changes = diffTaskDefinitions(before, after);
    expect(changes.map(describeChange)).toEqual([
      'container web: image web:1 -> web:2',
      'container web: memory 896 MiB -> 512 MiB',
      'container web: environment added NEW; removed OLD; value changed for LOG_LEVEL',
      'container web: secrets added API_KEY',
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/f[1-9]/);
  });

  it('reports task-level cpu and memory, and added or removed containers', () => {
    const before: TaskDefinitionFacts = { ...definition(1), cpu: '256', containers: [...definition(1).containers, { name: 'old-sidecar', environment: {}, secrets: {} }] };
    const after: TaskDefinitionFacts = { ...definition(2), cpu: '512', memory: '2048', containers: [...definition(2).containers, { name: 'xray', environment: {}, secrets: {} }] };
    expect(diffTaskDefinitions(before, after).map(describeChange)).toEqual(['task: cpu 256 units -> 512 units', 'task: memory 1024 MiB -> 2048 MiB', 'container xray added', 'container old-sidecar removed']);
  });

  const keys = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D', 'E'), fc.constantFrom('x', 'y'));
  const facts = fc.record({ image: fc.constantFrom('a', 'b'), memory: fc.constantFrom(256, 512), environment: keys, secrets: keys }).map((c) => definition(1, c));

  it('finds nothing between a revision and itself, and every key difference in both directions (property)', () => {
    fc.assert(
      fc.property(facts, facts, (a, b) => {
        expect(diffTaskDefinitions(a, a)).toEqual([]);
        const forward = diffTaskDefinitions(a, b);
        const backward = diffTaskDefinitions(b, a);
        expect(forward.length).toBe(backward.length);
        for (const change of forward) {
          const reverse = backward.find((c) => c.field === change.field && c.container === change.container)!;
          expect(reverse.added ?? []).toEqual(change.removed ?? []);
          expect(reverse.removed ?? []).toEqual(change.added ?? []);
          expect(reverse.changed ?? []).toEqual(change.changed ?? []);
        }
      }),
    );
  });
});

describe('explainTask', () => {
  it('classifies with the notifications\' classifier and hint, and compares with the previous revision', () => {
    const d = explainTask({ task: stopped(), taskDefinition: definition(2, { image: 'web:2' }), previousTaskDefinition: definition(1), logTail: { lines: ['boom'], logGroup: 'g', logStream: 's' } });
    expect(d).toMatchObject({ cause: 'oom', severity: 'critical', failedContainer: 'web', taskDefinition: { revision: 'web:2', previousRevision: 'web:1' } });
    expect(d.hint).toMatch(/^Container 'web' has a hard limit of 512 MiB and the task has 1024 MiB\./);
    expect(renderTaskDiagnosis(d)).toContain('  container web: image web:1 -> web:2\n');
  });

  it('says why there is no comparison: revision 1, a gone previous revision, a running task', () => {
    expect(explainTask({ task: stopped({ revision: 1 }), taskDefinition: definition(1) }).taskDefinition.note).toMatch(/revision 1/);
    expect(previousRevisionOf(stopped({ revision: 7 }))).toBe('web:6');
    expect(explainTask({ task: stopped(), taskDefinition: definition(2) }).taskDefinition.note).toBe('previous revision web:1 could not be read (deleted?)');
    const running = explainTask({ task: stopped({ lastStatus: 'RUNNING' }) });
    expect(running.cause).toBeUndefined();
    expect(renderTaskDiagnosis(running)).toContain('cause: none yet, the task has not stopped');
  });
});

const audit = (id: string, minutesAgo: number, actor: string, outcome: string, target = 'prod/web'): AuditRecord => ({
  id,
  time: new Date(Date.parse('2026-11-20T11:00:00Z') - minutesAgo * 60_000).toISOString(),
  actor,
  action: actor === 'scale' ? 'scale-out 2->4' : 'rollback',
  target,
  reason: 'r',
  eventIds: [],
  detail: { outcome },
});

const service: ServiceFacts = { cluster: 'prod', service: 'web', status: 'ACTIVE', desired: 3, running: 1, pending: 0, taskDefinition: 'web:2', deployments: [], events: [] };
const now = new Date('2026-11-20T11:00:00Z');

describe('status and the service diagnosis', () => {
  const records = [
    audit('1', 5, 'remediate:failed-deployment', 'acted'),
    audit('2', 10, 'remediate:crash-loop', 'blocked-kill-switch'),
    audit('3', 12, 'remediate:crash-loop', 'blocked-kill-switch'),
    audit('4', 20, 'scale', 'acted'),
    audit('5', 90, 'remediate:crash-loop', 'blocked-budget'),
    audit('6', 1, 'remediate:disconnected-agent', 'acted', 'arn:aws:ecs:us-east-1:123456789012:container-instance/prod/x'),
  ];
  const tasks = [stopped({ stoppedAt: '2026-11-20T10:50:00Z' }), stopped({ taskId: 'old', stoppedAt: '2026-11-20T09:00:00Z' }), stopped({ taskId: 'dep', stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment x)', containers: [] })];
  const silences = [
    { id: 's1', value: { match: { service: ['web'] }, until: '2026-11-20T12:00:00Z' } },
    { id: 's2', value: { match: { cluster: ['staging'] }, until: '2026-11-20T12:00:00Z' } },
    { id: 's3', value: { match: { service: ['web'] }, until: '2026-11-20T10:00:00Z' } },
  ];

  it('one row: health, the last hour only, blocked by which limit, the last scaling, silences that apply', () => {
    const row = serviceStatus({ service, stoppedTasks: tasks, state: { audit: records, silences }, now });
    expect(row).toEqual({
      service: 'prod/web',
      health: 'failing',
      running: 1,
      desired: 3,
      failures: { oom: 1 },
      acted: 2,
      blocked: { 'blocked-kill-switch': 2 },
      scaling: 'scale-out 2->4 (acted) 20m ago',
      silences: ['s1 until 2026-11-20 12:00'],
    });
    expect(renderStatusTable([row]).split('\n')[1]).toMatch(/^prod\/web +failing +1\/3 +oom 1 +2 +blocked-kill-switch 2 +scale-out 2->4 \(acted\) 20m ago +s1 until 2026-11-20 12:00$/);
    expect(serviceStatus({ service: { ...service, running: 3 }, stoppedTasks: [], now }).health).toBe('healthy');
    expect(serviceStatus({ service: { ...service, desired: 0, running: 0 }, stoppedTasks: [], now }).health).toBe('idle');
  });

  it('groups stops by cause with failures first, counts outcomes stably, and matches silences by cluster and service', () => {
    expect(groupByCause(tasks).map((g) => [g.cause, g.count, g.failure])).toEqual([['oom', 2, true], ['deployment', 1, false]]);
    expect(Object.keys(countOutcomes(records))).toEqual(['acted', 'blocked-kill-switch', 'blocked-budget']);
    expect(silencesOf(silences, 'prod', 'web', now).map((s) => s.id)).toEqual(['s1']);
    const d = explainService({ service, stoppedTasks: tasks, alarms: [], state: { audit: records, silences }, now });
    expect(d.autopilot).toMatchObject({ outcomes: { acted: 2, 'blocked-kill-switch': 2, 'blocked-budget': 1 }, scaling: { action: 'scale-out 2->4' } });
    expect(explainService({ service, stoppedTasks: [], alarms: [], now }).autopilot).toEqual({ unavailable: expect.stringMatching(/STATE_TABLE is not set/) });
  });
});

describe('explain targets', () => {
  it('reads task ARNs (long and old format), CLUSTER/TASK_ID, service ARNs and CLUSTER/SERVICE', async () => {
    const { parseTarget } = await import('../../bin/cli/explain.js');
    expect(parseTarget('arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef')).toEqual({ type: 'task', cluster: 'prod', task: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef' });
    expect(parseTarget('arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef')).toMatchObject({ type: 'task', cluster: 'default' });
    expect(parseTarget('prod/0123456789abcdef0123456789abcdef')).toEqual({ type: 'task', cluster: 'prod', task: '0123456789abcdef0123456789abcdef' });
    expect(parseTarget('prod/639e81f3-1cca-47af-8547-5946810db780')).toMatchObject({ type: 'task' });
    expect(parseTarget('prod/web')).toEqual({ type: 'service', cluster: 'prod', service: 'web' });
    expect(parseTarget('arn:aws:ecs:us-east-1:123456789012:service/prod/web')).toEqual({ type: 'service', cluster: 'prod', service: 'web' });
    expect(() => parseTarget('web')).toThrow(/explain takes a task ARN, CLUSTER\/TASK_ID or CLUSTER\/SERVICE, got 'web'/);
  });
});

describe('the remediation limits explain shows', () => {
  const config = validateConfig({ remediate: { optIn: ['prod'], maxActionsPerHour: 5, playbooks: { crashLoop: { enabled: true, maxPerHour: 3 }, capacityFallback: { enabled: true, fallback: [{ capacityProvider: 'FARGATE' }] }, disconnectedAgent: { enabled: true } } } }, 'test');
  const at = new Date('2026-11-20T10:40:00Z');

  it('reads the executor\'s keys (dry-run apart) and counts what is left, for the playbooks that act on services', () => {
    const { cooldownKeys, budgetKeys } = limitsToRead(config, { cluster: 'prod', service: 'web' }, at);
    // The cooldown and the hourly cap are the service's, across playbooks; a capacity restore has its own cooldown.
    expect(cooldownKeys).toEqual(['remediate#target#prod/web', 'remediate#capacity-fallback-restore#prod/web']);
    expect(budgetKeys).toEqual(['remediate#target#prod/web#2026-11-20T10', 'remediate#global#2026-11-20T10']);
    expect(remediationLimitKeys('crashLoop', 'prod/web', at, true).budget).toBe('dry-run#remediate#target#prod/web#2026-11-20T10');
    const readings = { cooldownUntil: { 'remediate#target#prod/web': '2026-11-20T10:55:00.000Z' }, slotsTaken: { 'remediate#target#prod/web#2026-11-20T10': 1, 'remediate#global#2026-11-20T10': 7 } };
    const limits = remediationLimits(config, { cluster: 'prod', service: 'web' }, { ...readings, killSwitch: { engaged: 'on' } }, at);
    expect(limits).toMatchObject({ hour: '2026-11-20T10', optedIn: "remediate.optIn 'prod'", killSwitch: { parameter: '/ecs-autopilot/kill-switch', engaged: 'on' }, global: { limit: 5, used: 7, left: 0 } });
    const render = (l: typeof limits) => renderServiceDiagnosis(explainService({ service, stoppedTasks: [], alarms: [], state: { audit: [], silences: [], limits: l }, now: at }), at);
    const text = render(limits);
    expect(text).toContain("  remediation: crash-loop, capacity-fallback (opted in by remediate.optIn 'prod'); kill switch /ecs-autopilot/kill-switch ENGAGED (on): no action is taken\n  budgets left this hour (10:00Z): global 0/5\n");
    expect(render(remediationLimits(config, { cluster: 'prod', service: 'web' }, { ...readings, killSwitch: { unreadable: 'AccessDeniedException: no' } }, at))).toContain('; kill switch /ecs-autopilot/kill-switch unknown: AccessDeniedException: no\n');
    expect(render(remediationLimits(config, { cluster: 'prod', service: 'web' }, readings, at))).toContain("(opted in by remediate.optIn 'prod')\n");
    expect(text).toContain('    crash-loop         2/3 left; cooldown until 2026-11-20 10:55:00Z (15m left)\n');
    expect(text).toContain('    capacity-fallback  1/2 left; cooldown until 2026-11-20 10:55:00Z (15m left)\n');
  });

  it('says why none apply: not opted in, or the service tag turns remediation off', () => {
    expect(remediationLimits(config, { cluster: 'staging', service: 'web' }, { cooldownUntil: {}, slotsTaken: {} }, at)).toEqual({ none: 'staging/web is not opted in (remediate.optIn or the ecs-autopilot:remediate tag)' });
    expect(remediationLimits(config, { cluster: 'prod', service: 'web', tags: { 'ecs-autopilot:remediate': 'off' } }, { cooldownUntil: {}, slotsTaken: {} }, at)).toEqual({ none: 'prod/web has ecs-autopilot:remediate=off' });
    expect(limitsToRead(config, { cluster: 'staging', service: 'web' }, at).budgetKeys).toEqual([]);
  });
});

describe('audit records as explain and status count them', () => {
  it('folds the executor\'s intent into its outcome, keeps an intent left alone, and writes counts as from->to', () => {
    const intent = (id: string, key: string, outcome: string): AuditRecord => ({ ...audit(id, 5, 'remediate:crash-loop', outcome), detail: { outcome, actionKey: key, from: 3, to: 0 }, action: 'pause' });
    const records = [intent('i1', 'e1>pause>prod/web', 'acting'), intent('o1', 'e1>pause>prod/web', 'acted'), intent('i2', 'e2>pause>prod/web', 'acting')];
    expect(auditOf(records, 'prod', 'web').map((r) => r.id)).toEqual(['o1', 'i2']);
    expect(actionText(records[1]!)).toBe('pause 3->0');
    expect(actionText(audit('x', 1, 'remediate:crash-loop', 'acted'))).toBe('rollback');
  });
});

// The emulator records no service events (moto keeps the list empty), so their reading and
// rendering are tested here on a DescribeServices answer shaped like ECS's.
describe("the service's own event messages", () => {
  const ecs = mockClient(ECSClient);
  const events = [
    ['2026-11-20T10:09:00Z', '(service web) has reached a steady state.'],
    ['2026-11-20T10:08:40Z', '(service web) (deployment ecs-svc/8260158203154245211) deployment completed.'],
    ['2026-11-20T10:06:10Z', '(service web) has started 2 tasks: (task 4f1c1c0a0c4e4d1b9b7a5e2f3d6c8a91) (task 9b2e7d4a1f3c4e8b8d6a2c5f7e1b3d40).'],
    ['2026-11-20T10:05:00Z', '(service web) rolling back to deployment ecs-svc/8260158203154245211.'],
    ['2026-11-20T10:05:00Z', '(service web) (deployment ecs-svc/1141014360237064332) deployment failed: tasks failed to start.'],
    ['2026-11-20T10:04:30Z', '(service web) has stopped 1 running tasks: (task c6510eb7815046f5a31675a42f60ecb0).'],
    ['2026-11-20T10:03:00Z', '(service web) (task e8e111e5b885418c8a329da2e538d1b0) failed container health checks.'],
    ['2026-11-20T10:01:05Z', '(service web) has stopped 1 running tasks: (task d7f573b62a034c79ac08ea2e1b0443e4).'],
    ['2026-11-20T10:00:00Z', '(service web) has started 2 tasks: (task 0a9d3c4b5e6f47a8b9c0d1e2f3a4b5c6) (task 1b2c3d4e5f6a47b8c9d0e1f2a3b4c5d6).'],
  ] as const;

  it('reads them newest first, keeps the last 8, and prints one line each, as the README shows', async () => {
    ecs.reset();
    ecs.on(DescribeServicesCommand, { cluster: 'prod', services: ['web'], include: ['TAGS'] }).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
          deployments: [],
          events: events.map(([at, message], i) => ({ id: `e${i}`, createdAt: new Date(at), message })),
          tags: [{ key: 'ecs-autopilot:remediate', value: 'crash-loop' }],
        },
      ],
    });
    const facts = await createDiagnosisReader(new ECSClient({ region: 'us-east-1' }), 'us-east-1').service('prod', 'web');
    expect(facts.events[0]).toEqual({ at: '2026-11-20T10:09:00.000Z', message: '(service web) has reached a steady state.' });
    expect(facts.events).toHaveLength(9);
    expect(facts.tags).toEqual({ 'ecs-autopilot:remediate': 'crash-loop' });
    const diagnosis = explainService({ service: facts, stoppedTasks: [], alarms: [], now });
    expect(diagnosis.events).toHaveLength(SERVICE_EVENTS_SHOWN);
    const text = renderServiceDiagnosis(diagnosis, now);
    const shown = text.slice(text.indexOf('events:\n'), text.indexOf('alarms:'));
    expect(shown.split('\n')[1]).toBe('  2026-11-20 10:09:00Z  (service web) has reached a steady state.');
    expect(shown).not.toContain('10:00:00Z');
    expect(readFileSync(join(projectRoot, 'README.md'), 'utf8')).toContain(`\`\`\`\n${shown}\`\`\``);
  });
});
