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

  // Actions the Service Authorization Reference lists with no resource type: IAM accepts only "*".
  // ecs:DescribeTaskDefinition: task definitions are read by ARN, but the action has no resource
  // type; ecs:ListClusters and ecs:ListServices: list actions, no resource type (only a condition).
  const NO_RESOURCE_TYPE = ['ecs:DescribeTaskDefinition', 'ecs:ListClusters', 'ecs:ListServices'];
  // Writes that change a user's ECS resources: allowed only under the opt-in tag condition.
  const REMEDIATION_WRITES = /^ecs:(UpdateService|UpdateContainerInstancesState|RegisterTaskDefinition|StopTask|DeregisterContainerInstance|PutClusterCapacityProviders)$|^autoscaling:|^application-autoscaling:Register/;

  it('conditions every remediation write on the opt-in tag, and puts no secret in any environment', () => {
    for (const [name, role] of resourcesOfType('AWS::IAM::Role')) {
      const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<Statement & { Condition?: Record<string, Record<string, unknown>> }> } }>;
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const writes = [statement.Action].flat().filter((a) => REMEDIATION_WRITES.test(a));
        if (writes.length === 0) continue;
        const tagKeys = Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c));
        expect(tagKeys.some((k) => k.startsWith('aws:ResourceTag/ecs-autopilot')), `${name} may ${writes.join(',')} without the opt-in tag`).toBe(true);
      }
    }
    for (const [name, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const variables = ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(variables)) {
        expect(key, `${name} has a secret-looking variable`).not.toMatch(/SECRET|TOKEN|PASSWORD|WEBHOOK|API_KEY/i);
        expect(JSON.stringify(value), `${name}.${key} holds a secret-looking value`).not.toMatch(/hooks\.slack\.com|AKIA[0-9A-Z]{16}|xox[abp]-/);
      }
    }
  });

  it('grants only named actions, on named resources except where AWS has none narrower', () => {
    for (const [name, role] of resourcesOfType('AWS::IAM::Role')) {
      const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const actions = [statement.Action].flat();
        for (const action of actions) expect(action, `${name} grants a wildcard action`).not.toMatch(/\*/);
        if (statement.Resource === '*') expect(NO_RESOURCE_TYPE, `${name} grants ${actions.join(',')} on every resource`).toEqual(expect.arrayContaining(actions));
      }
    }
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
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]![1];
    expect(JSON.stringify(mapping.Properties.EventSourceArn)).toContain('TimerQueue');
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
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

describe('packaging several functions', () => {
  it('zips each function with its own code-split chunks only', () => {
    for (const name of ['notify', 'ship']) {
      const listing = execFileSync('unzip', ['-l', join(packaged.dir, `${name}.zip`)], { encoding: 'utf8' });
      const code = [...listing.matchAll(/^\s*\d+\s+\S+\s+\S+\s+(\S+\.mjs)$/gm)].map((m) => m[1]!);
      expect(code).toContain(`functions/${name}/handler.mjs`);
      expect(code.filter((f) => !f.startsWith(`functions/${name}/`)), listing).toEqual([]);
    }
  });
});
