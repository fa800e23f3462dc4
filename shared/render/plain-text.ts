// A NotificationMessage as a few lines of plain text: what the CLI prints, and what a terminal, a
// log line or an email body can show. The scaffolding is ASCII (no emoji, no markup). Values from the
// event keep their letters but lose control characters, so a stop reason cannot move the cursor,
// recolour the terminal (ESC and CSI sequences) or start a line that looks like ours.
import type { NotificationMessage } from '../decide/plan.js';
import { implicatedContainer, taskDefinitionOf, whereOf } from './notification-facts.js';
import { sanitizeText, truncate } from './slack-mrkdwn.js';

// Long enough for any real ECS value (names <= 255, reasons about as long); keeps a hostile one readable.
const VALUE_MAX = 1000;

/**
 * One line of untrusted text: no controls, no line breaks, at most VALUE_MAX characters. A run of
 * blanks that holds a break becomes one space; it is found run by run, because `\s*[\n\t]\s*`
 * backtracks over every long run of blanks without a break (quadratic: seconds for 100k spaces).
 */
function oneLine(text: string): string {
  return truncate(sanitizeText(text).replace(/\s+/g, (run) => (/[\n\t\u2028\u2029]/.test(run) ? ' ' : run)).trim(), VALUE_MAX).text;
}

function taskLine(message: NotificationMessage): string | undefined {
  const task = message.task;
  if (!task) return undefined;
  const container = implicatedContainer(message);
  const parts = [
    taskDefinitionOf(message) ?? 'task definition unknown',
    container ? `container '${container.name}'` : undefined,
    container?.exitCode !== undefined ? `exit code ${container.exitCode}` : undefined,
    task.stopCode ? `stop code ${task.stopCode}` : undefined,
    `task ${task.id}`,
  ];
  return `task: ${oneLine(parts.filter((p): p is string => p !== undefined).join(', '))}`;
}

export function renderPlainText(message: NotificationMessage): string {
  const level = message.status === 'resolved' ? 'RESOLVED' : message.severity.toUpperCase();
  const count = message.group && message.group.count > 1 ? `  (${message.group.count} in this group since ${message.group.firstAt})` : '';
  const head = `[${level}] ${message.cause}  ${whereOf(message)}${count}`;
  const links = Object.entries(message.links).map(([name, url]) => `  ${oneLine(name)}: ${oneLine(url)}`);
  const lines = [
    oneLine(head),
    oneLine(message.title),
    `why: ${oneLine(message.evidence)}`,
    `do: ${oneLine(message.hint)}`,
    taskLine(message),
    message.task?.stoppedReason ? `reason: ${oneLine(message.task.stoppedReason)}` : undefined,
    ...(message.logTail && 'lines' in message.logTail ? [`last log lines (${oneLine(message.logTail.logStream)}):`, ...message.logTail.lines.map((l) => `  | ${oneLine(l)}`)] : []),
    `at: ${oneLine(message.eventTime)} (${oneLine(message.region)}, account ${oneLine(message.account)})`,
    ...(message.warnings ?? []).map((w) => `warning: ${oneLine(w)}`),
    ...(links.length > 0 ? ['links:', ...links] : []),
  ];
  return lines.filter((line): line is string => line !== undefined).join('\n');
}
