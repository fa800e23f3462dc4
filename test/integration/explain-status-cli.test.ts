// `ecs-autopilot explain` and `status` against a bad deploy staged in the emulator with real ECS
// resources: two task definition revisions, tasks ECS really stopped, log lines in the failed
// container's stream, an alarm on the service, and audit records, a silence and the failing mark
// in the state table. What they print is checked in text and in JSON.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type BadDeploy, OOM_LOG_LINES, SECRET_LOOKING_VALUES, stageBadDeploy } from '../../scripts/lib/bad-deploy.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { healthKey } from '../../shared/decide/notification.js';
import { lastArnSegment } from '../../shared/intake/arns.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { uniqueName } from '../support/lambda.js';

const run = promisify(execFile);
let stack: LocalStack;
let staged: BadDeploy;
let cluster: string;
const service = 'web';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, 'bin', 'ecs-autopilot.mjs'), ...args], {
      env: { ...process.env, ...stack.functionEnv, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  stack = await createLocalStack(endpoint, uniqueName('explain'));
  cluster = uniqueName('cl');
  staged = await stageBadDeploy(endpoint, { cluster, service });
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const store = new DynamoDbStateStore(new DynamoDBClient(clientOptions(endpoint)), stack.tableName);
  const target = `${cluster}/${service}`;
  await store.appendAudit({ id: 'a1', time: at(20), actor: 'remediate:crash-loop', action: 'pause-service', target, reason: '3 oom stops in 10 min', eventIds: ['e1'], detail: { outcome: 'blocked-cooldown' } }, 86400);
  await store.appendAudit({ id: 'a2', time: at(15), actor: 'remediate:oom-resize', action: 'raise-memory 512->768', target, reason: 'oom twice', eventIds: ['e2'], detail: { outcome: 'dry-run' } }, 86400);
  await store.appendAudit({ id: 'a3', time: at(10), actor: 'scale', action: 'scale-out 2->4', target, reason: 'queue backlog 120 per task', eventIds: [], detail: { outcome: 'acted' } }, 86400);
  await store.appendAudit({ id: 'a4', time: at(5), actor: 'remediate:crash-loop', action: 'pause-service', target: `${cluster}/other`, reason: 'not this service', eventIds: [], detail: { outcome: 'acted' } }, 86400);
  await store.appendAudit({ id: 'a5', time: at(180), actor: 'remediate:crash-loop', action: 'pause-service', target, reason: 'hours ago', eventIds: [], detail: { outcome: 'acted' } }, 86400);
  await store.putInCollection('silences', 'sil12345', { match: { service: [service], cause: ['health-check'] }, until: new Date(now + 2 * 3600_000).toISOString(), comment: 'LB migration', createdBy: 'alice' }, new Date(), 3 * 3600);
  await store.putInCollection('silences', 'other999', { match: { service: ['billing'] }, until: new Date(now + 3600_000).toISOString() }, new Date(), 7200);
  await store.putRecord(healthKey(cluster, service), { failingSince: at(30), failures: 3, lastFailureAt: at(2), lastCause: 'oom' }, undefined, new Date(), 3600);
  const cloudwatch = new CloudWatchClient(clientOptions(endpoint));
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: `${cluster}-web-memory-high`,
      Namespace: 'AWS/ECS',
      MetricName: 'MemoryUtilization',
      Dimensions: [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: `${cluster}-web-memory-high`, StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [97.5] was greater than the threshold (90.0).' }));
}, 60_000);

describe('ecs-autopilot explain TASK', () => {
  it('names the cause and hint, the revision change (names only) and the last log lines, in text', async () => {
    const { code, stdout, stderr } = await cli('explain', staged.oomTaskArn);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`task ${lastArnSegment(staged.oomTaskArn)} (${cluster}/web): STOPPED`);
    expect(stdout).toContain('cause: oom (critical): a container was killed for using more memory than its limit');
    expect(stdout).toContain("do: Container 'web' has a hard limit of 512 MiB and the task has 1024 MiB.");
    expect(stdout).toMatch(/^ {2}web +exit 0 +public\.ecr\.aws\/acme\/web:1\.42 +<-$/m);
    expect(stdout).toContain('task definition: web:2 (changes since web:1)');
    expect(stdout).toContain('  container web: image public.ecr.aws/acme/web:1.41 -> public.ecr.aws/acme/web:1.42\n');
    expect(stdout).toContain('  container web: memory 896 MiB -> 512 MiB\n');
    expect(stdout).toContain('  container web: environment added FEATURE_SEARCH; removed LEGACY_CACHE; value changed for LOG_LEVEL\n');
    expect(stdout).toContain('  container web: secrets added API_KEY\n');
    expect(stdout).not.toContain('xray-daemon:'); // the unchanged sidecar has no change line
    expect(stdout).toContain(`last log lines of 'web' (${staged.logGroup} ecs/web/${lastArnSegment(staged.oomTaskArn)}):\n${OOM_LOG_LINES.map((l) => `  | ${l}`).join('\n')}\n`);
    for (const value of SECRET_LOOKING_VALUES) expect(stdout).not.toContain(value);
    expect(stdout.split('\n').length).toBeLessThan(40); // one screen
  });

  it('gives the same diagnosis as JSON, by CLUSTER/TASK_ID too', async () => {
    const { code, stdout } = await cli('explain', `${cluster}/${lastArnSegment(staged.oomTaskArn)}`, '--json');
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as Record<string, unknown> & { taskDefinition: { revision: string; previousRevision: string; changes: unknown[] }; logTail: { lines: string[] } };
    expect(d).toMatchObject({ kind: 'task', cause: 'oom', severity: 'critical', failedContainer: 'web', task: { arn: staged.oomTaskArn, cluster, service: 'web', lastStatus: 'STOPPED' } });
    expect(d.taskDefinition).toMatchObject({ revision: 'web:2', previousRevision: 'web:1' });
    expect(d.taskDefinition.changes).toEqual([
      { container: 'web', field: 'image', from: 'public.ecr.aws/acme/web:1.41', to: 'public.ecr.aws/acme/web:1.42' },
      { container: 'web', field: 'memory', from: '896', to: '512' },
      { container: 'web', field: 'environment', added: ['FEATURE_SEARCH'], removed: ['LEGACY_CACHE'], changed: ['LOG_LEVEL'] },
      { container: 'web', field: 'secrets', added: ['API_KEY'] },
    ]);
    expect(d.logTail.lines).toEqual(OOM_LOG_LINES);
    for (const value of SECRET_LOOKING_VALUES) expect(stdout).not.toContain(value);
  });

  it('says so in one line, exit 1 and no stack trace, for a task, service or cluster that does not exist', async () => {
    const gone = await cli('explain', `${cluster}/0123456789abcdef0123456789abcdef`);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`^ecs-autopilot: task 0123456789abcdef0123456789abcdef not found in cluster ${cluster}.*ECS keeps a stopped task for about an hour`));
    const unknownService = await cli('explain', `${cluster}/nope`);
    expect([unknownService.code, unknownService.stderr]).toEqual([1, `ecs-autopilot: service nope not found in cluster ${cluster}\n`]);
    const unknownCluster = await cli('explain', 'no-such-cluster/web', '--json');
    expect([unknownCluster.code, unknownCluster.stderr]).toEqual([1, 'ecs-autopilot: cluster no-such-cluster not found in us-east-1\n']);
    for (const r of [gone, unknownService, unknownCluster]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await cli('explain', 'not a target')).code).toBe(2);
  });
});

describe('ecs-autopilot explain CLUSTER/SERVICE', () => {
  it('shows deployments, failures by cause, the alarm and what ecs-autopilot did, in text', async () => {
    const { code, stdout, stderr } = await cli('explain', `${cluster}/web`);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`service ${cluster}/web (ACTIVE): running 0/2`);
    expect(stdout).toMatch(/^ {2}PRIMARY +web:2 +IN_PROGRESS/m);
    expect(stdout).toMatch(new RegExp(`^  health-check +1  last task ${lastArnSegment(staged.healthCheckTaskArn)}: stoppedReason matches health check failure`, 'm'));
    expect(stdout).toMatch(new RegExp(`^  oom +1  last task ${lastArnSegment(staged.oomTaskArn)}: `, 'm'));
    expect(stdout).toContain('  routine stops: deployment 1\n');
    expect(stdout).toMatch(new RegExp(`^  ALARM +${cluster}-web-memory-high: Threshold Crossed`, 'm'));
    expect(stdout).toMatch(/^ecs-autopilot: failing since .* \(3 failures, last oom\); actions: acted 2, blocked-cooldown 1, dry-run 1$/m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}scale {2}scale-out 2->4 {2}acted: queue backlog 120 per task$/m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}remediate:crash-loop {2}pause-service {2}blocked-cooldown: 3 oom stops in 10 min$/m);
    expect(stdout).not.toContain('not this service');
    expect(stdout).toMatch(/^ {2}scaling: scale-out 2->4 \(acted\) at /m);
    expect(stdout).toMatch(/^ {4}sil12345 service=web,cause=health-check until .* \(LB migration\) by alice$/m);
    expect(stdout).not.toContain('other999');
  });

  it('gives the same as JSON', async () => {
    const { code, stdout } = await cli('explain', `${cluster}/web`, '--json');
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as { kind: string; failures: Array<{ cause: string; count: number; failure: boolean }>; alarms: Array<{ name: string; state: string }>; autopilot: { outcomes: Record<string, number>; silences: Array<{ id: string }>; scaling: { action: string } } };
    expect(d.kind).toBe('service');
    expect(d.failures.map((f) => [f.cause, f.count, f.failure])).toEqual([['health-check', 1, true], ['oom', 1, true], ['deployment', 1, false]]);
    expect(d.alarms).toEqual([expect.objectContaining({ name: `${cluster}-web-memory-high`, state: 'ALARM', metric: 'AWS/ECS MemoryUtilization' })]);
    expect(d.autopilot.outcomes).toEqual({ 'blocked-cooldown': 1, 'dry-run': 1, acted: 2 });
    expect(d.autopilot.silences.map((s) => s.id)).toEqual(['sil12345']);
    expect(d.autopilot.scaling.action).toBe('scale-out 2->4');
  });
});

describe('ecs-autopilot status', () => {
  it('prints one line per watched service with health, the last hour by cause and outcome, scaling and silences', async () => {
    const { code, stdout, stderr } = await cli('status', '--cluster', cluster);
    expect(code, stderr).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SERVICE +HEALTH +TASKS +FAILURES \(1h\) +ACTED \(1h\) +BLOCKED \(1h\) +SCALING +SILENCES$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${cluster}/web +failing +0/2 +health-check 1, oom 1 +1 +blocked-cooldown 1, dry-run 1 +scale-out 2->4 \\(acted\\) 1\\dm ago +sil12345 until `));
  });

  it('gives the same rows as JSON', async () => {
    const { code, stdout } = await cli('status', '--cluster', cluster, '--json');
    expect(code).toBe(0);
    const { services } = JSON.parse(stdout) as { services: unknown[] };
    expect(services).toEqual([
      {
        service: `${cluster}/web`,
        health: 'failing',
        running: 0,
        desired: 2,
        failures: { 'health-check': 1, oom: 1 },
        acted: 1,
        blocked: { 'blocked-cooldown': 1, 'dry-run': 1 },
        scaling: expect.stringMatching(/^scale-out 2->4 \(acted\) 1\dm ago$/),
        silences: [expect.stringMatching(/^sil12345 until /)],
      },
    ]);
  });
});
