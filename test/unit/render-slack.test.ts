import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import { CAUSES } from '../../shared/decide/causes.js';
import { decide } from '../../shared/decide/decide.js';
import type { NotificationMessage } from '../../shared/decide/plan.js';
import { parseEvent } from '../../shared/intake/index.js';
import { renderPlainText } from '../../shared/render/plain-text.js';
import { renderSlackMessage, SLACK_LIMITS, type SlackBlock, type SlackMessage } from '../../shared/render/slack-blocks.js';
import { codeBlock, escapeMrkdwn, inlineCode, plainText, truncate } from '../../shared/render/slack-mrkdwn.js';
import { listFixtures, loadFixture, type RawEvent } from '../support/fixtures.js';

const now = new Date('2026-11-20T10:05:00Z');
const defaults = validateConfig({}, 'test');
// Hostile reasons can change the classification to a cause that does not notify by default.
const notifyEverything = validateConfig({ notify: { causes: Object.fromEntries(CAUSES.map((c) => [c, { notify: true }])) } }, 'test');

function messagesOf(event: RawEvent, config = defaults): NotificationMessage[] {
  const intake = parseEvent(event);
  if (intake.type !== 'signal') throw new Error(`${event.id} did not parse to a signal`);
  return decide(intake.signal, {}, config, now).notifications.map((n) => n.message);
}

function oomMessage(): NotificationMessage {
  const [message] = messagesOf(loadFixture('events/task-stopped-oom.json'));
  if (!message) throw new Error('the OOM fixture planned no notification');
  return message;
}

const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// The only `<...>` the renderer writes itself: a date token built from a parsed timestamp.
const DATE_TOKEN = /<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z>/g;
const FORBIDDEN = ['<!channel', '<!here', '<!everyone', '<!subteam', '<@', '<#', '<http', '<mailto'];

/** Every text Slack would read, with the mrkdwn ones marked, and the button URLs apart. */
function textsOf(rendered: SlackMessage): { texts: Array<{ text: string; mrkdwn: boolean }>; urls: string[] } {
  const texts: Array<{ text: string; mrkdwn: boolean }> = [{ text: rendered.text, mrkdwn: true }];
  const urls: string[] = [];
  const add = (t: { type: string; text: string }) => texts.push({ text: t.text, mrkdwn: t.type === 'mrkdwn' });
  for (const block of rendered.blocks) {
    if (block.type === 'header') add(block.text);
    if (block.type === 'section') [block.text, ...(block.fields ?? [])].forEach((t) => t && add(t));
    if (block.type === 'context') block.elements.forEach(add);
    if (block.type === 'actions') for (const b of block.elements) (add(b.text), urls.push(b.url));
  }
  return { texts, urls };
}

/** The safety and size invariants every rendering must hold, whatever the message contains. */
function expectSafe(rendered: SlackMessage, message: NotificationMessage, mention?: string): void {
  const json = JSON.stringify(rendered);
  expect(JSON.parse(json)).toEqual(rendered);
  const { texts, urls } = textsOf(rendered);
  for (const { text, mrkdwn } of texts) {
    let rest = text.replace(DATE_TOKEN, '');
    if (mention) rest = rest.split(mention).join('');
    for (const bad of FORBIDDEN) expect(rest, text.slice(0, 200)).not.toContain(bad);
    // Stronger than the list above: no `<` at all, so no control sequence Slack would parse.
    expect(rest.includes('<'), text.slice(0, 200)).toBe(false);
    expect(CONTROL.test(text)).toBe(false);
    expect(LONE_SURROGATE.test(text)).toBe(false);
    // Untrusted backticks are replaced, so spans and blocks we open are the only ones, all closed.
    if (mrkdwn) expect((text.match(/`/g) ?? []).length % 2).toBe(0);
  }
  for (const url of urls) expect(Object.values(message.links)).toContain(url);
  expectWithinLimits(rendered);
}

function expectWithinLimits(rendered: SlackMessage): void {
  const L = SLACK_LIMITS;
  expect(rendered.text.length).toBeLessThanOrEqual(L.fallbackText);
  expect(rendered.blocks.length).toBeLessThanOrEqual(L.blocks);
  let total = rendered.text.length;
  for (const block of rendered.blocks as SlackBlock[]) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(L.headerText);
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(L.sectionText);
    if (block.type === 'section' && block.fields) {
      expect(block.fields.length).toBeGreaterThan(0);
      expect(block.fields.length).toBeLessThanOrEqual(L.fields);
      for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(L.fieldText);
    }
    if (block.type === 'context') {
      expect(block.elements.length).toBeLessThanOrEqual(L.contextElements);
      for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(L.sectionText);
    }
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(L.actionsElements);
      for (const b of block.elements) {
        expect(b.text.text.length).toBeLessThanOrEqual(L.buttonText);
        expect(b.url.length).toBeLessThanOrEqual(L.buttonUrl);
        expect(b.action_id.length).toBeLessThanOrEqual(L.actionId);
      }
    }
  }
  for (const { text } of textsOf(rendered).texts) total += text.length;
  // Slack cuts a message at 40,000 characters; ours stays well below.
  expect(total).toBeLessThan(40_000);
}

describe('renderSlackMessage on real notifications', () => {
  const taskFixtures = listFixtures('events').filter((f) => f.includes('task-stopped'));

  it('renders every notifying fixture within Slack limits and with no mention', () => {
    let rendered = 0;
    for (const fixture of taskFixtures) {
      for (const message of messagesOf(loadFixture(fixture))) {
        expectSafe(renderSlackMessage(message), message);
        rendered += 1;
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(8);
  });

  it('lays out the OOM notification: header, summary, facts, reasons, what to do, context, buttons', () => {
    const message = oomMessage();
    const { text, blocks } = renderSlackMessage(message);
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'context', 'actions']);
    const [header, summary, facts, reasons, todo, context, actions] = blocks;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔴 CRITICAL: oom in prod/web', emoji: true } });
    expect(summary?.type === 'section' && summary.text?.text).toBe(`*${message.title}*`);
    const fieldTexts = facts?.type === 'section' ? (facts.fields ?? []).map((f) => f.text) : [];
    expect(fieldTexts).toEqual([
      '*Cluster*\n`prod`',
      '*Service*\n`web`',
      '*Cause*\n`oom`',
      '*Severity*\n`critical`',
      '*Task definition*\n`web:42`',
      '*Stop code*\n`EssentialContainerExited`',
      '*Container*\n`web`',
      '*Exit code*\n`137`',
      '*Task*\n`a1b2c3d4e5f60718293a4b5c6d7e8f90`',
    ]);
    expect(reasons?.type === 'section' && reasons.text?.text).toContain('web: exit 137, OutOfMemoryError: Container killed due to memory usage');
    expect(todo?.type === 'section' && todo.text?.text).toBe(`*What to do*\n${message.hint}`);
    const contextTexts = context?.type === 'context' ? context.elements.map((e) => e.text) : [];
    expect(contextTexts[0]).toBe(`*Evidence:* ${message.evidence}`);
    expect(contextTexts[1]).toBe(`*Event time:* <!date^${Date.parse('2026-11-20T10:00:00Z') / 1000}^{date_short_pretty} {time_secs}|2026-11-20T10:00:00.000Z>`);
    const buttons = actions?.type === 'actions' ? actions.elements : [];
    expect(buttons.map((b) => [b.text.text, b.url])).toEqual([
      ['Open task', message.links.task],
      ['Open service', message.links.service],
    ]);
    expect(text).toBe(`🔴 [CRITICAL] ${message.title}`);
  });

  it('adds the configured mention to the summary and the fallback, and only that one', () => {
    const message = oomMessage();
    const mention = '<!subteam^S0123ABC>';
    const rendered = renderSlackMessage(message, { mention });
    const summary = rendered.blocks[1];
    expect(summary?.type === 'section' && summary.text?.text.startsWith(`${mention} *Service prod/web`)).toBe(true);
    expect(rendered.text.startsWith(`${mention} 🔴`)).toBe(true);
    expectSafe(rendered, message, mention);
    // Something that is not a mention is shown as text: visible, and it pings nobody.
    const typo = renderSlackMessage(message, { mention: 'subteam^S0123 <https://evil.example|x>' });
    expectSafe(typo, message);
    expect(typo.text).toContain('subteam^S0123 &lt;https://evil.example|x&gt;');
  });

  it('adds the meaning under the title when the title does not already say it', () => {
    const message = { ...oomMessage(), title: 'Service prod/web: container web was OOM-killed' };
    const summary = renderSlackMessage(message).blocks[1];
    expect(summary?.type === 'section' && summary.text?.text).toBe(`*${message.title}*\n${message.meaning}`);
  });

  it('leaves out link buttons Slack would reject rather than cutting them', () => {
    const message = { ...oomMessage(), links: { task: `https://example.com/${'a'.repeat(3000)}`, script: 'javascript:alert(1)', ok: 'https://example.com/ok' } };
    const actions = renderSlackMessage(message).blocks.filter((b) => b.type === 'actions');
    expect(actions.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.url) : []))).toEqual(['https://example.com/ok']);
  });
});

describe('renderPlainText', () => {
  it('prints the OOM notification as a few readable lines', () => {
    const message = oomMessage();
    expect(renderPlainText(message)).toBe(
      [
        '[CRITICAL] oom  prod/web',
        message.title,
        `why: ${message.evidence}`,
        `do: ${message.hint}`,
        "task: web:42, container 'web', exit code 137, stop code EssentialContainerExited, task a1b2c3d4e5f60718293a4b5c6d7e8f90",
        'reason: Essential container in task exited',
        'at: 2026-11-20T10:00:00Z (us-east-1, account 123456789012)',
        'links:',
        `  task: ${message.links.task}`,
        `  service: ${message.links.service}`,
      ].join('\n'),
    );
  });
});

describe('slack-mrkdwn', () => {
  it("escapes Slack's three characters, so mentions and links are only text", () => {
    expect(escapeMrkdwn('<!channel> & <https://evil.example|click me> <@U12345>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil.example|click me&gt; &lt;@U12345&gt;',
    );
  });

  it('neutralises formatting that would leak, and keeps names with inner underscores copyable', () => {
    expect(escapeMrkdwn('my_cluster_name')).toBe('my_cluster_name');
    expect(escapeMrkdwn('*bold* _it_ ~st~')).toBe('∗bold∗ ＿it＿ ∼st∼');
    expect(escapeMrkdwn('a `code` ```block```')).toBe('a ˋcodeˋ ˋˋˋblockˋˋˋ');
    expect(escapeMrkdwn('line\n> quoted')).toBe('line\n› quoted');
    expect(escapeMrkdwn('ping @channel')).toBe('ping @\u2060channel');
    expect(escapeMrkdwn('a\u0000b\u001b[31mc\r\n\td\u202e')).toBe('ab[31mc\n\td');
  });

  it('keeps untrusted text inside the code span or block it was put in', () => {
    expect(inlineCode('a`b\nc<d>')).toBe('`aˋb c&lt;d&gt;`');
    expect(inlineCode('')).toBe('(empty)');
    expect(codeBlock('x```\n<!here>')).toBe('```xˋˋˋ\n&lt;!here&gt;```');
    expect(plainText('<!here> & co')).toBe('‹!here› & co');
  });

  it('truncates on a code-point boundary and says how much was cut', () => {
    expect(truncate('hello', 10)).toEqual({ text: 'hello', cut: 0 });
    expect(truncate('hello world', 6)).toEqual({ text: 'hello…', cut: 6 });
    expect(truncate('ab😀cd', 4)).toEqual({ text: 'ab…', cut: 4 });
    // An entity is never cut in half: `&am…` would show as garbage.
    expect(escapeMrkdwn('a&b', 5)).toBe('a…');
  });

  it('never splits a surrogate pair and never exceeds the limit (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat({ max: 220 }), (text, max) => {
        const { text: out, cut } = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (cut === 0) expect(out).toBe(text);
        else if (out !== '') expect(text.startsWith(out.slice(0, -1)) && out.endsWith('…')).toBe(true);
        expect(LONE_SURROGATE.test(out)).toBe(false);
        expect(cut).toBe(text.length - (cut === 0 ? text.length : out.length - 1 + (out === '' ? 1 : 0)));
      }),
    );
  });
});

// Strings meant to break a renderer: mentions, forged links, entities, markers, controls, halves of
// surrogate pairs, and sizes up to 100k characters.
const hostileFragment = fc.constantFrom(
  '<!channel>', '<!here>', '<!everyone>', '<!subteam^S0123|@oncall>', '<@U12345>', '<#C12345>',
  '<https://evil.example|click me>', '<mailto:a@evil.example|mail>', '<http://x>', '&', '&amp;', '&lt;', '<', '>', '<<!channel>>',
  '`', '```', '*', '_', '~', '\n> ', '\u0000', '\u001b[31m', '\u0007', '\u009b', '\r\n', '\t', '\u2028', '\u202e',
  '\ud83d\ude00', '\ud83d', '\ude00', '@channel', 'OutOfMemoryError', 'CannotPullContainerError', ' ', "'", ')',
);
const fragments = fc.array(fc.oneof(hostileFragment, fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));
const huge = fc
  .tuple(fc.array(hostileFragment, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 100_000 }))
  .map(([parts, size]) => {
    const unit = parts.join('');
    return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  });
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) }),
  fragments,
  huge,
);
const hostileSet = fc.record({ stoppedReason: hostile, containerReason: hostile, containerName: hostile, cluster: hostile, service: hostile });
type HostileSet = { stoppedReason: string; containerReason: string; containerName: string; cluster: string; service: string };

/** Hostile values put where ECS puts them, then through intake and decide, so titles and evidence carry them too. */
function hostileMessage(h: HostileSet): NotificationMessage {
  const event = loadFixture('events/task-stopped-oom.json');
  const detail = event.detail as { clusterArn: string; group: string; stoppedReason: string; containers: Array<{ name: string; reason?: string }> };
  detail.clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${h.cluster}`;
  detail.group = `service:${h.service}`;
  detail.stoppedReason = h.stoppedReason;
  detail.containers[0]!.name = h.containerName;
  detail.containers[0]!.reason = h.containerReason;
  // Every hostile set goes through intake and decide: neither may throw on it.
  const [message] = messagesOf(event, notifyEverything);
  if (!message) throw new Error(`decide planned no notification for ${JSON.stringify(h).slice(0, 200)}`);
  return message;
}

describe('rendering hostile input (properties)', () => {
  it('never mentions, links, breaks a span, exceeds a limit or throws, through intake and decide', () => {
    fc.assert(
      fc.property(hostileSet, fc.boolean(), (h, withMention) => {
        const message = hostileMessage(h);
        const mention = withMention ? '<!subteam^S0123ABC>' : undefined;
        expectSafe(renderSlackMessage(message, mention ? { mention } : {}), message, mention);
      }),
      { numRuns: 150 },
    );
  });

  it('holds with every string field of the message hostile, not only those ECS reports', () => {
    const keys = ['title', 'meaning', 'hint', 'evidence', 'region', 'account', 'cluster', 'service', 'eventTime', 'kind', 'cause'] as const;
    fc.assert(
      fc.property(fc.array(hostile, { minLength: keys.length + 4, maxLength: keys.length + 4 }), (values) => {
        const base = oomMessage();
        const message: NotificationMessage = { ...base, warnings: [values[keys.length]!, values[keys.length + 1]!] };
        // Every field as hostile text, whatever its type says (kind is an enum in the type only).
        keys.forEach((key, i) => ((message as unknown as Record<string, string>)[key] = values[i]!));
        message.task = { ...base.task!, stopCode: values[keys.length + 2]!, family: values[keys.length + 3]!, id: values[0]! };
        expectSafe(renderSlackMessage(message), message);
      }),
      { numRuns: 100 },
    );
  });

  it('plain text: hostile values never add a line, a control character or a terminal escape', () => {
    fc.assert(
      fc.property(hostileSet, (h) => {
        const message = hostileMessage(h);
        const out = renderPlainText(message);
        expect(CONTROL.test(out)).toBe(false);
        expect(LONE_SURROGATE.test(out)).toBe(false);
        const expectedLines = 6 + (message.task?.stoppedReason ? 1 : 0) + (message.warnings?.length ?? 0) + 1 + Object.keys(message.links).length;
        expect(out.split('\n')).toHaveLength(expectedLines);
      }),
      { numRuns: 100 },
    );
  });
});
