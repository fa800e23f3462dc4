// `sls package` offline with dummy credentials, cfn-lint on the result, and the properties of the
// template that make the deployment safe: least-privilege roles, dead-letter paths, the state table.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, type PackageResult, slsPackage } from '../support/package.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let packaged: PackageResult;

const resourcesOfType = (type: string) => Object.entries(packaged.template.Resources).filter(([, r]) => r.Type === type);

beforeAll(async () => {
  packaged = await slsPackage();
}, 120_000);

type ConditionedStatement = Statement & { Condition?: Record<string, Record<string, unknown>> };

// Actions the Service Authorization Reference lists with no resource type: IAM accepts only "*".
// ecs:DescribeTaskDefinition: task definitions are read by ARN, but the action has no resource
// type; ecs:ListClusters and ecs:ListServices: list actions, no resource type (only a condition).
// autoscaling:DescribeAutoScalingInstances: a describe action with no resource type.
// cloudwatch:GetMetricData and application-autoscaling:DescribeScalableTargets: no resource type either.
const NO_RESOURCE_TYPE = ['ecs:DescribeTaskDefinition', 'ecs:ListClusters', 'ecs:ListServices', 'autoscaling:DescribeAutoScalingInstances', 'cloudwatch:GetMetricData', 'application-autoscaling:DescribeScalableTargets'];

const statementsOf = (role: PackageResult['template']['Resources'][string]) =>
  (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);

/** No wildcard action in any role; "*" as the resource (alone or in a list) only for the actions that have no resource type. */
function expectLeastPrivilege(template: PackageResult['template']): void {
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
  expect(roles.length).toBeGreaterThan(0);
  for (const [name, role] of roles) {
    for (const statement of statementsOf(role)) {
      const actions = [statement.Action].flat();
      for (const action of actions) expect(action, `${name} grants a wildcard action`).not.toMatch(/\*/);
      if ([statement.Resource].flat().includes('*')) expect(NO_RESOURCE_TYPE, `${name} grants ${actions.join(',')} on every resource`).toEqual(expect.arrayContaining(actions));
    }
  }
}

function expectNoSecretInEnvironment(template: PackageResult['template']): void {
  for (const [name, fn] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    const variables = ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(variables)) {
      expect(key, `${name} has a secret-looking variable`).not.toMatch(/SECRET|TOKEN|PASSWORD|WEBHOOK|API_KEY/i);
      expect(JSON.stringify(value), `${name}.${key} holds a secret-looking value`).not.toMatch(/hooks\.slack\.com|AKIA[0-9A-Z]{16}|xox[abp]-/);
    }
  }
}

describe('packaged stack', () => {
  it('passes cfn-lint', async () => {
    const result = await cfnLint(join(packaged.dir, 'cloudformation-template-update-stack.json'));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('bundles each function minified with source maps, its code (entry and chunks) within the 900 KB budget', () => {
    const listing = execFileSync('unzip', ['-l', join(packaged.dir, 'notify.zip')], { encoding: 'utf8' });
    const files = [...listing.matchAll(/^\s*(\d+)\s+\S+\s+\S+\s+(\S+)$/gm)].map((m) => ({ size: Number(m[1]), name: m[2]! }));
    const code = files.filter((f) => f.name.endsWith('.mjs'));
    expect(code.map((f) => f.name)).toContain('functions/notify/handler.mjs');
    expect(code.every((f) => f.name.startsWith('functions/notify/')), listing).toBe(true);
    const bytes = code.reduce((sum, f) => sum + f.size, 0);
    expect(bytes).toBeGreaterThan(50_000);
    expect(bytes).toBeLessThanOrEqual(900 * 1024);
    for (const f of code) expect(files.map((x) => x.name), `${f.name} has no source map`).toContain(`${f.name}.map`);
    expect(listing).not.toMatch(/node_modules/);
    // Minified: the entry is a few very long lines (line breaks survive only inside template strings).
    const entry = execFileSync('unzip', ['-p', join(packaged.dir, 'notify.zip'), 'functions/notify/handler.mjs'], { encoding: 'utf8' });
    expect(entry.length / entry.split('\n').length).toBeGreaterThan(2000);
  });

  it('runs every function on nodejs22.x arm64 with its own role', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    const roles = functions.map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(functions.length);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });

  it('grants no remediation write while no playbook is enabled, and puts no secret in any environment', () => {
    expect(remediationWrites(packaged.template)).toEqual([]);
    expectNoSecretInEnvironment(packaged.template);
  });

  it('grants only named actions, on named resources except where AWS has none narrower', () => {
    expectLeastPrivilege(packaged.template);
  });

  it('gives every asynchronously invoked function an on-failure destination and its rules a dead-letter queue', () => {
    const configs = resourcesOfType('AWS::Lambda::EventInvokeConfig');
    expect(configs.length).toBe(resourcesOfType('AWS::Lambda::Function').length);
    for (const [, config] of configs) {
      expect(config.Properties.MaximumRetryAttempts).toBe(2);
      expect(JSON.stringify(config.Properties.DestinationConfig)).toContain('DeadLetterQueue');
    }
    for (const [, rule] of resourcesOfType('AWS::Events::Rule')) {
      const targets = rule.Properties.Targets as Array<{ DeadLetterConfig?: unknown }>;
      for (const target of targets) expect(JSON.stringify(target.DeadLetterConfig)).toContain('DeadLetterQueue');
    }
  });

  it('creates the state table on demand with TTL and point-in-time recovery, named by stage', () => {
    const table = packaged.template.Resources.StateTable!.Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.TableName).toBe('ecs-autopilot-test-state');
  });

  it('filters server-side: one rule per kind, stopped tasks without deployment replacements, and the timer queue', () => {
    const rules = Object.fromEntries(resourcesOfType('AWS::Events::Rule').map(([, r]) => [r.Properties.Name as string, r.Properties.EventPattern as { detail: Record<string, unknown> }]));
    expect(Object.keys(rules).sort()).toEqual(['ecs-autopilot-test-alarms', 'ecs-autopilot-test-container-instances', 'ecs-autopilot-test-service-events', 'ecs-autopilot-test-task-stopped']);
    const stopped = rules['ecs-autopilot-test-task-stopped']!;
    expect(stopped.detail.lastStatus).toEqual(['STOPPED']);
    expect(stopped.detail.stoppedReason).toEqual([{ 'anything-but': { prefix: 'Scaling activity initiated by' } }]);
    expect(stopped.detail.clusterArn).toBeUndefined();
    expect(rules['ecs-autopilot-test-container-instances']!.detail.$or).toEqual([{ agentConnected: [false] }, { status: ['DRAINING'] }]);
    // Each function that sets timers consumes its own queue, reporting failures item by item.
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings.map((m) => JSON.stringify(m.EventSourceArn)).sort()).toEqual([expect.stringContaining('"RemediateTimerQueue"'), expect.stringContaining('"TimerQueue"')]);
    for (const mapping of mappings) expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });
});

const REMEDIATION_WRITE = /^ecs:(UpdateService|UpdateContainerInstancesState|RegisterTaskDefinition|TagResource|StopTask|DeregisterContainerInstance|PutClusterCapacityProviders)$|^autoscaling:(?!Describe)|^application-autoscaling:Register|^iam:PassRole$/;

/** Every statement of every role that lets a function change a user's resources. */
function remediationWrites(template: PackageResult['template']): Array<{ role: string; statement: ConditionedStatement }> {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .flatMap(([role, r]) =>
      (r.Properties.Policies as Array<{ PolicyDocument: { Statement: ConditionedStatement[] } }>)
        .flatMap((p) => p.PolicyDocument.Statement)
        .filter((st) => [st.Action].flat().some((a) => REMEDIATION_WRITE.test(a)))
        .map((statement) => ({ role, statement })),
    );
}

describe('packaging with every playbook enabled', () => {
  let template: PackageResult['template'];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-remediate-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(
      file,
      [
        'remediate:',
        '  optIn: ["prod/api"]',
        '  playbooks:',
        '    crashLoop: { enabled: true }',
        '    failedDeployment: { enabled: true }',
        '    disconnectedAgent: { enabled: true, replace: true }',
        '    unhealthyTargets: { enabled: true }',
        '    capacityFallback: { enabled: true }',
        '    oomResize: { enabled: true }',
      ].join('\n'),
    );
    ({ template } = await slsPackage({ AUTOPILOT_CONFIG: file }));
  }, 120_000);

  it('grants only named actions, on named resources except where AWS has none narrower, and puts no secret in any environment', () => {
    expectLeastPrivilege(template);
    expectNoSecretInEnvironment(template);
  });

  it('lets only the remediate role write, each write under the opt-in tag or on what remediate.optIn names', () => {
    const writes = remediationWrites(template);
    expect(new Set(writes.map((w) => w.role))).toEqual(new Set(['RemediateRole']));
    const actions = writes.flatMap((w) => [w.statement.Action].flat());
    for (const action of ['ecs:UpdateService', 'ecs:UpdateContainerInstancesState', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'ecs:RegisterTaskDefinition', 'iam:PassRole']) {
      expect(actions).toContain(action);
    }
    for (const { statement } of writes) {
      const keys = Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c));
      const conditioned = keys.some((k) => /^aws:(ResourceTag|RequestTag)\/ecs-autopilot|^ecs:CreateAction$|^iam:PassedToService$/.test(k));
      const named = JSON.stringify(statement.Resource).includes('service/prod/api');
      expect(conditioned || named, `${JSON.stringify(statement)} is neither tag-conditioned nor limited to remediate.optIn`).toBe(true);
    }
    // A service, instance or Auto Scaling group tagged off is never writable, by tag or by name.
    const onTaggedOrNamed = writes.filter(({ statement }) => JSON.stringify(statement).includes('aws:ResourceTag/ecs-autopilot:remediate') || JSON.stringify(statement.Resource).includes('service/prod/api'));
    expect(onTaggedOrNamed.flatMap((w) => [w.statement.Action].flat())).toEqual(
      expect.arrayContaining(['ecs:UpdateService', 'ecs:UpdateContainerInstancesState', 'autoscaling:TerminateInstanceInAutoScalingGroup']),
    );
    for (const { statement } of onTaggedOrNamed) {
      expect(statement.Condition?.StringNotEqualsIgnoreCase, JSON.stringify(statement)).toEqual({ 'aws:ResourceTag/ecs-autopilot:remediate': 'off' });
      const tagged = statement.Condition?.StringLike?.['aws:ResourceTag/ecs-autopilot:remediate'];
      if (tagged !== undefined) expect(tagged).toBe('*');
    }
    const serviceStatements = onTaggedOrNamed.filter((w) => [w.statement.Action].flat().includes('ecs:UpdateService'));
    expect(serviceStatements.map((w) => (w.statement.Condition?.StringLike ? 'tagged' : 'named')).sort()).toEqual(['named', 'tagged']);
    const passRole = writes.find((w) => [w.statement.Action].flat().includes('iam:PassRole'))!.statement;
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('adds the rules the playbooks read, the kill switch read, and passes cfn-lint', async () => {
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => String(r.Properties.Name));
    expect(rules).toEqual(expect.arrayContaining(['ecs-autopilot-test-remediate-tasks', 'ecs-autopilot-test-remediate-services', 'ecs-autopilot-test-remediate-instances', 'ecs-autopilot-test-remediate-alarms']));
    const role = JSON.stringify(template.Resources.RemediateRole);
    expect(role).toContain('parameter/ecs-autopilot/kill-switch');
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-remediate-lint-'));
    const path = join(dir, 'template.json');
    writeFileSync(path, JSON.stringify(template));
    const lint = await cfnLint(path);
    expect(lint.output).toBe('');
  }, 60_000);
});

describe('the kill switch alarm always has data while remediation is on', () => {
  let template: PackageResult['template'];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-kill-switch-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(file, ['remediate:', '  playbooks:', '    failedDeployment: { enabled: true }', 'operability:', '  killSwitchAlarmMinutes: 45'].join('\n'));
    ({ template } = await slsPackage({ AUTOPILOT_CONFIG: file }));
  }, 120_000);

  it('invokes remediate on a schedule of one alarm period, whose tick reports the switch, and counts the engaged minutes in those periods', () => {
    const rules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const [, schedule] = rules.find(([, r]) => r.Properties.Name === 'ecs-autopilot-test-remediate-kill-switch')!;
    expect(schedule.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    const targets = schedule.Properties.Targets as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }>;
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] });
    expect(targets[0]!.DeadLetterConfig!.Arn).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    const alarm = template.Resources.KillSwitchEngagedAlarm!.Properties;
    const query = (alarm.Metrics as Array<{ Expression: string; Period: number }>)[0]!;
    // One tick per period: 45 minutes engaged are 9 periods running at 1.
    expect(query.Period).toBe(300);
    expect(alarm).toMatchObject({ EvaluationPeriods: 9, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: 'NotifyTopic' }] });
  });

  it('has no schedule when no playbook is enabled (remediate never acts, so the switch needs no watch)', () => {
    expect(resourcesOfType('AWS::Events::Rule').map(([, r]) => String(r.Properties.Name)).filter((n) => n.includes('kill-switch'))).toEqual([]);
  });
});

describe('packaging with a configuration', () => {
  it('puts excluded clusters into the EventBridge pattern', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(file, 'clusters:\n  exclude: [sandbox, "dev-*"]\n');
    const { template } = await slsPackage({ AUTOPILOT_CONFIG: file });
    const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Name).endsWith('task-stopped'))!;
    expect((rule.Properties.EventPattern as { detail: { clusterArn: unknown } }).detail.clusterArn).toEqual([
      { 'anything-but': { wildcard: ['*:cluster/sandbox', '*:cluster/dev-*'] } },
    ]);
  }, 120_000);

  it('grants the role exactly the webhook secrets and topics the receivers name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(
      file,
      [
        'notify:',
        '  receivers:',
        '    oncall: { slack: { webhook: "ssm:/ecs-autopilot/slack/oncall" } }',
        '    team: { slack: { webhook: "secretsmanager:team/slack#url" } }',
        '    other: { sns: { topicArn: "arn:aws:sns:us-east-1:123456789012:other" } }',
        '  route: { receiver: oncall, routes: [{ match: { cluster: "x" }, receiver: team }, { match: { cluster: "y" }, receiver: other }] }',
      ].join('\n'),
    );
    const { template } = await slsPackage({ AUTOPILOT_CONFIG: file });
    const role = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    const statements = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)[0]!.PolicyDocument.Statement;
    const on = (action: string) => statements.filter((st) => [st.Action].flat().includes(action)).map((st) => JSON.stringify(st.Resource));
    expect(on('ssm:GetParameter')).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ecs-autopilot/slack/oncall' })]);
    expect(on('secretsmanager:GetSecretValue')).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:team/slack-*' })]);
    expect(on('sns:Publish')).toEqual([JSON.stringify('arn:aws:sns:us-east-1:123456789012:other')]);
  }, 120_000);

  it('refuses a bad configuration with the path and the valid choices', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(file, 'notify:\n  minSeverity: loud\n');
    await expect(slsPackage({ AUTOPILOT_CONFIG: file })).rejects.toThrow(/notify\.minSeverity: must be one of "critical", "warning", "info"/);
  }, 120_000);
});

describe('packaged stack: ecs-autopilot watched itself', () => {
  type Resource = PackageResult['template']['Resources'][string];
  const alarms = () => Object.fromEntries(resourcesOfType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties])) as Record<string, Resource['Properties']>;

  it('has a dashboard with every catalogue metric, the delay at p50 and p99, and every function and the dead-letter queue', async () => {
    const { METRIC } = await import('../../shared/lambda/metrics.js');
    const dashboards = resourcesOfType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0]!;
    expect(dashboard.Properties.DashboardName).toBe('ecs-autopilot-test');
    const body = JSON.parse((dashboard.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as { widgets: Array<{ type: string; properties: { title?: string; metrics?: unknown[]; alarms?: string[] } }> };
    const metricWidgets = body.widgets.filter((w) => w.type === 'metric');
    for (const name of Object.values(METRIC)) {
      const showing = metricWidgets.filter((w) => JSON.stringify(w.properties.metrics).includes(`MetricName=\\"${name}\\"`) || JSON.stringify(w.properties.metrics).includes(`"${name}"`));
      expect(showing.map((w) => w.properties.title), `${name} is on exactly one widget`).toHaveLength(1);
    }
    const delay = metricWidgets.find((w) => JSON.stringify(w.properties.metrics).includes('"NotificationDelay"'))!;
    expect((delay.properties.metrics as unknown[][]).map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p99']);
    // SEARCH per stage: a second stage in the same account does not mix into this dashboard.
    expect(JSON.stringify(body)).toContain(String.raw`SEARCH('Namespace=\"EcsAutopilot\" MetricName=\"RemediationActions\" stage=\"test\"', 'Sum', 300)`);
    for (const [id] of resourcesOfType('AWS::Lambda::Function')) expect(JSON.stringify(body)).toContain(`"FunctionName","\${${id}}"`);
    expect(JSON.stringify(body)).toContain('${DeadLetterQueue.QueueName}');
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm')!;
    expect(alarmWidget.properties.alarms!.sort()).toEqual(Object.keys(alarms()).map((id) => `\${${id}.Arn}`).sort());
  });

  it('alarms on the dead-letter queue, handler errors, failed deliveries and a long kill switch, each to the topic', () => {
    const all = alarms();
    expect(Object.keys(all).sort()).toEqual(['DeadLetterQueueNotEmptyAlarm', 'HandlerErrorsAlarm', 'KillSwitchEngagedAlarm', 'NotificationsFailingAlarm', 'ShipperFailuresAlarm']);
    for (const [id, alarm] of Object.entries(all)) {
      expect(alarm.AlarmActions, id).toEqual([{ Ref: 'NotifyTopic' }]);
      expect(alarm.OKActions, id).toEqual([{ Ref: 'NotifyTopic' }]);
      expect(String(alarm.AlarmName), id).toMatch(/^ecs-autopilot-test-/);
    }
    expect(all.DeadLetterQueueNotEmptyAlarm).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const errorMetrics = all.HandlerErrorsAlarm!.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Value: unknown }> } } }>;
    const functions = resourcesOfType('AWS::Lambda::Function').map(([id]) => id);
    expect(errorMetrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions[0]!.Value])).toEqual(functions.map((id) => ['Errors', { Ref: id }]));
    expect(errorMetrics.at(-1)!.Expression).toMatch(/^SUM\(\[errors0.*\]\)$/);
    const query = (id: string) => (all[id]!.Metrics as Array<{ Expression: string }>)[0]!.Expression;
    expect(query('NotificationsFailingAlarm')).toBe(`SELECT SUM(Notifications) FROM "EcsAutopilot" WHERE stage = 'test' AND outcome = 'failed'`);
    expect(query('ShipperFailuresAlarm')).toBe(`SELECT SUM(ShipperFailures) FROM "EcsAutopilot" WHERE stage = 'test'`);
    expect(query('KillSwitchEngagedAlarm')).toBe(`SELECT MAX(KillSwitchEngaged) FROM "EcsAutopilot" WHERE stage = 'test'`);
    // operability.killSwitchAlarmMinutes (default 60) in 5-minute periods.
    expect(all.KillSwitchEngagedAlarm).toMatchObject({ EvaluationPeriods: 12, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('encrypts the topic with a key CloudWatch alarms may use (they cannot publish under aws/sns), and lets the notify role use it', () => {
    const { NotifyTopic, NotifyTopicKey } = packaged.template.Resources;
    expect(NotifyTopic!.Properties.KmsMasterKeyId).toEqual({ Ref: 'NotifyTopicKey' });
    const statements = (NotifyTopicKey!.Properties.KeyPolicy as { Statement: Array<{ Principal: { Service?: string }; Action: string[]; Condition?: unknown }> }).Statement;
    expect(statements.find((st) => st.Principal.Service === 'cloudwatch.amazonaws.com')).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(NotifyTopicKey!.Properties.EnableKeyRotation).toBe(true);
    const role = packaged.template.Resources.NotifyRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    const onKey = role[0]!.PolicyDocument.Statement.filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': ['NotifyTopicKey', 'Arn'] }));
    expect(onKey.map((st) => st.Action)).toEqual([['kms:Decrypt', 'kms:GenerateDataKey']]);
  });

  it('keeps its own alarms out of the notify function, so a failing notifier never reports on itself', () => {
    const rule = resourcesOfType('AWS::Events::Rule').find(([, r]) => String(r.Properties.Name).endsWith('-alarms'))!;
    const pattern = rule[1].Properties.EventPattern as { detail: { alarmName: unknown } };
    expect(pattern.detail.alarmName).toEqual([{ 'anything-but': { prefix: 'ecs-autopilot-test-' } }]);
  });
});

describe('packaging with scaled services', () => {
  let template: PackageResult['template'];
  let dir: string;
  beforeAll(async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(configDir, 'autopilot.yml');
    writeFileSync(
      file,
      [
        'scale:',
        '  rate: 2m',
        '  services:',
        '    - cluster: prod',
        '      service: worker',
        '      max: 10',
        '      alarms: [worker-queue-deep]',
        '      policies:',
        '        - { type: sqs-backlog, queue: "https://sqs.eu-west-1.amazonaws.com/210987654321/jobs", targetPerTask: 100 }',
        '        - { type: metric, metric: { namespace: Shop, name: Orders }, targetPerTask: 50 }',
      ].join('\n'),
    );
    ({ template, dir } = await slsPackage({ AUTOPILOT_CONFIG: file }));
  }, 120_000);

  it('declares the scale function with its own role, its schedule and alarm rules, and the dead-letter paths; cfn-lint passes', async () => {
    const fn = template.Resources.ScaleLambdaFunction!;
    expect(JSON.stringify(fn.Properties.Role)).toContain('ScaleRole');
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Name).includes('-scale-'));
    expect(rules.map((r) => r.Properties.ScheduleExpression ?? r.Properties.EventPattern)).toEqual([
      'rate(2 minutes)',
      { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ['worker-queue-deep'] } },
    ]);
    for (const rule of rules) expect(JSON.stringify(rule.Properties.Targets)).toContain('DeadLetterQueue');
    const listing = execFileSync('unzip', ['-l', join(dir, 'scale.zip')], { encoding: 'utf8' });
    expect(listing).toContain('functions/scale/handler.mjs');
    expect(listing).not.toContain('functions/notify/');
    const lint = await cfnLint(join(dir, 'cloudformation-template-update-stack.json'));
    expect(lint.output).toBe('');
  });

  it('grants only named actions, on named resources except where AWS has none narrower, and puts no secret in any environment', () => {
    expectLeastPrivilege(template);
    expectNoSecretInEnvironment(template);
  });

  it('lets the role update only services and scalable targets tagged ecs-autopilot:scale=on, and read exactly the configured queue', () => {
    const statements = (template.Resources.ScaleRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<Statement & { Condition?: unknown }> } }>)[0]!.PolicyDocument.Statement;
    const on = (action: string) => statements.filter((st) => [st.Action].flat().includes(action));
    const condition = { StringEquals: { 'aws:ResourceTag/ecs-autopilot:scale': 'on' } };
    expect(on('ecs:UpdateService').map((st) => st.Condition)).toEqual([condition]);
    expect(on('application-autoscaling:RegisterScalableTarget').map((st) => st.Condition)).toEqual([condition]);
    expect(on('sqs:GetQueueAttributes').map((st) => st.Resource)).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:eu-west-1:210987654321:jobs' }]);
    expect(on('cloudwatch:GetMetricData').map((st) => st.Resource)).toEqual(['*']);
  });
});

describe('packaging with log shipping', () => {
  it('subscribes the ship function to each configured log group and grants exactly its destinations, backup and secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(
      file,
      [
        'ship:',
        '  logGroups: [/ecs/orders-api, /ecs/billing]',
        '  destinations:',
        '    stream: { firehose: { deliveryStream: ecs-logs } }',
        '    archive: { s3: { bucket: my-log-archive, prefix: logs/ } }',
        '    search: { http: { url: "https://search.example.com/_bulk", format: opensearch-bulk, auth: { type: basic, secret: "secretsmanager:search/creds" } } }',
        '  backup: { bucket: my-log-backup }',
      ].join('\n'),
    );
    const { template, dir: out } = await slsPackage({ AUTOPILOT_CONFIG: file });
    const lint = await cfnLint(join(out, 'cloudformation-template-update-stack.json'));
    expect(lint.output).toBe('');
    // The security audit holds with shipping on too: the destination credentials stay in Secrets Manager.
    expectLeastPrivilege(template);
    expectNoSecretInEnvironment(template);
    const filters = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter');
    expect(filters.map((f) => f.Properties.LogGroupName).sort()).toEqual(['/ecs/billing', '/ecs/orders-api']);
    const role = template.Resources.ShipRole!;
    const statements = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)[0]!.PolicyDocument.Statement;
    const on = (action: string) => statements.filter((st) => [st.Action].flat().includes(action)).map((st) => JSON.stringify(st.Resource));
    expect(on('firehose:PutRecordBatch')).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/ecs-logs' })]);
    expect(on('s3:PutObject').sort()).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-log-archive/logs/*' }), JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::my-log-backup/ecs-autopilot-backup/*' })].sort());
    expect(on('secretsmanager:GetSecretValue')).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:search/creds-*' })]);
    expect(on('ecs:DescribeTasks')).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*' })]);
  }, 120_000);

  it('subscribes nothing and grants the ship function nothing beyond its own logs without destinations', () => {
    expect(resourcesOfType('AWS::Logs::SubscriptionFilter')).toEqual([]);
    const statements = (packaged.template.Resources.ShipRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)[0]!.PolicyDocument.Statement;
    expect(statements.flatMap((st) => [st.Action].flat()).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage']);
  });
});

describe('packaging with ship.autoSubscribe', () => {
  let template: PackageResult['template'];
  let out: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
    const file = join(dir, 'autopilot.yml');
    writeFileSync(
      file,
      ['ship:', '  autoSubscribe: { prefixes: [/ecs/, /aws/ecs/containerinsights/], everyMinutes: 30 }', '  destinations:', '    archive: { s3: { bucket: my-log-archive } }', '  backup: { bucket: my-log-backup }'].join('\n'),
    );
    ({ template, dir: out } = await slsPackage({ AUTOPILOT_CONFIG: file }));
  }, 120_000);

  it('declares the subscribe function with its own role, its sweep schedule and its CreateLogGroup rule, and passes cfn-lint', async () => {
    const fn = template.Resources.SubscribeLambdaFunction!;
    expect(JSON.stringify(fn.Properties.Role)).toContain('SubscribeRole');
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SHIP_FUNCTION_ARN).toEqual({ 'Fn::GetAtt': ['ShipLambdaFunction', 'Arn'] });
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Name).includes('-subscribe-'));
    expect(rules.map((r) => r.Properties.ScheduleExpression ?? r.Properties.EventPattern)).toEqual([
      'rate(30 minutes)',
      {
        source: ['aws.logs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['logs.amazonaws.com'], eventName: ['CreateLogGroup'], errorCode: [{ exists: false }], requestParameters: { logGroupName: [{ prefix: '/ecs/' }, { prefix: '/aws/ecs/containerinsights/' }] } },
      },
    ]);
    for (const rule of rules) expect(JSON.stringify(rule.Properties.Targets)).toContain('DeadLetterQueue');
    const lint = await cfnLint(join(out, 'cloudformation-template-update-stack.json'));
    expect(lint.output).toBe('');
  });

  it('lets CloudWatch Logs invoke the ship function from the groups under each prefix, before the custom resource subscribes any', () => {
    const permissions = Object.entries(template.Resources).filter(([id]) => id.startsWith('ShipLogsInvokePermission'));
    expect(permissions.map(([, p]) => [p.Properties.Principal, p.Properties.SourceArn])).toEqual([
      ['logs.amazonaws.com', { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/*' }],
      ['logs.amazonaws.com', { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/ecs/containerinsights/*' }],
    ]);
    const custom = template.Resources.LogSubscriptions!;
    expect(custom.Type).toBe('Custom::LogSubscriptions');
    expect(custom.DependsOn).toEqual(permissions.map(([id]) => id));
    expect(custom.Properties).toMatchObject({ ServiceToken: { 'Fn::GetAtt': ['SubscribeLambdaFunction', 'Arn'] }, Prefixes: ['/ecs/', '/aws/ecs/containerinsights/'] });
  });

  it('lets the subscribe role manage subscription filters only under the prefixes', () => {
    expectLeastPrivilege(template);
    const statements = statementsOf(template.Resources.SubscribeRole!);
    const on = (action: string) => statements.filter((st) => [st.Action].flat().includes(action)).map((st) => st.Resource);
    const underPrefixes = [
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/ecs/containerinsights/*' },
    ];
    for (const action of ['logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter', 'logs:DescribeSubscriptionFilters']) {
      expect(on(action)).toHaveLength(2);
      expect(on(action)).toEqual(expect.arrayContaining(underPrefixes));
    }
    expect(on('logs:DescribeLogGroups')).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' }]);
  });

  it('has no subscribe function, role or custom resource without prefixes', () => {
    for (const id of ['SubscribeLambdaFunction', 'SubscribeRole', 'LogSubscriptions', 'ShipLogsInvokePermission0']) expect(packaged.template.Resources[id]).toBeUndefined();
  });
});

describe('packaging several functions', () => {
  it('zips each function with its own code-split chunks only', () => {
    for (const name of ['notify', 'remediate', 'ship']) {
      const listing = execFileSync('unzip', ['-l', join(packaged.dir, `${name}.zip`)], { encoding: 'utf8' });
      const code = [...listing.matchAll(/^\s*\d+\s+\S+\s+\S+\s+(\S+\.mjs)$/gm)].map((m) => m[1]!);
      expect(code).toContain(`functions/${name}/handler.mjs`);
      expect(code.filter((f) => !f.startsWith(`functions/${name}/`)), listing).toEqual([]);
    }
  });
});
