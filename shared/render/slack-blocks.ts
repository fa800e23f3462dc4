// A NotificationMessage as a Slack incoming-webhook payload (Block Kit). Pure: the adapter posts it.
// Read top to bottom it answers what an on-call engineer asks, in order: how bad, what broke, where,
// what to do, why the tool thinks so, and where to click. Every value that came from an event goes
// through slack-mrkdwn.ts; the only raw `<...>` this file writes are the configured mention and a
// date token it builds from a parsed timestamp.
import type { Severity } from '../decide/causes.js';
import type { NotificationMessage } from '../decide/plan.js';
import { implicatedContainer, taskDefinitionOf, whereOf } from './notification-facts.js';
import { codeBlock, escapeMrkdwn, inlineCode, isSlackMention, plainText } from './slack-mrkdwn.js';

/** Slack's published limits (https://api.slack.com/reference/block-kit/blocks), checked by the tests. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  actionId: 255,
  fallbackText: 3000,
} as const;

// Our own, tighter caps where Slack's would only make a message unreadable. ECS names are at most
// 255 characters, and a stop reason about as long, so nothing real is cut.
const IDENTIFIER_MAX = 300;
const EVIDENCE_MAX = 2000;

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnObject {
  type: 'mrkdwn';
  text: string;
  /** true: Slack does not auto-link URLs or #channel names found in the (untrusted) text. */
  verbatim?: boolean;
}
export interface ButtonElement {
  type: 'button';
  text: PlainTextObject;
  url: string;
  action_id: string;
}
export type SlackBlock =
  | { type: 'header'; text: PlainTextObject }
  | { type: 'section'; text: MrkdwnObject; fields?: undefined }
  | { type: 'section'; fields: MrkdwnObject[]; text?: undefined }
  | { type: 'context'; elements: MrkdwnObject[] }
  | { type: 'actions'; elements: ButtonElement[] };

export interface SlackMessage {
  /** The notification and screen-reader fallback: Slack shows it where blocks cannot be shown. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackRenderOptions {
  /**
   * A mention from the configuration (`<!subteam^S123>`, `<!here>`, `<@U123>`), trusted and the
   * only one the message can contain. Anything that is not a mention is shown as text, not dropped,
   * so a typo in the configuration is visible instead of silently not paging anyone.
   */
  mention?: string;
}

const RESOLVED_EMOJI = '✅';
const SEVERITY_EMOJI: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

const mrkdwn = (text: string): MrkdwnObject => ({ type: 'mrkdwn', text, verbatim: true });

/** A mrkdwn text of at most `max` code units: trusted `prefix`, then untrusted `text` escaped. */
function labelled(prefix: string, text: string, max: number): string {
  return prefix + escapeMrkdwn(text, max - prefix.length);
}

function field(label: string, value: string): MrkdwnObject {
  const prefix = `*${label}*\n`;
  return mrkdwn(prefix + inlineCode(value, Math.min(IDENTIFIER_MAX, SLACK_LIMITS.fieldText - prefix.length)));
}

function factFields(message: NotificationMessage): MrkdwnObject[] {
  const task = message.task;
  const container = implicatedContainer(message);
  const taskDefinition = taskDefinitionOf(message);
  const fields = [
    field('Cluster', message.cluster),
    message.service !== undefined ? field('Service', message.service) : undefined,
    field('Cause', message.cause),
    field('Severity', message.severity),
    taskDefinition !== undefined ? field('Task definition', taskDefinition) : undefined,
    task?.stopCode ? field('Stop code', task.stopCode) : undefined,
    container ? field('Container', container.name) : undefined,
    container?.exitCode !== undefined ? field('Exit code', String(container.exitCode)) : undefined,
    task ? field('Task', task.id) : undefined,
  ];
  return fields.filter((f): f is MrkdwnObject => f !== undefined).slice(0, SLACK_LIMITS.fields);
}

/** What ECS itself said, verbatim: the stopped reason and each container's reason and exit code. */
function reportedReasons(message: NotificationMessage): SlackBlock | undefined {
  const task = message.task;
  if (!task) return undefined;
  const lines = [
    ...(task.stoppedReason ? [task.stoppedReason] : []),
    ...task.containers
      .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
      .map((c) => `${c.name}: ${c.exitCode !== undefined ? `exit ${c.exitCode}` : 'no exit code'}${c.reason ? `, ${c.reason}` : ''}`),
  ];
  if (lines.length === 0) return undefined;
  const prefix = '*Reported by ECS*\n';
  return { type: 'section', text: mrkdwn(prefix + codeBlock(lines.join('\n'), SLACK_LIMITS.sectionText - prefix.length)) };
}

/** Slack shows a date token in each reader's time zone; the fallback after `|` is ours, never the event's. */
function eventTimeText(eventTime: string): string {
  const ms = Date.parse(eventTime);
  if (!Number.isFinite(ms) || ms < 0) return escapeMrkdwn(eventTime, IDENTIFIER_MAX);
  const iso = new Date(ms).toISOString();
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

function context(message: NotificationMessage): SlackBlock {
  const max = SLACK_LIMITS.sectionText;
  const elements = [
    mrkdwn(labelled('*Evidence:* ', message.evidence, EVIDENCE_MAX)),
    mrkdwn(`*Event time:* ${eventTimeText(message.eventTime)}`),
    mrkdwn(labelled('*Account:* ', `${message.account} ${message.region}`, IDENTIFIER_MAX)),
    // The event id ties a message to the event in logs, the dead-letter queue and `replay`.
    mrkdwn(`*Event:* ${inlineCode(message.eventId, IDENTIFIER_MAX)}`),
    ...(message.warnings?.length ? [mrkdwn(labelled('*Warnings:* ', message.warnings.join('; '), max))] : []),
  ];
  return { type: 'context', elements: elements.slice(0, SLACK_LIMITS.contextElements) };
}

/** Link buttons. A URL Slack would reject (not http(s), too long) is left out rather than cut. */
function linkButtons(links: Record<string, string>, blocksLeft: number): SlackBlock[] {
  const buttons: ButtonElement[] = Object.entries(links)
    .filter(([, url]) => /^https?:\/\/\S+$/.test(url) && url.length <= SLACK_LIMITS.buttonUrl)
    .map(([name, url], index) => ({
      type: 'button',
      text: { type: 'plain_text', text: plainText(`Open ${name}`, SLACK_LIMITS.buttonText), emoji: false },
      url,
      action_id: `link-${index}`,
    }));
  const blocks: SlackBlock[] = [];
  for (let start = 0; start < buttons.length && blocks.length < blocksLeft; start += SLACK_LIMITS.actionsElements) {
    blocks.push({ type: 'actions', elements: buttons.slice(start, start + SLACK_LIMITS.actionsElements) });
  }
  return blocks;
}

/** The configured mention as written when it is one, else as harmless text; with a trailing space. */
function mentionPrefix(mention: string | undefined): string {
  if (mention === undefined || mention === '') return '';
  return `${isSlackMention(mention) ? mention : escapeMrkdwn(mention, 120)} `;
}

export function renderSlackMessage(message: NotificationMessage, options: SlackRenderOptions = {}): SlackMessage {
  const resolved = message.status === 'resolved';
  const emoji = resolved ? RESOLVED_EMOJI : (SEVERITY_EMOJI[message.severity] ?? '⚪');
  const mention = mentionPrefix(options.mention);
  const level = resolved ? 'RESOLVED' : message.severity.toUpperCase();
  const count = message.group && message.group.count > 1 ? ` (${message.group.count} since ${message.group.firstAt.slice(11, 16)} UTC)` : '';
  const header = `${emoji} ${level}: ${message.cause} in ${whereOf(message)}${count}`;

  // The title already contains the meaning when decide built it; saying it twice is noise.
  const meaning = message.title.includes(message.meaning) ? '' : message.meaning;
  const titleMax = SLACK_LIMITS.sectionText - mention.length - (meaning ? 1000 : 0) - 2;
  // Bold only works when the text inside the asterisks neither starts nor ends with a space.
  const summary = `${mention}*${escapeMrkdwn(message.title.trim(), titleMax)}*${meaning ? `\n${escapeMrkdwn(meaning, 998)}` : ''}`;

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plainText(header, SLACK_LIMITS.headerText), emoji: true } },
    { type: 'section', text: mrkdwn(summary) },
    { type: 'section', fields: factFields(message) },
  ];
  const reasons = reportedReasons(message);
  if (reasons) blocks.push(reasons);
  const tail = message.logTail;
  if (tail && 'lines' in tail && tail.lines.length > 0) {
    const prefix = '*Last log lines*\n';
    blocks.push({ type: 'section', text: mrkdwn(prefix + codeBlock(tail.lines.join('\n'), SLACK_LIMITS.sectionText - prefix.length)) });
  } else if (tail && 'unavailable' in tail) {
    blocks.push({ type: 'context', elements: [mrkdwn(labelled('*Logs:* ', tail.unavailable, 1000))] });
  }
  blocks.push({ type: 'section', text: mrkdwn(labelled('*What to do*\n', message.hint, SLACK_LIMITS.sectionText)) });
  blocks.push(context(message));
  blocks.push(...linkButtons(message.links, SLACK_LIMITS.blocks - blocks.length));

  // Mentions in the fallback text notify too, so it is escaped like any block (the mention aside).
  const text = mention + escapeMrkdwn(`${emoji} [${level}]${count} ${message.title}`, SLACK_LIMITS.fallbackText - mention.length);
  return { text, blocks };
}
