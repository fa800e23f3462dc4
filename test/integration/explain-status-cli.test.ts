// `ecs-autopilot explain` and `status` against a bad deploy staged in the emulator with real ECS
// resources: two task definition revisions, tasks ECS really stopped, log lines in the failed
// container's stream, and an alarm on the service. What ecs-autopilot did comes from its real
// pipelines run against the emulator: notify (the failing mark), remediate (audit records, cooldowns
// and budgets, as the executor writes them), scale (its audit record), and `silence add`. What the
// commands print is checked in text and in JSON, and the README's examples against it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { notifyDependencies } from '../../functions/notify/wiring.js';
import { remediateDependencies } from '../../functions/remediate/wiring.js';
import { scaleDependencies } from '../../functions/scale/wiring.js';
import { type BadDeploy, OOM_LOG_LINES, SECRET_LOOKING_VALUES, stageBadDeploy } from '../../scripts/lib/bad-deploy.js';
import { taskStopped } from '../../scripts/lib/ecs-events.js';
import { projectRoot } from '../../scripts/lib/emulator.js';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { StatusRow } from '../../shared/decide/service-status.js';
import { processEvent } from '../../shared/execute/process-event.js';
import { remediateEvent } from '../../shared/execute/remediate-event.js';
import { scaleServices } from '../../shared/execute/scaling/scale-services.js';
import { lastArnSegment } from '../../shared/intake/arns.js';
import { renderStatusTable } from '../../shared/render/status-table.js';
import { uniqueName } from '../support/lambda.js';
import { masked, README, readmeExample } from '../support/readme-examples.js';

const run = promisify(execFile);
let stack: LocalStack;
let staged: BadDeploy;
let cluster: string;
let configFile: string;
let resizedTo: string;
let silenceId: string;
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

/** The configuration the stack would be deployed with: oom-resize and crash-loop on for this cluster. */
const remediateSection = (killSwitchParameter: string) => ({
  killSwitchParameter,
  maxActionsPerHour: 10,
  optIn: [cluster],
  playbooks: { crashLoop: { enabled: true }, oomResize: { enabled: true, kills: 1 } },
});

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  stack = await createLocalStack(endpoint, uniqueName('explain'));
  cluster = uniqueName('cl');
  staged = await stageBadDeploy(endpoint, { cluster, service });
  Object.assign(process.env, stack.functionEnv, { REMEDIATE_TIMER_QUEUE_URL: stack.timerQueueUrl });
  const env = readEnvironment();
  const ecs = new ECSClient(clientOptions(endpoint));
  const ssm = new SSMClient(clientOptions(endpoint));
  const killSwitch = `/${cluster}/kill-switch`;
  const config = validateConfig({ remediate: remediateSection(killSwitch) }, 'test');
  configFile = join(mkdtempSync(join(tmpdir(), 'autopilot-explain-')), 'autopilot.yml');
  writeFileSync(configFile, JSON.stringify({ remediate: remediateSection(killSwitch) }));

  const webArn = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.serviceArn!;
  const oom = (taskId: string, taskDefinitionArn: string) => taskStopped('oom', { cluster, service, id: uniqueName('oom'), time: new Date().toISOString(), taskId, taskDefinitionArn });

  // The OOM kill of the staged task: notify marks the service failing; remediate (oom-resize, one
  // kill) registers a revision with more memory and deploys it.
  const first = oom(lastArnSegment(staged.oomTaskArn), staged.taskDefinitionArn);
  const notify = notifyDependencies(env, validateConfig({}, 'test'), () => ({ remainingMs: () => 30_000 }), () => new Date());
  await processEvent(first, notify);
  const remediate = remediateDependencies(env, config, () => new Date());
  const resized = await remediateEvent(first, remediate);
  expect(resized.actions.map((a) => [a.type, a.outcome])).toEqual([['resize-memory', 'acted']]);
  resizedTo = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.taskDefinition!;
  // A task of the new revision is killed too: the cooldown holds oom-resize back.
  const second = oom(uniqueName('t'), resizedTo);
  await processEvent(second, notify);
  expect((await remediateEvent(second, remediate)).actions.map((a) => a.outcome)).toEqual(['blocked-cooldown']);
  // Someone engages the kill switch; the next kill is held back by it, then the switch is released.
  await ssm.send(new PutParameterCommand({ Name: killSwitch, Value: 'on', Type: 'String', Overwrite: true }));
  expect((await remediateEvent(oom(uniqueName('t'), resizedTo), remediate)).actions.map((a) => a.outcome)).toEqual(['blocked-kill-switch']);
  await ssm.send(new DeleteParameterCommand({ Name: killSwitch }));

  // The scaler sees 400 messages waiting at 100 per task and scales the service out, 10 minutes ago.
  await ecs.send(new TagResourceCommand({ resourceArn: webArn, tags: [{ key: 'ecs-autopilot:scale', value: 'on' }] }));
  const sqs = new SQSClient(clientOptions(endpoint));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${cluster}-jobs` }));
  for (let i = 0; i < 400; i += 10) await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `job ${i + j}` })) }));
  const scaled = validateConfig({ scale: { services: [{ cluster, service, min: 1, max: 10, policies: [{ type: 'sqs-backlog', queue: QueueUrl, targetPerTask: 100 }], scaleOut: { maxStep: 10 } }] } }, 'test').scale!.services;
  const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
  const [scaling] = await scaleServices(scaled, { eventId: uniqueName('tick'), region: 'us-east-1', account: '123456789012' }, scaleDependencies(env, validateConfig({}, 'test'), new Metrics({ namespace: 'EcsAutopilotTest' }), () => tenMinutesAgo));
  expect(scaling).toMatchObject({ outcome: 'scaled', from: 2, to: 4 });

  // A silence on the service's health checks, and one on another service.
  const added = await cli('silence', 'add', '--match', `service=${service},cause=health-check`, '--for', '2h', '--comment', 'LB migration', '--by', 'alice');
  expect(added.code, added.stderr).toBe(0);
  silenceId = (JSON.parse(added.stdout) as { id: string }).id;
  expect((await cli('silence', 'add', '--match', 'service=billing', '--for', '1h')).code).toBe(0);

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
}, 120_000);

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
    const noConfig = await cli('explain', `${cluster}/web`, '--config', '/nonexistent/autopilot.yml');
    expect([noConfig.code, noConfig.stderr]).toEqual([1, expect.stringMatching(/^ecs-autopilot: \/nonexistent\/autopilot\.yml.*file not found/)]);
    for (const r of [gone, unknownService, unknownCluster, noConfig]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await cli('explain', 'not a target')).code).toBe(2);
  });
});

describe('ecs-autopilot explain CLUSTER/SERVICE', () => {
  it('shows deployments, failures by cause, the alarm and what ecs-autopilot did, with the cooldowns and budgets left, in text', async () => {
    const { code, stdout, stderr } = await cli('explain', `${cluster}/web`, '--config', configFile);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`service ${cluster}/web (ACTIVE): running 4/4, task definition ${lastArnSegment(resizedTo)}`);
    expect(stdout).toMatch(/^ {2}PRIMARY +web:2 +IN_PROGRESS/m);
    expect(stdout).toMatch(new RegExp(`^  health-check +1  last task ${lastArnSegment(staged.healthCheckTaskArn)}: stoppedReason matches health check failure`, 'm'));
    expect(stdout).toMatch(new RegExp(`^  oom +1  last task ${lastArnSegment(staged.oomTaskArn)}: `, 'm'));
    expect(stdout).toContain('  routine stops: deployment 1\n');
    expect(stdout).toMatch(new RegExp(`^  ALARM +${cluster}-web-memory-high: Threshold Crossed`, 'm'));
    // The intent record the executor writes before acting is folded into its outcome.
    expect(stdout).toMatch(/^ecs-autopilot: failing since .* \(2 failures, last oom\); actions: acted 2, blocked-cooldown 1, blocked-kill-switch 1$/m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}remediate:oom-resize {2}resize-memory {2}acted: 1 OOM kills of web within 60 min on web:2; raising its memory from 512 to 768 MiB$/m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}remediate:oom-resize {2}resize-memory {2}blocked-cooldown: /m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}remediate:oom-resize {2}resize-memory {2}blocked-kill-switch: /m);
    expect(stdout).toMatch(/^ {2}\S+ \S+Z {2}scale {2}scale 2->4 {2}acted: 2 -> 4 \(up\): sqs-backlog /m);
    expect(stdout).not.toMatch(/ acting: /);
    expect(stdout).toMatch(/^ {2}scaling: scale 2->4 \(acted\) at /m);
    expect(stdout).toMatch(new RegExp(`^ {4}${silenceId} service=web,cause=health-check until .* \\(LB migration\\) by alice$`, 'm'));
    expect(stdout).not.toContain('billing');
    expect(stdout).toMatch(new RegExp(`^ {2}remediation: crash-loop, oom-resize \\(opted in by remediate.optIn '${cluster}'\\); kill switch /${cluster}/kill-switch off\n {2}budgets left this hour \\(\\d\\d:00Z\\): global 9/10$`, 'm'));
    // The resize started the service's cooldown and took a slot of its hourly cap, for every playbook.
    expect(stdout).toMatch(/^ {4}crash-loop {2}1\/2 left; cooldown until \S+ \S+Z \((29|30)m left\)$/m);
    expect(stdout).toMatch(/^ {4}oom-resize {2}1\/2 left; cooldown until \S+ \S+Z \((29|30)m left\)$/m);
  });

  it('gives the same as JSON, the limits read from the keys the executor wrote', async () => {
    const { code, stdout } = await cli('explain', `${cluster}/web`, '--config', configFile, '--json');
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as {
      kind: string;
      failures: Array<{ cause: string; count: number; failure: boolean }>;
      alarms: Array<{ name: string; state: string }>;
      autopilot: { outcomes: Record<string, number>; silences: Array<{ id: string }>; scaling: { action: string }; limits: Record<string, unknown> & { playbooks: Array<{ playbook: string; cooldown: { until?: string } }> } };
    };
    expect(d.kind).toBe('service');
    expect(d.failures.map((f) => [f.cause, f.count, f.failure])).toEqual([['health-check', 1, true], ['oom', 1, true], ['deployment', 1, false]]);
    expect(d.alarms).toEqual([expect.objectContaining({ name: `${cluster}-web-memory-high`, state: 'ALARM', metric: 'AWS/ECS MemoryUtilization' })]);
    expect(d.autopilot.outcomes).toEqual({ acted: 2, 'blocked-cooldown': 1, 'blocked-kill-switch': 1 });
    expect(d.autopilot.silences.map((s) => s.id)).toEqual([silenceId]);
    expect(d.autopilot.scaling.action).toBe('scale 2->4');
    expect(d.autopilot.limits).toMatchObject({
      dryRun: false,
      optedIn: `remediate.optIn '${cluster}'`,
      killSwitch: { parameter: `/${cluster}/kill-switch`, off: true },
      global: { limit: 10, used: 1, left: 9 },
      playbooks: [
        { playbook: 'crash-loop', cooldown: { seconds: 1800, until: expect.any(String) }, budget: { limit: 2, used: 1, left: 1 } },
        { playbook: 'oom-resize', cooldown: { seconds: 1800, until: expect.any(String) }, budget: { limit: 2, used: 1, left: 1 } },
      ],
    });
    expect(d.autopilot.limits.playbooks[0]!.cooldown.until).toBe(d.autopilot.limits.playbooks[1]!.cooldown.until);
    // The cooldown the resize started: 30 minutes from the action.
    const acted = Date.parse(d.autopilot.limits.playbooks[1]!.cooldown.until!) - 1800_000;
    expect(Math.abs(acted - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('says when the kill switch is engaged: no action is taken, whatever the budgets', async () => {
    const ssm = new SSMClient(clientOptions(stack.endpoint));
    await ssm.send(new PutParameterCommand({ Name: `/${cluster}/kill-switch`, Value: 'stop', Type: 'String', Overwrite: true }));
    try {
      const { code, stdout } = await cli('explain', `${cluster}/web`, '--config', configFile);
      expect(code).toBe(0);
      expect(stdout).toContain(`; kill switch /${cluster}/kill-switch ENGAGED (stop): no action is taken\n`);
    } finally {
      await ssm.send(new DeleteParameterCommand({ Name: `/${cluster}/kill-switch` }));
    }
  });

  it('says why no limits apply to a service no playbook may act on', async () => {
    const other = join(mkdtempSync(join(tmpdir(), 'autopilot-explain-')), 'autopilot.yml');
    writeFileSync(other, JSON.stringify({ remediate: { ...remediateSection('/x'), optIn: ['another-cluster'] } }));
    const { code, stdout } = await cli('explain', `${cluster}/web`, '--config', other);
    expect(code).toBe(0);
    expect(stdout).toContain(`  remediation: none (${cluster}/web is not opted in (remediate.optIn or the ecs-autopilot:remediate tag))\n`);
  });
});

describe('ecs-autopilot status', () => {
  it('prints one line per watched service with health, the last hour by cause and outcome, scaling and silences', async () => {
    const { code, stdout, stderr } = await cli('status', '--cluster', cluster);
    expect(code, stderr).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SERVICE +HEALTH +TASKS +FAILURES \(1h\) +ACTED \(1h\) +BLOCKED \(1h\) +SCALING +SILENCES$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${cluster}/web +degraded +4/4 +health-check 1, oom 1 +2 +blocked-cooldown 1, blocked-kill-switch 1 +scale 2->4 \\(acted\\) 1\\dm ago +${silenceId} until `));
  });

  it('gives the same rows as JSON', async () => {
    const { code, stdout } = await cli('status', '--cluster', cluster, '--json');
    expect(code).toBe(0);
    const { services } = JSON.parse(stdout) as { services: unknown[] };
    expect(services).toEqual([
      {
        service: `${cluster}/web`,
        health: 'degraded',
        running: 4,
        desired: 4,
        failures: { 'health-check': 1, oom: 1 },
        acted: 2,
        blocked: { 'blocked-cooldown': 1, 'blocked-kill-switch': 1 },
        scaling: expect.stringMatching(/^scale 2->4 \(acted\) 1\dm ago$/),
        silences: [expect.stringMatching(new RegExp(`^${silenceId} until `))],
      },
    ]);
  });
});

// The README's examples are this run's output, with the cluster called prod. Ids, times and
// column widths differ from run to run, so both sides are compared with those masked; anything
// else that changes (a line, a word, a count) fails here. UPDATE_README=1 writes this run's output
// into README.md instead.
describe('the README examples', () => {
  it('show what explain and status print', async () => {
    const asProd = (text: string) => text.replaceAll(cluster, 'prod');
    const task = await cli('explain', staged.oomTaskArn);
    const explained = await cli('explain', `${cluster}/web`, '--config', configFile);
    const status = await cli('status', '--cluster', cluster, '--json');
    const rows = (JSON.parse(status.stdout) as { services: StatusRow[] }).services.map((r) => ({ ...r, service: asProd(r.service) }));
    const examples = [
      { header: `$ ecs-autopilot explain ${asProd(staged.oomTaskArn)}`, output: asProd(task.stdout) },
      { header: '$ ecs-autopilot explain prod/web --config autopilot.yml', output: asProd(explained.stdout) },
      // Rendered again with the short name, so the README's columns line up.
      { header: '$ ecs-autopilot status --cluster prod', output: renderStatusTable(rows) },
    ];
    let readme = readFileSync(README, 'utf8');
    for (const { header, output } of examples) {
      const found = readmeExample(readme, header);
      if (process.env.UPDATE_README) readme = `${readme.slice(0, found.start)}${header}\n${output}${readme.slice(found.end)}`;
      else expect(masked(found.text)).toBe(masked(`${header}\n${output}`));
    }
    if (process.env.UPDATE_README) writeFileSync(README, readme);
  });
});
