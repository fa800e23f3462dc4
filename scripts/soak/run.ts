// The soak: the same events through the real notify handler twice, against the AWS emulator and a
// local Slack, once with no faults and once behind proxies that inject faults on a share of all
// calls (throttling, 500, 503, timeouts, resets; 429 from Slack). Then it counts what every event
// became and what the receivers got, and compares the two runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { projectRoot, startEmulator } from '../lib/emulator.js';
import { type FaultProxy, startFaultProxy } from '../lib/fault-proxy.js';
import { clientOptions, createLocalStack, type LocalStack, receiveNotifications } from '../lib/local-stack.js';
import { soakDeliveries, soakScope } from './events.js';
import type { WorkerResult } from './worker.js';

export interface SoakOptions {
  events: number;
  seed: number;
  /** Share of calls (AWS and Slack) the proxies answer with a fault in the faulty run. */
  faultRate: number;
  /** An emulator already running; otherwise the soak starts its own. */
  endpoint?: string;
  log?: (line: string) => void;
}

interface RunCounts {
  deliveries: number;
  invocations: number;
  retries: number;
  handled: number;
  deadLetter: Record<string, number>;
  deadLetterIds: string[];
  lost: string[];
  /** What the receivers got, by identity: the same identity twice is a duplicate notification. */
  notifications: Map<string, number>;
  faults: ReturnType<FaultProxy['counts']> | undefined;
  slackFaults: ReturnType<FaultProxy['counts']> | undefined;
}

export interface SoakReport {
  events: number;
  deliveries: number;
  seed: number;
  faultRate: number;
  clean: RunCounts;
  faulty: RunCounts;
  /** Messages a receiver got more than once (the same event's same action), with faults. */
  duplicateNotifications: number;
  /** The same, in the fault-free run: an answer lost after the service acted (see RELIABILITY.md). */
  cleanDuplicateNotifications: number;
  duplicateActions: number;
  /** The actions the faulty run took more often than the fault-free one. */
  duplicatedActions: string[];
  /** Notifications of the fault-free run missing from the faulty one, among events it handled. */
  missingActions: string[];
  /** Notifications of the faulty run that the fault-free one did not send. */
  extraActions: string[];
}

function startSlack(): Promise<{ server: Server; url: string; posts: string[] }> {
  const posts: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      posts.push(body);
      response.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts })));
}

/** What makes a Slack post the same post: its header and its event (the context names it). */
function slackIdentity(body: string): string {
  const payload = JSON.parse(body) as { blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
  const header = payload.blocks.find((b) => b.type === 'header')?.text?.text ?? '';
  const event = payload.blocks.flatMap((b) => b.elements ?? []).find((e) => e.text?.startsWith('*Event:*'))?.text ?? '';
  return `slack|${header}|${event}`;
}

/** What identifies an action independent of timing: receiver, the group's labels, status and delivery. */
function actionOf(identity: string): string {
  return identity.split('|event=')[0]!;
}

async function createServices(endpoint: string, clusters: string[], services: string[]): Promise<void> {
  const ecs = new ECSClient(clientOptions(endpoint));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'soak', containerDefinitions: [{ name: 'app', image: 'app', memory: 128 }] }));
  for (const cluster of clusters) {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const service of services) await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: 'soak', desiredCount: 0 }));
  }
}

/**
 * The functions' AWS request timeout in the soak, and how long an injected timeout holds a call.
 * Short, so that the injected timeouts do not make the soak crawl; but longer than the emulator
 * takes to answer on a busy machine. Shorter (it was 300 ms), the client gave up on calls the
 * emulator then carried out: answers lost after the service acted, a fault the proxy deliberately
 * does not inject, and which SNS cannot be protected against (the SDK's retry publishes again).
 * The table counts such calls ("given up while forwarded"), to show it does not happen.
 */
const REQUEST_TIMEOUT_MS = 1000;
const HELD_MS = REQUEST_TIMEOUT_MS + 100;

async function oneRun(name: string, endpoint: string, options: SoakOptions, rate: number): Promise<RunCounts> {
  const stack: LocalStack = await createLocalStack(endpoint, name);
  const scope = soakScope(name);
  await createServices(endpoint, scope.clusters, scope.services);
  const slack = await startSlack();
  const awsProxy = await startFaultProxy({ upstream: endpoint, seed: options.seed, rate, timeoutMs: HELD_MS });
  const slackProxy = await startFaultProxy({ upstream: slack.url, seed: options.seed + 1, rate, timeoutMs: HELD_MS });
  const webhookParameter = `/${name}/slack`;
  await new SSMClient(clientOptions(endpoint)).send(new PutParameterCommand({ Name: webhookParameter, Type: 'SecureString', Value: `${slackProxy.url}/services/T0/B0/soak` }));
  const deliveries = soakDeliveries(options.events, options.seed, scope);
  const dir = mkdtempSync(join(tmpdir(), 'ecs-autopilot-soak-'));
  const output = join(dir, 'result.json');
  // Only the first message of a group within a day: which event of a group opens it does not
  // depend on timing, so the two runs can be compared action by action.
  const config = {
    notify: {
      receivers: { oncall: { slack: { webhook: `ssm:${webhookParameter}` } }, everything: { sns: {} } },
      route: { receiver: 'everything', groupInterval: '1d', routes: [{ match: { severity: 'critical' }, receiver: 'oncall', continue: true }, { match: { cluster: '*' }, receiver: 'everything' }] },
      logTail: { lines: 0 },
    },
  };
  writeFileSync(join(dir, 'input.json'), JSON.stringify({ deliveries, config, output }));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts', 'soak', 'worker.ts'), join(dir, 'input.json')], {
        cwd: projectRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          ...stack.functionEnv,
          AWS_ENDPOINT_URL: awsProxy.url,
          AUTOPILOT_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
          // What each invocation did, one file per run (clean, faulty), to investigate a failed soak.
          ...(process.env.SOAK_TRACE ? { SOAK_TRACE: `${process.env.SOAK_TRACE}.${name.split('-').pop()}` } : {}),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`soak worker ${name} exited with ${code}`))));
    });
    const result = JSON.parse(readFileSync(output, 'utf8')) as WorkerResult;
    const notifications = new Map<string, number>();
    // Cluster names carry the run's name; without it the two runs' actions compare directly.
    const count = (identity: string) => {
      const normal = identity.split(name).join('RUN');
      notifications.set(normal, (notifications.get(normal) ?? 0) + 1);
    };
    for (const n of await receiveNotifications(stack, 2)) {
      const a = n.attributes;
      count(`everything|${a.cluster}|${a.service ?? ''}|${a.cause}|${a.status}|${a.delivery}|event=${String(n.body.eventId)}`);
    }
    for (const body of slack.posts) {
      const identity = slackIdentity(body);
      count(`oncall|${identity.split('|')[1]}|event=${identity.split('|')[2]}`);
    }
    if (process.env.SOAK_TRACE) writeFileSync(`${process.env.SOAK_TRACE}.${name.split('-').pop()}.notifications`, [...notifications].map(([identity, n]) => `${n} ${identity}`).sort().join('\n'));
    const deadLetter: Record<string, number> = {};
    for (const d of result.deadLetter) {
      const reason = d.reason.split(':')[0]!;
      deadLetter[reason] = (deadLetter[reason] ?? 0) + 1;
    }
    options.log?.(`${name}: ${deliveries.length} deliveries, ${result.invocations} invocations, ${result.deadLetter.length} to the dead-letter queue`);
    return {
      deliveries: deliveries.length,
      invocations: result.invocations,
      retries: result.retries,
      handled: new Set(result.handled).size,
      deadLetter,
      deadLetterIds: result.deadLetter.map((d) => d.id),
      lost: result.unfinished,
      notifications,
      faults: awsProxy.counts(),
      slackFaults: slackProxy.counts(),
    };
  } finally {
    await awsProxy.stop();
    await slackProxy.stop();
    slack.server.close();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const emulator = options.endpoint ? undefined : await startEmulator();
  const endpoint = options.endpoint ?? emulator!.url;
  try {
    const tag = `soak${Date.now().toString(36)}`;
    const clean = await oneRun(`${tag}-clean`, endpoint, options, 0);
    const faulty = await oneRun(`${tag}-faulty`, endpoint, options, options.faultRate);
    const duplicates = (run: RunCounts) => [...run.notifications.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
    // Actions, whatever event opened each group: how many events took each. A group can
    // legitimately open twice (a recovery in between starts a new incident), so the fault-free
    // run's count of each is the reference. One event's message received twice is a duplicate
    // notification, counted above, not a second action: counting it here too would count it twice
    // in the faulty run, and in the fault-free run make the reference wrong (a missing action).
    const actions = (run: RunCounts) => {
      const byAction = new Map<string, number>();
      for (const identity of run.notifications.keys()) byAction.set(actionOf(identity), (byAction.get(actionOf(identity)) ?? 0) + 1);
      return byAction;
    };
    const cleanActions = actions(clean);
    const faultyActions = actions(faulty);
    let duplicateActions = 0;
    const duplicatedActions: string[] = [];
    const extraActions: string[] = [];
    for (const [action, n] of faultyActions) {
      const expected = cleanActions.get(action) ?? 0;
      if (expected === 0) extraActions.push(action);
      else if (n > expected) {
        duplicateActions += n - expected;
        duplicatedActions.push(action);
      }
    }
    // An action the fault-free run took is owed by the faulty run unless an event of its kind went
    // to the dead-letter queue there (then that event is accounted for, with its reason).
    const deadLettered = new Set(faulty.deadLetterIds);
    const openedByDeadLettered = (action: string) =>
      [...clean.notifications.keys()].some((identity) => actionOf(identity) === action && [...deadLettered].some((id) => identity.includes(id)));
    const missingActions = [...cleanActions]
      .filter(([action, n]) => (faultyActions.get(action) ?? 0) < n && !openedByDeadLettered(action))
      .map(([action]) => action);
    return { events: options.events, deliveries: faulty.deliveries, seed: options.seed, faultRate: options.faultRate, clean, faulty, duplicateNotifications: duplicates(faulty), cleanDuplicateNotifications: duplicates(clean), duplicateActions, duplicatedActions, missingActions, extraActions };
  } finally {
    await emulator?.stop();
  }
}

export function formatSoakReport(r: SoakReport): string {
  const faults = r.faulty.faults!;
  const slackFaults = r.faulty.slackFaults!;
  const lines = [
    `soak: seed ${r.seed}, fault rate ${(r.faultRate * 100).toFixed(0)}% of calls`,
    '',
    '| measure | fault-free run | with faults |',
    '| --- | --- | --- |',
    `| events in (deliveries, incl. duplicates) | ${r.events} (${r.clean.deliveries}) | ${r.events} (${r.faulty.deliveries}) |`,
    `| invocations (retries) | ${r.clean.invocations} (${r.clean.retries}) | ${r.faulty.invocations} (${r.faulty.retries}) |`,
    `| handled | ${r.clean.handled} | ${r.faulty.handled} |`,
    `| in the dead-letter queue | ${Object.values(r.clean.deadLetter).reduce((a, b) => a + b, 0)} | ${Object.values(r.faulty.deadLetter).reduce((a, b) => a + b, 0)} |`,
    ...Object.entries(r.faulty.deadLetter).map(([reason, n]) => `| &nbsp; dead-letter: ${reason} | ${r.clean.deadLetter[reason] ?? 0} | ${n} |`),
    `| AWS calls (faults injected) | ${r.clean.faults!.total} (0) | ${faults.total} (${faults.faulted}) |`,
    ...Object.entries(faults.byKind).map(([kind, n]) => `| &nbsp; fault: ${kind} | 0 | ${n} |`),
    // Not injected: the emulator answered after the client had given up (or the connection broke).
    `| &nbsp; AWS calls given up while forwarded (not injected) | ${r.clean.faults!.upstreamErrors} | ${faults.upstreamErrors} |`,
    `| Slack posts tried (faults injected) | ${r.clean.slackFaults!.total} (0) | ${slackFaults.total} (${slackFaults.faulted}) |`,
    `| notifications received | ${[...r.clean.notifications.values()].reduce((a, b) => a + b, 0)} | ${[...r.faulty.notifications.values()].reduce((a, b) => a + b, 0)} |`,
    `| lost events | ${r.clean.lost.length} | ${r.faulty.lost.length} |`,
    `| duplicate actions | - | ${r.duplicateActions} |`,
    `| duplicate notifications | ${r.cleanDuplicateNotifications} | ${r.duplicateNotifications} |`,
    `| actions missing vs the fault-free run (events handled) | - | ${r.missingActions.length} |`,
    `| actions the fault-free run did not take | - | ${r.extraActions.length} |`,
    '',
    `faults by service: ${Object.entries(faults.byService).map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `soak: ${r.events} events, lost ${r.faulty.lost.length}, duplicate actions ${r.duplicateActions}, duplicate notifications ${r.duplicateNotifications}, dead-letter ${Object.values(r.faulty.deadLetter).reduce((a, b) => a + b, 0)}`,
  ];
  return lines.join('\n');
}
