// `ecs-autopilot status` as a table: one line per watched service, columns sized to their content.
import type { StatusRow } from '../decide/service-status.js';

const COLUMNS = ['SERVICE', 'HEALTH', 'TASKS', 'FAILURES (1h)', 'ACTED (1h)', 'BLOCKED (1h)', 'SCALING', 'SILENCES'] as const;

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([x, a], [y, b]) => b - a || x.localeCompare(y))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

export function statusCells(row: StatusRow): string[] {
  return [row.service, row.health, `${row.running}/${row.desired}`, counts(row.failures), String(row.acted), counts(row.blocked), row.scaling ?? '-', row.silences.join('; ') || '-'];
}

export function renderStatusTable(rows: StatusRow[]): string {
  if (rows.length === 0) return 'no watched services (check clusters.include / clusters.exclude in the configuration)\n';
  const table = [COLUMNS as readonly string[], ...rows.map(statusCells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return `${table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
