// An SVG chart of a simulation, with no dependency: three panels on one time axis (arrivals per
// minute, backlog, desired tasks), ecs-autopilot against ECS target tracking.
import type { MinuteSample } from './queue-model.js';

interface Series {
  label: string;
  colour: string;
  values: number[];
  dashed?: boolean;
}

const WIDTH = 960;
const PANEL = 130;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 30;

function panel(index: number, title: string, series: Series[], minutes: number): string {
  const top = TOP + index * (PANEL + GAP);
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => (LEFT + (i / Math.max(1, minutes - 1)) * (WIDTH - LEFT - RIGHT)).toFixed(1);
  const y = (v: number) => (top + PANEL - (v / max) * PANEL).toFixed(1);
  const lines = series.map(
    (s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="1.3"${s.dashed ? ' stroke-dasharray="4 3"' : ''} points="${s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}"/>`,
  );
  const legend = series.map((s, i) => `<text x="${WIDTH - RIGHT - 250 + i * 130}" y="${top - 6}" fill="${s.colour}" font-size="11">${s.label}</text>`);
  return [
    `<text x="${LEFT}" y="${top - 6}" font-size="12" font-weight="bold">${title}</text>`,
    `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#ccc"/>`,
    `<text x="${LEFT - 6}" y="${top + 10}" font-size="10" text-anchor="end">${Math.round(max)}</text>`,
    `<text x="${LEFT - 6}" y="${top + PANEL}" font-size="10" text-anchor="end">0</text>`,
    ...lines,
    ...legend,
  ].join('\n');
}

export function renderSimulationSvg(title: string, autopilot: MinuteSample[], baseline: MinuteSample[]): string {
  // The runs may drain past the trace's end at different minutes: one time axis for the longest.
  const minutes = Math.max(autopilot.length, baseline.length);
  const height = TOP + 3 * (PANEL + GAP) + 10;
  const hours = Array.from({ length: Math.floor(minutes / 60) + 1 }, (_, h) => h).filter((h) => h % 3 === 0);
  const axisY = TOP + 3 * PANEL + 2 * GAP + 14;
  const ticks = hours.map((h) => `<text x="${(LEFT + ((h * 60) / Math.max(1, minutes - 1)) * (WIDTH - LEFT - RIGHT)).toFixed(1)}" y="${axisY}" font-size="10" text-anchor="middle">${String(h).padStart(2, '0')}:00</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold">${title}</text>`,
    panel(0, 'load: messages arriving per minute', [{ label: 'arrivals', colour: '#555', values: autopilot.map((s) => s.arrivals) }], minutes),
    panel(1, 'backlog: messages waiting', [
      { label: 'ecs-autopilot', colour: '#1f77b4', values: autopilot.map((s) => s.backlog) },
      { label: 'ECS target tracking', colour: '#d62728', values: baseline.map((s) => s.backlog), dashed: true },
    ], minutes),
    panel(2, 'desired tasks', [
      { label: 'ecs-autopilot', colour: '#1f77b4', values: autopilot.map((s) => s.desired) },
      { label: 'ECS target tracking', colour: '#d62728', values: baseline.map((s) => s.desired), dashed: true },
    ], minutes),
    ...ticks,
    '</svg>',
    '',
  ].join('\n');
}
