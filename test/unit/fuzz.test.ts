// Proof that nothing is lost and nothing is harmed: every parser and the whole pipeline
// (processEvent with a MemoryStateStore, recording receivers and timers, dryRun false, a fixed clock)
// fed values shaped like every event it reads and mutations of every real fixture.
//
// For every input:
//   - processEvent resolves, or rejects with an IntakeError (nothing else, not even the
//     EventInProgressError, which a sequential run can never cause);
//   - an IntakeError names the field at fault, and its event delivered, scheduled and wrote nothing;
//   - what a resolved event reports as sent is exactly what reached the receivers, and a redelivery
//     of an event that was acted on posts nothing again;
//   - every delivered message, rendered for Slack with and without a trusted mention, carries no
//     mention but that one and no link: links are only buttons, from message.links, to the console.
//
// Runs and seed: FUZZ_RUNS (default 200) and FUZZ_SEED (default 20261125); `npm run fuzz` runs this
// file long with a seed of the day. A failure prints the seed and path that replay it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveReceivers } from '../../shared/config/receivers.js';
import type { AutopilotConfig } from '../../shared/config/schema.js';
import { validateConfig } from '../../shared/config/validate.js';
import { CAUSES } from '../../shared/decide/causes.js';
import type { NotifyAction, TimerRequest } from '../../shared/decide/plan.js';
import { type EventOutcome, type PipelineDependencies, processEvent } from '../../shared/execute/process-event.js';
import { eventEnvelopeSchema } from '../../shared/intake/envelope.js';
import { eventParsers, IntakeError, parseEvent } from '../../shared/intake/index.js';
import { renderPlainText } from '../../shared/render/plain-text.js';
import { renderSlackMessage, type SlackMessage } from '../../shared/render/slack-blocks.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import type { StateStore } from '../../shared/state/store.js';
import {
  arbitraryEvent,
  describeForReport,
  envelopeEvent,
  FIXTURES,
  logsSubscriptionEvent,
  mutatedFixture,
  mutation,
  sqsTimerRecord,
  textMutation,
} from '../support/fuzz-arbitraries.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${raw}: expected an integer`);
  return value;
}

const RUNS = Math.max(1, envInt('FUZZ_RUNS', 200));
const SEED = envInt('FUZZ_SEED', 20261125);
const STATS = process.env.FUZZ_STATS === '1';
/**
 * The most one event may take, intake to rendering. Linear code handles a 100k-character field in
 * milliseconds; a regex that backtracks quadratically takes seconds, and in Lambda a timeout fails
 * the event for good (every retry times out too), which loses the notification.
 */
const EVENT_BUDGET_MS = Math.max(1, envInt('FUZZ_EVENT_BUDGET_MS', 2_000));
/** Generous per test: the default (200 runs) takes a few seconds; the long run scales with its runs. */
const TIMEOUT_MS = Math.max(30_000, RUNS * 100);
const params = (numRuns = RUNS) => ({ seed: SEED, numRuns });

const T0 = Date.parse('2026-11-20T10:05:00Z');
const TRUSTED_MENTION = '<!subteam^S0TRUSTED>';

// ---- configurations ---------------------------------------------------------------------------------

const notifyEveryCause = Object.fromEntries(CAUSES.map((cause) => [cause, { notify: true }]));

interface Setup {
  name: string;
  config: AutopilotConfig;
}

const SETUPS: readonly Setup[] = [
  { name: 'defaults', config: validateConfig({}, 'fuzz: defaults') },
  { name: 'every cause notifies', config: validateConfig({ notify: { causes: notifyEveryCause } }, 'fuzz: every cause') },
  {
    name: 'slack and sns receivers, groupWait, an excluded cluster',
    config: validateConfig(
      {
        clusters: { include: ['*'], exclude: ['staging-*'] },
        notify: {
          causes: notifyEveryCause,
          receivers: { chat: { slack: { webhook: 'ssm:/fuzz/slack-webhook', mention: '<!subteam^S0FUZZ>' } }, pager: { sns: {} } },
          route: {
            receiver: 'chat',
            routes: [
              { match: { severity: 'critical' }, receiver: 'pager', continue: true },
              { match: { kind: 'alarm' }, receiver: 'chat', groupBy: ['cluster'], groupWait: '30s' },
            ],
          },
        },
      },
      'fuzz: receivers',
    ),
  },
];

/** The mention a receiver's Slack configuration adds, or the test's trusted one. */
function trustedMentionFor(config: AutopilotConfig, receiver: string): string {
  return effectiveReceivers(config)[receiver]?.slack?.mention ?? TRUSTED_MENTION;
}

// ---- the pipeline under test --------------------------------------------------------------------------

const STORE_WRITES = new Set(['claimEvent', 'completeEvent', 'releaseEvent', 'countInWindow', 'acquireCooldown', 'appendAudit', 'putRecord', 'putInCollection', 'deleteFromCollection']);

interface Delivered {
  receiver: string;
  action: NotifyAction;
}

class Harness {
  readonly sent: Delivered[] = [];
  readonly timers: TimerRequest[] = [];
  storeWrites = 0;
  clock = T0;
  readonly deps: PipelineDependencies;

  constructor(readonly setup: Setup) {
    const memory = new MemoryStateStore();
    // Counts every call that could change the table, so a malformed event can be shown to touch nothing.
    const store = new Proxy(memory, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (STORE_WRITES.has(String(property))) this.storeWrites += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as StateStore;
    const receivers = Object.fromEntries(
      Object.keys(effectiveReceivers(setup.config)).map((name) => [
        name,
        { notify: async (action: NotifyAction) => (this.sent.push({ receiver: name, action }), { messageId: `${name}-${this.sent.length}` }) },
      ]),
    );
    this.deps = {
      config: setup.config,
      store,
      receivers,
      timers: { schedule: async (timer) => void this.timers.push(timer) },
      dryRun: false,
      now: () => new Date(this.clock),
    };
  }
}

type Result = { type: 'resolved'; outcome: EventOutcome; delivered: Delivered[] } | { type: 'rejected'; error: IntakeError };

/** A problem names a field path ("detail.containers[0].exitCode: ...") or is the documented top-level one. */
const FIELD_PATH = /^[a-zA-Z][a-zA-Z-]*(\.|\[|:)/;
const TOP_LEVEL = /^expected an EventBridge event object or a CloudWatch Logs subscription event, got (an array|null|a [a-z]+)$/;

function fail(why: string, raw: unknown): never {
  throw new Error(`${why}\n  input: ${describeForReport(raw)}`);
}

/** Runs one event through the pipeline and checks everything the properties promise about it. */
async function run(h: Harness, raw: unknown): Promise<Result> {
  const started = performance.now();
  const result = await runChecked(h, raw);
  const ms = performance.now() - started;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > EVENT_BUDGET_MS) fail(`one event took ${Math.round(ms)} ms (budget ${EVENT_BUDGET_MS} ms, FUZZ_EVENT_BUDGET_MS): something is quadratic`, raw);
  return result;
}

async function runChecked(h: Harness, raw: unknown): Promise<Result> {
  const before = { sent: h.sent.length, timers: h.timers.length, writes: h.storeWrites };
  let outcome: EventOutcome;
  try {
    outcome = await processEvent(raw, h.deps);
  } catch (error) {
    if (!(error instanceof IntakeError)) {
      const e = error as Error;
      fail(`processEvent rejected with ${e?.constructor?.name ?? typeof error} (only IntakeError is allowed): ${String(e?.message ?? e).slice(0, 500)}\n${e?.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`, raw);
    }
    if (error.problems.length === 0) fail('an IntakeError without problems', raw);
    for (const problem of error.problems) {
      if (!FIELD_PATH.test(problem) && !TOP_LEVEL.test(problem)) fail(`IntakeError problem names no field: ${JSON.stringify(problem.slice(0, 300))}`, raw);
      if (!error.message.includes(problem)) fail(`IntakeError message leaves out the problem ${JSON.stringify(problem.slice(0, 300))}`, raw);
    }
    if (!/is malformed: /.test(error.message)) fail(`IntakeError message does not say it is malformed: ${error.message.slice(0, 300)}`, raw);
    if (h.sent.length !== before.sent) fail(`a malformed event delivered ${h.sent.length - before.sent} notification(s): ${error.message.slice(0, 300)}`, raw);
    if (h.timers.length !== before.timers) fail('a malformed event scheduled a timer', raw);
    if (h.storeWrites !== before.writes) fail('a malformed event wrote to the state table', raw);
    return { type: 'rejected', error };
  }

  if (typeof outcome.id !== 'string' || !['acted', 'ignored'].includes(outcome.outcome)) fail(`odd outcome ${describeForReport(outcome)}`, raw);
  // Nothing lost, nothing invented: what the outcome says was sent is what the receivers got, in order.
  const delivered = h.sent.slice(before.sent);
  const reportedSent = outcome.actions.filter((a) => a.result === 'sent');
  if (reportedSent.length !== delivered.length) fail(`outcome reports ${reportedSent.length} sent, receivers got ${delivered.length}`, raw);
  delivered.forEach((d, i) => {
    const r = reportedSent[i]!;
    if (r.receiver !== d.receiver || r.group !== d.action.group || r.delivery !== d.action.delivery) fail(`sent action ${i} differs from what ${d.receiver} received`, raw);
  });
  if (outcome.actions.some((a) => a.result === 'planned')) fail('an action was only planned although dryRun is false', raw);
  for (const d of delivered) expectHarmless(d, h.setup.config, raw);
  return { type: 'resolved', outcome, delivered };
}

// ---- what a delivered message may contain ------------------------------------------------------------

// The only `<...>` the renderer writes itself besides the configured mention: a date token built from
// a parsed timestamp (years beyond 9999 are written with a sign, as toISOString does).
const DATE_TOKEN = /<!date\^-?\d+\^\{date_short_pretty\} \{time_secs\}\|[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z>/g;
const FORBIDDEN = ['<!channel>', '<!here>', '<!everyone>', '<@U', '<#C', '<!subteam', '<http', '<mailto'];
/** Anything Slack would parse as a mention, a channel, a special command or a link, in any case. */
const SLACK_CONTROL = /<(?:[!@#]|https?|mailto|[a-z][a-z0-9+.-]*:)/i;
const CONSOLE_HOST = /(^|\.)console\.aws\.amazon\.com$/;

interface RenderedText {
  where: string;
  text: string;
}

function textsOf(rendered: SlackMessage, raw: unknown): { texts: RenderedText[]; urls: string[] } {
  const texts: RenderedText[] = [{ where: 'fallback text', text: rendered.text }];
  const urls: string[] = [];
  rendered.blocks.forEach((block, b) => {
    const add = (t: { type: string; text: string; verbatim?: boolean } | undefined, where: string) => {
      if (!t) return;
      // verbatim: Slack must not auto-link URLs or #channels found in the (untrusted) text.
      if (t.type === 'mrkdwn' && t.verbatim !== true) fail(`${where} is mrkdwn without verbatim: true`, raw);
      texts.push({ where, text: t.text });
    };
    if (block.type === 'header') add(block.text, `blocks[${b}] header`);
    if (block.type === 'section') {
      add(block.text, `blocks[${b}] section`);
      block.fields?.forEach((f, i) => add(f, `blocks[${b}].fields[${i}]`));
    }
    if (block.type === 'context') block.elements.forEach((e, i) => add(e, `blocks[${b}].elements[${i}]`));
    if (block.type === 'actions') {
      block.elements.forEach((button, i) => {
        add(button.text, `blocks[${b}].elements[${i}] button`);
        urls.push(button.url);
      });
    }
  });
  return { texts, urls };
}

function expectSafeRendering(rendered: SlackMessage, action: NotifyAction, mention: string | undefined, raw: unknown): void {
  JSON.stringify(rendered);
  const { texts, urls } = textsOf(rendered, raw);
  if (mention !== undefined) {
    // The trusted mention once in the summary and once in the fallback (which notifies), nowhere else.
    const count = texts.reduce((n, t) => n + t.text.split(mention).length - 1, 0);
    if (count !== 2) fail(`the trusted mention ${mention} appears ${count} times, expected 2 (summary and fallback)`, raw);
  }
  for (const { where, text } of texts) {
    let rest = text.replace(DATE_TOKEN, '');
    if (mention !== undefined) rest = rest.split(mention).join('');
    for (const bad of FORBIDDEN) {
      const i = rest.indexOf(bad);
      if (i >= 0) fail(`${where} contains ${bad}${mention ? ` (mention ${mention})` : ''}: …${JSON.stringify(rest.slice(Math.max(0, i - 40), i + 60))}…`, raw);
    }
    const control = SLACK_CONTROL.exec(rest);
    if (control) fail(`${where} contains a Slack control sequence: …${JSON.stringify(rest.slice(Math.max(0, control.index - 40), control.index + 60))}…`, raw);
  }
  const links = Object.values(action.message.links);
  for (const url of urls) {
    if (!links.includes(url)) fail(`button url ${url.slice(0, 200)} is not one of message.links`, raw);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail(`button url ${JSON.stringify(url.slice(0, 200))} is not a URL`, raw);
    }
    if (parsed.protocol !== 'https:' || !CONSOLE_HOST.test(parsed.hostname) || parsed.username !== '' || parsed.password !== '') {
      fail(`button url ${JSON.stringify(url.slice(0, 200))} is not an https AWS console URL (host ${JSON.stringify(parsed.hostname)})`, raw);
    }
  }
}

function expectHarmless(d: Delivered, config: AutopilotConfig, raw: unknown): void {
  const { action } = d;
  // What SNS gets: a Subject of printable ASCII, at most 100 characters, and a JSON body.
  if (!/^[\x20-\x7E]{0,100}$/.test(action.subject)) fail(`SNS subject is not printable ASCII of at most 100: ${JSON.stringify(action.subject)}`, raw);
  const body = JSON.stringify(action.message);
  stats.maxBodyBytes = Math.max(stats.maxBodyBytes, Buffer.byteLength(body, 'utf8'));
  renderPlainText(action.message);
  expectSafeRendering(renderSlackMessage(action.message), action, undefined, raw);
  const mention = trustedMentionFor(config, d.receiver);
  expectSafeRendering(renderSlackMessage(action.message, { mention }), action, mention, raw);
}

// ---- bookkeeping, so a property that never reached the interesting part fails instead of passing --------

const stats = { rejected: 0, resolved: 0, delivered: 0, maxBodyBytes: 0, slowestMs: 0 };
type Counts = Pick<typeof stats, 'rejected' | 'resolved' | 'delivered'>;
const snapshot = (): Counts => ({ rejected: stats.rejected, resolved: stats.resolved, delivered: stats.delivered });
function report(name: string, from: Counts): Counts {
  const d = { rejected: stats.rejected - from.rejected, resolved: stats.resolved - from.resolved, delivered: stats.delivered - from.delivered };
  if (STATS) {
    console.info(
      `fuzz ${name}: ${d.resolved} resolved, ${d.rejected} IntakeError, ${d.delivered} delivered; ` +
        `so far: largest SNS body ${stats.maxBodyBytes} bytes, slowest event ${Math.round(stats.slowestMs)} ms`,
    );
  }
  return d;
}
/** Coverage floors only where enough runs make them certain for any seed. */
const enoughRuns = RUNS >= 100;

function count(result: Result): void {
  if (result.type === 'rejected') stats.rejected += 1;
  else {
    stats.resolved += 1;
    stats.delivered += result.delivered.length;
  }
}

/** Processes an event, then the same event delivered again at once: the second may post nothing. */
async function runTwice(h: Harness, raw: unknown): Promise<void> {
  const copy = structuredClone(raw);
  const first = await run(h, raw);
  count(first);
  const again = await run(h, copy);
  if (again.type !== first.type) fail(`redelivery ${again.type} where the first delivery ${first.type}`, raw);
  if (again.type === 'resolved' && again.delivered.length > 0) fail(`a redelivered event posted ${again.delivered.length} more notification(s)`, raw);
}

/** Short counterexamples: a 100k string or a 1000-deep object is summarised, not printed. */
interface Shown<T> {
  value: T;
  [fc.toStringMethod]: () => string;
}
const shown = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Shown<T>> => arb.map((value) => ({ value, [fc.toStringMethod]: () => describeForReport(value) }));
const setup = fc.constantFrom(...SETUPS).map((s) => ({ ...s, [fc.toStringMethod]: () => `setup '${s.name}'` }));

// ---- properties ----------------------------------------------------------------------------------------

describe(`fuzz (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`, () => {
  it('every parser: anything shaped like an event parses or throws an IntakeError naming a field', () => {
    const from = snapshot();
    const expectParsedOrIntakeError = (parse: () => unknown, raw: unknown, who: string) => {
      try {
        parse();
        stats.resolved += 1;
      } catch (error) {
        if (!(error instanceof IntakeError)) fail(`${who} threw ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message).slice(0, 300)}`, raw);
        for (const problem of error.problems) if (!FIELD_PATH.test(problem) && !TOP_LEVEL.test(problem)) fail(`${who}: problem names no field: ${problem.slice(0, 300)}`, raw);
        stats.rejected += 1;
      }
    };
    fc.assert(
      fc.property(shown(fc.oneof(arbitraryEvent, mutatedFixture().map((m) => m.event))), ({ value: raw }) => {
        expectParsedOrIntakeError(() => {
          const intake = parseEvent(raw);
          if (intake.type !== 'signal' && intake.type !== 'unrecognised') fail(`parseEvent returned ${describeForReport(intake)}`, raw);
        }, raw, 'parseEvent');
        // Each EventBridge parser on its own, whatever the detail-type says: a parser must not trust
        // the router to hand it only its own kind of detail.
        const envelope = eventEnvelopeSchema.safeParse(raw);
        if (envelope.success) {
          for (const parser of eventParsers) expectParsedOrIntakeError(() => parser.parse(envelope.data), raw, `the '${parser.detailType}' parser`);
        }
      }),
      params(RUNS * 2),
    );
    const d = report('parsers', from);
    if (enoughRuns) expect(d.rejected > 0 && d.resolved > 0, 'both valid and malformed inputs were generated').toBe(true);
  }, TIMEOUT_MS);

  it('the pipeline on arbitrary values shaped like events, timer records and log subscriptions', async () => {
    const from = snapshot();
    const inputs = fc.oneof(
      { arbitrary: envelopeEvent, weight: 4 },
      { arbitrary: sqsTimerRecord, weight: 1 },
      { arbitrary: logsSubscriptionEvent, weight: 1 },
      { arbitrary: arbitraryEvent, weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(setup, shown(inputs), async (s, { value: raw }) => {
        await runTwice(new Harness(s), raw);
      }),
      params(),
    );
    const d = report('arbitrary events', from);
    if (enoughRuns) expect(d.rejected > 0 && d.resolved > 0 && d.delivered > 0, `rejected ${d.rejected}, resolved ${d.resolved}, delivered ${d.delivered}`).toBe(true);
  }, TIMEOUT_MS);

  it('the pipeline on every real fixture with fields dropped, retyped, huge, 1000 deep or full of odd Unicode', async () => {
    const from = snapshot();
    await fc.assert(
      fc.asyncProperty(setup, shown(mutatedFixture(mutation)), async (s, { value: m }) => {
        await runTwice(new Harness(s), m.event);
      }),
      params(),
    );
    const d = report('mutated fixtures', from);
    if (enoughRuns) expect(d.rejected > 0 && d.delivered > 0, `rejected ${d.rejected}, delivered ${d.delivered}`).toBe(true);
  }, TIMEOUT_MS);

  it('Slack sequences, links and odd Unicode in reasons, names and alarm names never reach Slack as mentions or links', async () => {
    const from = snapshot();
    // Every fixture but the log batches, which notify nobody; each keeps its shape, so most notify.
    const notifying = FIXTURES.filter((f) => f.kind === 'events');
    await fc.assert(
      fc.asyncProperty(setup, shown(mutatedFixture(textMutation, notifying)), async (s, { value: m }) => {
        await runTwice(new Harness(s), m.event);
      }),
      params(),
    );
    const d = report('hostile text', from);
    if (enoughRuns) expect(d.delivered, 'hostile text reached delivered messages').toBeGreaterThan(RUNS / 4);
  }, TIMEOUT_MS);

  it('a sequence through one pipeline: state, grouping, timers and flushes; nothing acted on is posted twice', async () => {
    const from = snapshot();
    type Step =
      | { do: 'event'; raw: unknown }
      | { do: 'fire-timer'; index: number }
      | { do: 'flush-group'; index: number }
      | { do: 'redeliver'; index: number };
    const step: fc.Arbitrary<{ advance: number; step: Step }> = fc.record({
      advance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 400, max: 20_000 })),
      step: fc.oneof(
        { arbitrary: mutatedFixture(textMutation).map((m): Step => ({ do: 'event', raw: m.event })), weight: 4 },
        { arbitrary: mutatedFixture(mutation).map((m): Step => ({ do: 'event', raw: m.event })), weight: 2 },
        { arbitrary: arbitraryEvent.map((raw): Step => ({ do: 'event', raw })), weight: 2 },
        { arbitrary: fc.nat().map((index): Step => ({ do: 'fire-timer', index })), weight: 2 },
        { arbitrary: fc.nat().map((index): Step => ({ do: 'flush-group', index })), weight: 1 },
        { arbitrary: fc.nat().map((index): Step => ({ do: 'redeliver', index })), weight: 2 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(setup, shown(fc.array(step, { minLength: 2, maxLength: 8 })), async (s, { value: steps }) => {
        const h = new Harness(s);
        const history: Array<{ raw: unknown; copy: unknown; result: Result }> = [];
        const groups: string[] = [];
        let messages = 0;
        const timerRecord = (body: unknown) => ({
          eventSource: 'aws:sqs',
          messageId: `fuzz-timer-${(messages += 1)}`,
          body: JSON.stringify({ schema: 'ecs-autopilot/timer@1', fireAt: new Date(h.clock).toISOString(), timer: body }),
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:ecs-autopilot-timers',
        });
        for (const { advance, step: st } of steps) {
          h.clock += advance * 1000;
          let raw: unknown;
          if (st.do === 'event') raw = st.raw;
          else if (st.do === 'fire-timer') raw = h.timers.length > 0 ? timerRecord(h.timers[st.index % h.timers.length]!.body) : undefined;
          else if (st.do === 'flush-group') raw = groups.length > 0 ? timerRecord({ type: 'group-flush', group: groups[st.index % groups.length] }) : undefined;
          else {
            const earlier = history.length > 0 ? history[st.index % history.length]! : undefined;
            if (!earlier) continue;
            const again = await run(h, structuredClone(earlier.copy));
            count(again);
            if (again.type !== earlier.result.type) fail(`redelivery ${again.type} where the first delivery ${earlier.result.type}`, earlier.raw);
            // An event that was acted on (claimed) is never acted on again, whatever happened since.
            if (again.type === 'resolved' && earlier.result.type === 'resolved' && earlier.result.outcome.actions.length > 0 && again.delivered.length > 0) {
              fail(`a redelivered event that was acted on posted ${again.delivered.length} more notification(s)`, earlier.raw);
            }
            continue;
          }
          if (raw === undefined) continue;
          const copy = structuredClone(raw);
          const result = await run(h, raw);
          count(result);
          if (result.type === 'resolved') for (const a of result.outcome.actions) if (!groups.includes(a.group)) groups.push(a.group);
          history.push({ raw, copy, result });
        }
      }),
      params(Math.max(1, Math.ceil(RUNS / 2))),
    );
    const d = report('sequences', from);
    if (enoughRuns) expect(d.delivered, 'sequences delivered notifications').toBeGreaterThan(0);
  }, TIMEOUT_MS);
});
