// The README's command examples are real output (of test/integration/explain-status-cli.test.ts and
// the demo); these helpers find one and compare it with a run's output, masking what differs from
// run to run: task ids, deployment ids, times, silence ids and column widths.
import { join } from 'node:path';
import { projectRoot } from '../../scripts/lib/emulator.js';

export const README = join(projectRoot, 'README.md');

const TASK_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g;

/**
 * The fenced block whose first line is `header` (a task id in it may differ): its text, from the
 * header line to the closing fence, and where it lies in `readme`. Throws when there is none.
 */
export function readmeExample(readme: string, header: string): { start: number; end: number; text: string } {
  const escaped = header.split(TASK_ID).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const found = new RegExp(`^\`\`\`\\n(${escaped.join('[0-9a-f-]{32,36}')}\\n[\\s\\S]*?\\n)\`\`\`$`, 'm').exec(readme);
  if (!found) throw new Error(`README.md has no example starting with '${header}'`);
  const start = found.index + 4;
  return { start, end: start + found[1]!.length, text: found[1]! };
}

export const masked = (text: string) =>
  text
    .replace(TASK_ID, '<task>')
    .replace(/ecs-svc\/\d+/g, 'ecs-svc/<n>')
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?Z?/g, '<time>')
    .replace(/\(\d\d:00Z\)/g, '(<hour>)')
    .replace(/\d+[smhd] ago/g, '<ago>')
    .replace(/\(\d+m left\)/g, '(<left>)')
    .replace(/(^|\s)[0-9a-f]{8}(?= (service=|until))/gm, '$1<silence>')
    .replace(/ {2,}/g, '  ')
    .replace(/ +$/gm, '');
