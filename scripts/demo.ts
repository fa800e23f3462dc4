// npm run demo: the whole pipeline with no AWS account. Starts the AWS emulator, creates the
// stack's table and topic, a cluster and services, plays scripted incidents through the real
// notify handler, and prints a timeline of what it saw, decided and did.
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { notifyPatterns } from '../shared/config/event-patterns.js';
import { validateConfig } from '../shared/config/validate.js';
import { startEmulator } from './lib/emulator.js';
import { matchesPattern } from './lib/event-pattern-match.js';
import { clientOptions, createLocalStack, type LocalStack, receiveNotifications } from './lib/local-stack.js';
import { runExplain } from '../bin/cli/explain.js';
import { runStatus } from '../bin/cli/status.js';
import { type BadDeploy, stageBadDeploy } from './lib/bad-deploy.js';
import { lastArnSegment } from '../shared/intake/arns.js';
import { badDeployScene, explainScene, type Scene, scenes } from './demo/scenes.js';

type Handler = (event: unknown, context: unknown) => Promise<{ outcome: string; notes: string[]; actions: Array<{ subject: string; delivery: string; receiver: string; reason?: string; messageId?: string }> }>;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const indent = '          ';

function describeEvent(event: Record<string, unknown>): string {
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const task = typeof detail.taskArn === 'string' ? `task ${lastArnSegment(detail.taskArn)}` : undefined;
  const what = [detail.group, detail.lastStatus, detail.stopCode, detail.eventName, (detail.state as { value?: string } | undefined)?.value, detail.alarmName, task]
    .filter((v) => typeof v === 'string')
    .join(' ');
  return `${event['detail-type']}  ${what}`;
}

async function setUpScene(stack: LocalStack, scene: Scene): Promise<void> {
  const ecs = new ECSClient(clientOptions(stack.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: scene.cluster }));
  for (const service of scene.services) {
    // A service staged for the explain scene exists already, on its own revisions.
    if ((await ecs.send(new DescribeServicesCommand({ cluster: scene.cluster, services: [service.name] }))).services?.some((s) => s.status === 'ACTIVE')) continue;
    await ecs.send(new RegisterTaskDefinitionCommand({ family: service.name, containerDefinitions: [{ name: service.name, image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }] }));
    await ecs.send(
      new CreateServiceCommand({
        cluster: scene.cluster,
        serviceName: service.name,
        taskDefinition: service.name,
        desiredCount: 0,
        tags: Object.entries(service.tags ?? {}).map(([key, value]) => ({ key, value })),
      }),
    );
  }
  const tagged = scene.services.filter((s) => s.tags).map((s) => `${s.name} (${Object.entries(s.tags!).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  console.log(`set-up: cluster ${scene.cluster}; services ${scene.services.map((s) => s.name).join(', ')}${tagged.length ? `; tagged: ${tagged.join('; ')}` : ''}`);
}

async function playScene(stack: LocalStack, scene: Scene, handler: Handler): Promise<BadDeploy | undefined> {
  console.log(`\n${bold(`scene: ${scene.title}`)}`);
  const staged = scene === badDeployScene ? await stageIncidentTask(stack, scene) : undefined;
  await setUpScene(stack, scene);
  const patterns = notifyPatterns(validateConfig({}, 'demo')).map((r) => r.pattern);
  let requestId = 0;
  for (const { note, event } of scene.events) {
    console.log(`\n${String(event.time).slice(11, 19)}  ${note}`);
    console.log(`${indent}saw      ${describeEvent(event)}`);
    if (!patterns.some((pattern) => matchesPattern(event, pattern))) {
      console.log(`${indent}dropped  by the EventBridge rules' patterns: Lambda is never invoked (and never billed) for it`);
      continue;
    }
    const context = { awsRequestId: `demo-${(requestId += 1)}`, functionName: 'ecs-autopilot-demo-notify', getRemainingTimeInMillis: () => 30_000 };
    try {
      const outcome = await handler(event, context);
      console.log(`${indent}decided  ${outcome.outcome}${outcome.notes.length ? `: ${outcome.notes.join('; ')}` : ''}`);
      for (const action of outcome.actions) {
        if (action.delivery === 'suppressed') console.log(`${indent}grouped  ${action.reason ?? ''}`);
        else console.log(`${indent}did      ${action.delivery} message to ${action.receiver}: "${action.subject}" (message ${action.messageId ?? '?'})`);
      }
    } catch (error) {
      console.log(`${indent}failed   ${(error as Error).message}`);
      console.log(`${indent}         -> in AWS, Lambda retries twice, then the event and this reason go to the dead-letter queue`);
    }
  }
  return staged;
}

/**
 * Stages the task the explain scene explains, before the incident plays: the bad deploy of
 * prod/web with the OOM-killed task, and the scripted OOM event (both deliveries) carries that
 * task's ARN and revision, so its notification names the task `explain` reads afterwards.
 */
async function stageIncidentTask(stack: LocalStack, scene: Scene): Promise<BadDeploy> {
  const staged = await stageBadDeploy(stack.endpoint, { cluster: explainScene.cluster, service: explainScene.service });
  for (const { event } of scene.events) {
    if (event.id !== explainScene.eventId) continue;
    const detail = event.detail as { taskArn?: string; taskDefinitionArn?: string; containers?: Array<{ name: string; taskArn?: string; memory?: string }> };
    Object.assign(detail, { taskArn: staged.oomTaskArn, taskDefinitionArn: staged.taskDefinitionArn });
    event.resources = [staged.oomTaskArn];
    // The bad revision's limit, as the staged task definition has it.
    for (const container of detail.containers ?? []) Object.assign(container, { taskArn: staged.oomTaskArn }, container.name === explainScene.service ? { memory: '512' } : {});
  }
  console.log(`staged: ${explainScene.cluster}/${explainScene.service} moved from ${lastArnSegment(staged.previousTaskDefinitionArn)} to ${lastArnSegment(staged.taskDefinitionArn)}; the task the 10:01:05 OOM event names is a real stopped task in the emulator (task ${lastArnSegment(staged.oomTaskArn)}), its last lines in ${staged.logGroup}`);
  return staged;
}

async function playExplainScene(staged: BadDeploy): Promise<void> {
  console.log(`\n${bold(`scene: ${explainScene.title}`)}`);
  console.log(`\n$ ecs-autopilot explain ${staged.oomTaskArn}`);
  await runExplain([staged.oomTaskArn], () => validateConfig({}, 'demo'));
  console.log(`\n$ ecs-autopilot status --cluster ${explainScene.cluster}`);
  await runStatus(['--cluster', explainScene.cluster], () => validateConfig({}, 'demo'));
}

async function main(): Promise<void> {
  console.log(bold('ecs-autopilot demo: real handlers, a local AWS API emulator, no AWS account'));
  const emulator = await startEmulator();
  try {
    const stack = await createLocalStack(emulator.url, 'demo');
    console.log(`emulator: moto on ${emulator.url}; state table ${stack.tableName}; SNS topic ${stack.topicArn} -> SQS subscriber`);
    // The handler reads its environment at cold start, exactly as in Lambda.
    Object.assign(process.env, stack.functionEnv, { POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_DISABLED: 'true' });
    const { handler } = (await import('../functions/notify/handler.js')) as unknown as { handler: Handler };
    let staged: BadDeploy | undefined;
    for (const scene of scenes) staged = (await playScene(stack, scene, handler)) ?? staged;
    if (staged) await playExplainScene(staged);

    const received = await receiveNotifications(stack);
    console.log(`\n${bold(`what an SNS subscriber received: ${received.length} message${received.length === 1 ? '' : 's'}`)}`);
    for (const message of received) {
      const body = message.body as { title?: string; hint?: string };
      console.log(`\n  ${message.subject}`);
      console.log(`  attributes  ${Object.entries(message.attributes).map(([k, v]) => `${k}=${v}`).join('  ')}`);
      console.log(`  title       ${body.title}`);
      console.log(`  what to do  ${body.hint}`);
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
