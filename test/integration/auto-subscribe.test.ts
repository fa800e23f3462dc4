// ship.autoSubscribe against the emulator's CloudWatch Logs and Lambda: the stack's create sweeps
// the log groups under the prefixes, a CreateLogGroup call subscribes the new group, an update that
// drops a prefix unsubscribes its groups, and the stack's delete removes exactly its own filters.
// CloudFormation's answers are received by a local HTTP server standing in for the pre-signed URL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeSubscriptionFiltersCommand, PutSubscriptionFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { answerStackRequest } from '../../shared/adapters/stack-response.js';
import { readEnvironment } from '../../shared/config/environment.js';
import { validateConfig } from '../../shared/config/validate.js';
import { onSubscriberSignal } from '../../shared/execute/subscribe/log-group-subscriptions.js';
import { parseEvent } from '../../shared/intake/index.js';
import type { Signal } from '../../shared/intake/signals.js';
import { ownFilterName, subscribeDependencies } from '../../functions/subscribe/wiring.js';
import { EMULATOR_ENV } from '../../scripts/lib/emulator.js';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import createLogGroupEvent from '../fixtures/events/cloudtrail-create-log-group.json' with { type: 'json' };
import { uniqueName } from '../support/lambda.js';

const name = uniqueName('autosub');
const stage = name;
const prefix = `/ecs/${name}/`;
const retired = `/svc/${name}/`;
const group = (suffix: string) => `${prefix}${suffix}`;

let logs: CloudWatchLogsClient;
let shipArn: string;
let otherArn: string;
let receiver: Server;
let responseUrl: string;
const answers: Array<Record<string, unknown>> = [];

async function createFunction(lambda: LambdaClient, functionName: string, role: string): Promise<string> {
  // An empty zip (its end-of-central-directory record alone): the emulator never runs the code.
  const zip = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);
  const created = await lambda.send(new CreateFunctionCommand({ FunctionName: functionName, Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip } }));
  return created.FunctionArn!;
}

const filtersOf = async (logGroupName: string) => ((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName }))).subscriptionFilters ?? []).map((f) => ({ name: f.filterName, to: f.destinationArn }));

function deps(prefixes: string[] = [prefix, retired, '/aws/lambda/']) {
  const env = readEnvironment({ ...process.env, STAGE: stage, SHIP_FUNCTION_ARN: shipArn });
  const config = validateConfig({ ship: { logGroups: [group('listed')], autoSubscribe: { prefixes }, destinations: { archive: { s3: { bucket: 'archive' } } }, backup: { bucket: 'backup' } } }, 'test');
  return subscribeDependencies(env, config, () => 60_000);
}

const stackRequest = (requestType: string, prefixes: string[], oldPrefixes?: string[]) =>
  parseEvent({
    RequestType: requestType,
    ResponseURL: responseUrl,
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/ecs-autopilot-${stage}/0d1e2f30-aaaa-bbbb-cccc-123456789012`,
    RequestId: `${requestType}-${answers.length}`,
    LogicalResourceId: 'LogSubscriptions',
    ResourceType: 'Custom::LogSubscriptions',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:subscribe',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `ecs-autopilot-${stage}-ship-log-subscriptions` }),
    ResourceProperties: { ServiceToken: 'x', Prefixes: prefixes, FilterPattern: '' },
    ...(oldPrefixes ? { OldResourceProperties: { ServiceToken: 'x', Prefixes: oldPrefixes, FilterPattern: '' } } : {}),
  });

const signalOf = (intake: ReturnType<typeof parseEvent>): Signal => {
  if (intake.type !== 'signal') throw new Error(intake.why);
  return intake.signal;
};

const run = (signal: Signal, prefixes?: string[]) => onSubscriberSignal(signal, deps(prefixes), (request, answer) => answerStackRequest(request, answer, { sleep: async () => {} }));

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  Object.assign(process.env, EMULATOR_ENV, { AWS_ENDPOINT_URL: endpoint });
  logs = new CloudWatchLogsClient(clientOptions(endpoint));
  const role = (await new IAMClient(clientOptions(endpoint)).send(new CreateRoleCommand({ RoleName: `${name}-role`, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }))).Role!.Arn!;
  const lambda = new LambdaClient(clientOptions(endpoint));
  shipArn = await createFunction(lambda, `${name}-ship`, role);
  otherArn = await createFunction(lambda, `${name}-other-forwarder`, role);
  for (const suffix of ['api', 'full', 'listed', 'shipped']) await logs.send(new CreateLogGroupCommand({ logGroupName: group(suffix) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: `${retired}worker` }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: `/other/${name}/x` }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/ecs-autopilot-${stage}-ship` }));
  // Two filters of someone else: the most a group can have.
  for (const filterName of ['datadog', 'splunk']) await logs.send(new PutSubscriptionFilterCommand({ logGroupName: group('full'), filterName, filterPattern: '', destinationArn: otherArn }));
  // Shipped already, under another filter name (a subscription made by hand).
  await logs.send(new PutSubscriptionFilterCommand({ logGroupName: group('shipped'), filterName: 'by-hand', filterPattern: '', destinationArn: shipArn }));
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      answers.push({ method: request.method, contentType: request.headers['content-type'], ...(JSON.parse(body) as Record<string, unknown>) });
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/presigned?X-Amz-Signature=abc`;
});

afterAll(() => receiver?.close());

describe('ship.autoSubscribe against the emulator', () => {
  it('on stack create, subscribes the matching groups and answers CloudFormation, leaving full, listed, own and foreign groups alone', async () => {
    const outcome = await run(signalOf(stackRequest('Create', [prefix, retired, '/aws/lambda/'])));
    const answer = answers.at(-1)!;
    expect(answer).toMatchObject({ method: 'PUT', contentType: '', Status: 'SUCCESS', RequestId: 'Create-0', LogicalResourceId: 'LogSubscriptions', PhysicalResourceId: `ecs-autopilot-${stage}-ship-log-subscriptions` });
    expect(answer.Reason).toMatch(/^subscribed 2, updated 0, kept 1 of 4 log groups; skipped /);
    expect(answer.Reason).toContain(`skipped ${group('full')}`);
    expect(answer.Reason).not.toContain('failed');
    const report = outcome.report as { skipped: Array<{ logGroup: string; reason: string; needsAction?: boolean }> };
    expect(report.skipped.filter((s) => s.needsAction).map((s) => s.logGroup)).toEqual([group('full')]);
    expect(report.skipped.find((s) => s.logGroup === group('full'))?.reason).toMatch(/^has two subscription filters already \(datadog, splunk\), the most CloudWatch Logs allows/);
    expect(outcome.notes[0]).toMatch(/^Create: SUCCESS/);
    const own = { name: ownFilterName(stage), to: shipArn };
    expect(await filtersOf(group('api'))).toEqual([own]);
    expect(await filtersOf(`${retired}worker`)).toEqual([own]);
    expect(await filtersOf(group('full'))).toEqual([{ name: 'datadog', to: otherArn }, { name: 'splunk', to: otherArn }]);
    expect(await filtersOf(group('shipped'))).toEqual([{ name: 'by-hand', to: shipArn }]);
    expect(await filtersOf(group('listed'))).toEqual([]);
    expect(await filtersOf(`/other/${name}/x`)).toEqual([]);
    expect(await filtersOf(`/aws/lambda/ecs-autopilot-${stage}-ship`)).toEqual([]);
  });

  it('sweeps again without a second filter or a change, and names why each skipped group was left', async () => {
    const outcome = await run(signalOf(parseEvent({ version: '0', id: 'tick-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/sweep'], detail: {} })));
    expect(outcome.outcome).toBe('ignored');
    expect(outcome.notes[0]).toMatch(/^subscribed 0, updated 0, kept 3, skipped \d+ of 4 log groups/);
    expect(outcome.notes).toContain(`${group('listed')}: listed in ship.logGroups: the stack subscribes it itself`);
    expect(outcome.notes.find((n) => n.startsWith(`/aws/lambda/ecs-autopilot-${stage}-ship:`))).toMatch(/own function logs/);
    expect(await filtersOf(group('api'))).toEqual([{ name: ownFilterName(stage), to: shipArn }]);
  });

  it('subscribes a group as CloudTrail reports its creation, and ignores a failed CreateLogGroup', async () => {
    const created = group('checkout');
    await logs.send(new CreateLogGroupCommand({ logGroupName: created }));
    const event = structuredClone(createLogGroupEvent);
    event.detail.requestParameters.logGroupName = created;
    const outcome = await run(signalOf(parseEvent(event)));
    expect(outcome).toMatchObject({ outcome: 'acted', notes: ['subscribed 1, updated 0, kept 0, skipped 0 of 1 log groups'] });
    expect(await filtersOf(created)).toEqual([{ name: ownFilterName(stage), to: shipArn }]);
    const failed = structuredClone(createLogGroupEvent) as typeof createLogGroupEvent & { detail: { errorCode?: string } };
    failed.detail.errorCode = 'ResourceAlreadyExistsException';
    expect((await run(signalOf(parseEvent(failed)))).outcome).toBe('ignored');
  });

  it('on update, unsubscribes the groups under a prefix the stack no longer has', async () => {
    await run(signalOf(stackRequest('Update', [prefix, '/aws/lambda/'], [prefix, retired, '/aws/lambda/'])), [prefix, '/aws/lambda/']);
    expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', RequestId: expect.stringMatching(/^Update-/), Reason: expect.stringContaining(`unsubscribed 1 under the removed prefixes ${retired}`) });
    expect(await filtersOf(`${retired}worker`)).toEqual([]);
    expect(await filtersOf(group('api'))).toEqual([{ name: ownFilterName(stage), to: shipArn }]);
  });

  it('on stack delete, removes exactly its own filters and answers SUCCESS', async () => {
    await run(signalOf(stackRequest('Delete', [prefix, '/aws/lambda/'])), [prefix, '/aws/lambda/']);
    expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', Reason: 'removed 2 subscriptions', RequestId: expect.stringMatching(/^Delete-/) });
    for (const suffix of ['api', 'checkout', 'listed']) expect(await filtersOf(group(suffix))).toEqual([]);
    expect(await filtersOf(group('full'))).toHaveLength(2);
    expect(await filtersOf(group('shipped'))).toEqual([{ name: 'by-hand', to: shipArn }]);
  });
});
